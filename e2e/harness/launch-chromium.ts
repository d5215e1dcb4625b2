import { type Browser, chromium } from 'playwright-core';

/**
 * Headless Chromium or Chrome found on this machine (`browserForTests()` of `@mbuzz/test-kit` finds
 * it; the tests never download a browser), with everything that phones home switched off.
 *
 * @example
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
