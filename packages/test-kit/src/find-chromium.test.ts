import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { browserForTests, findChromium } from './find-chromium.js';

const root = mkdtempSync(join(tmpdir(), 'find-chromium-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A folder holding the given files; `executable` ones get mode 755. */
function folder(name: string, files: Record<string, 'executable' | 'plain'>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, kind] of Object.entries(files)) {
    writeFileSync(join(dir, file), '#!/bin/sh\n');
    chmodSync(join(dir, file), kind === 'executable' ? 0o755 : 0o644);
  }
  return dir;
}

describe.skipIf(process.platform === 'win32')('findChromium', () => {
  const empty = folder('empty', {});
  const chrome = folder('chrome', { 'google-chrome': 'executable' });
  const both = folder('both', { 'chromium-browser': 'executable', 'google-chrome': 'executable' });
  const notExecutable = folder('plain', { chromium: 'plain' });

  it('takes CHROMIUM_PATH as given', () => {
    const path = join(chrome, 'google-chrome');
    expect(findChromium({ CHROMIUM_PATH: path, PATH: both })).toBe(path);
    expect(findChromium({ CHROMIUM_PATH: join(empty, 'nothing'), PATH: both })).toBeUndefined();
  });

  it('finds the usual names on the PATH, in the order of the names', () => {
    expect(findChromium({ PATH: [empty, chrome, both].join(delimiter) })).toBe(
      join(both, 'chromium-browser'),
    );
    expect(findChromium({ PATH: [empty, chrome].join(delimiter) })).toBe(join(chrome, 'google-chrome'));
  });

  it('skips files that are not executable and folders named like a browser', () => {
    const named = folder('named', {});
    mkdirSync(join(named, 'chromium'));
    expect(findChromium({ PATH: [notExecutable, named, chrome].join(delimiter) })).toBe(
      join(chrome, 'google-chrome'),
    );
  });
});

describe.skipIf(process.platform === 'win32')('browserForTests', () => {
  const nowhere = { CHROMIUM_PATH: join(root, 'no-such-browser'), PATH: '' };

  it('uses the browser it finds', () => {
    const dir = folder('found', { chromium: 'executable' });
    expect(browserForTests({ PATH: dir })).toEqual({
      executablePath: join(dir, 'chromium'),
      skip: false,
      missing: '',
    });
  });

  it('skips with one line saying how to get a browser when there is none', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (const ci of [undefined, '', '0', 'false']) {
        expect(browserForTests({ ...nowhere, CI: ci })).toMatchObject({
          executablePath: undefined,
          skip: true,
        });
      }
      expect(warn).toHaveBeenCalledTimes(4);
      expect(warn.mock.calls[0]?.[0]).toMatch(
        /^browser tests skipped: .*no-such-browser.* — apt-get install chromium, or set CHROMIUM_PATH$/,
      );
      expect(warn.mock.calls[0]?.[0]).not.toContain('\n');
    } finally {
      warn.mockRestore();
    }
  });

  it('does not skip when CI is set, so the missing browser fails the run', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const result = browserForTests({ ...nowhere, CI: 'true' });
      expect(result).toMatchObject({ executablePath: undefined, skip: false });
      expect(result.missing).toMatch(/^CI is set and .* — apt-get install chromium, or set CHROMIUM_PATH$/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
