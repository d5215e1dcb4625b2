import { withMbuzz } from '@mbuzz/next';
import { type NextRequest, NextResponse } from 'next/server';

const flushIntervalMs = Number(process.env.MBUZZ_FLUSH_INTERVAL_MS) || undefined;

/** The app's own proxy logic; withMbuzz runs it first and keeps its response. */
function app(request: NextRequest) {
  const { pathname } = request.nextUrl;
  // A redirect route: its 302 tells mbuzz to carry the landing UTM to /pricing, and is no page view.
  if (pathname === '/promo') return NextResponse.redirect(new URL('/pricing', request.url), 302);
  // A page and a route handler cannot share a path in the App Router: the form posts to /signup and
  // the handler lives at /api/signup.
  if (pathname === '/signup' && request.method === 'POST') {
    return NextResponse.rewrite(new URL('/api/signup', request.url));
  }
  return NextResponse.next();
}

// apiKey and apiUrl come from MBUZZ_API_KEY and MBUZZ_API_URL.
export default withMbuzz({ flushIntervalMs }, app);

export const config = {
  matcher: [
    {
      // The page routes only: a proxy runs before the route is resolved, so with a catch-all matcher a
      // navigation to a missing page would count (see the @mbuzz/next README for the catch-all one).
      source: '/:page(pricing|about|signup|welcome|promo)?',
      // Next removes its router headers before the proxy sees the request: skip prefetches here.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
