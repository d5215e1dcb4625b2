import { defineConfig } from 'vite';

// Vite 8 transforms TSX with Oxc: Preact's automatic JSX runtime, no Babel preset needed.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    // Keep everything in files: the server's CSP forbids inline scripts and styles.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    port: 5173,
    // `pnpm --filter @mbuzz/dashboard dev` talks to an ingest service running on :3000.
    proxy: {
      '/api': { target: process.env.MBUZZ_API_ORIGIN ?? 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
});
