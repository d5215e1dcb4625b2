import type { ReactNode } from 'react';

export const metadata = { title: 'mbuzz next example' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/app.js" async />
      </head>
      <body>
        {/* Plain links: full page loads are what the proxy sees (see README). */}
        <nav>
          <a href="/">Home</a>
          <a href="/pricing">Pricing</a>
          <a href="/about">About</a>
          <a href="/signup">Sign up</a>
        </nav>
        {children}
      </body>
    </html>
  );
}
