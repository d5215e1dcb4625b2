import { type Browser, chromium } from 'playwright-core';

/**
 * Headless Chromium or Chrome found on this machine (`describeWithChromium` / `findChromium` of
 * `@mbuzz/test-kit/chromium` find it; the tests never download a browser), with everything that phones
 * home switched off. One launcher for every browser test and bench.
 *
 * @example
 * import { launchChromium } from '@mbuzz/test-kit/browser';
 * const browser = await launchChromium(executablePath);
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
