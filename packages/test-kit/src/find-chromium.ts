import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';
import { isCi } from './is-ci.js';

type Env = Record<string, string | undefined>;

/** Names a Chromium or Chrome goes by on the PATH, most specific first. */
export const CHROMIUM_NAMES: readonly string[] = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'chrome',
];

/** Where the macOS apps keep their executables. */
export const MACOS_CHROMIUM_PATHS: readonly string[] = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** How to get a browser, for the line printed when the browser tests are skipped or fail. */
export const CHROMIUM_HINT = 'apt-get install chromium, or set CHROMIUM_PATH';

const isExecutableFile = (path: string): boolean => {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The Chromium or Chrome executable of this machine: `CHROMIUM_PATH` when set (taken as given: a wrong
 * path is not second-guessed), else the first of {@link CHROMIUM_NAMES} on the `PATH`, else a macOS app.
 * `undefined` when there is none. The tests never download a browser.
 *
 * @example
 * const executablePath = findChromium(); // '/usr/bin/chromium'
 */
export function findChromium(env: Env = process.env): string | undefined {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) return isExecutableFile(explicit) ? explicit : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return MACOS_CHROMIUM_PATHS.find(isExecutableFile);
}

/** What a browser test file needs to know before it declares its tests. */
export interface BrowserForTests {
  /** The browser to launch; `undefined` when none was found. */
  executablePath: string | undefined;
  /** True when there is no browser and `CI` is not set: the file skips its tests (`describe.skipIf`). */
  skip: boolean;
  /** Why there is no browser and how to get one (empty when there is one). */
  missing: string;
}

/**
 * Finds the browser for a browser test file. Without one, the file's tests are skipped with one line
 * saying how to get one — unless `CI` is set: there a missing browser must fail the run, so `skip` is
 * false. {@link describeWithChromium} acts on it.
 */
export function browserForTests(env: Env = process.env): BrowserForTests {
  const executablePath = findChromium(env);
  if (executablePath !== undefined) return { executablePath, skip: false, missing: '' };
  const explicit = env.CHROMIUM_PATH?.trim();
  const what = explicit
    ? `CHROMIUM_PATH=${explicit} is not an executable file`
    : 'no Chromium or Chrome found (CHROMIUM_PATH, PATH, /Applications)';
  if (isCi(env)) {
    return { executablePath: undefined, skip: false, missing: `CI is set and ${what} — ${CHROMIUM_HINT}` };
  }
  const missing = `${what} — ${CHROMIUM_HINT}`;
  console.warn(`browser tests skipped: ${missing}`);
  return { executablePath: undefined, skip: true, missing };
}

/**
 * `describe` for tests that drive a browser: `body` gets the executable to launch. Without a browser the
 * tests are declared skipped, after one line saying how to get one; with `CI` set, one failing test
 * ("has a Chromium or Chrome to drive") says what is missing instead.
 *
 * @example
 * describeWithChromium('headless Chromium → …', (executablePath) => {
 *   beforeAll(async () => {
 *     browser = await chromium.launch({ executablePath });
 *   });
 *   it('…', async () => { … });
 * });
 */
export function describeWithChromium(
  name: string,
  body: (executablePath: string) => void,
  env: Env = process.env,
): void {
  const browser = browserForTests(env);
  if (browser.executablePath !== undefined) {
    const executablePath = browser.executablePath;
    describe(name, () => body(executablePath));
  } else if (browser.skip) {
    describe.skip(name, () => body(''));
  } else {
    describe(name, () => {
      it('has a Chromium or Chrome to drive', () => {
        throw new Error(browser.missing);
      });
    });
  }
}
