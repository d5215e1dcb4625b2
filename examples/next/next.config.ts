import type { NextConfig } from 'next';

const config: NextConfig = {
  // The e2e tests and `pnpm demo` run offline.
  images: { unoptimized: true },
};

export default config;
