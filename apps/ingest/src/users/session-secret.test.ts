import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSessionSecret, SESSION_SECRET_FILE } from './session-secret.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateSessionSecret', () => {
  it('makes a secret once, readable only by its owner, and returns the same one after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'mbuzz-secret-'));
    const first = loadOrCreateSessionSecret(dir);
    expect(first).toMatch(/^[\w-]{43}$/);
    expect(statSync(join(dir, SESSION_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSessionSecret(dir)).toBe(first);
  });

  it('replaces a file too short to be a secret', () => {
    dir = mkdtempSync(join(tmpdir(), 'mbuzz-secret-'));
    writeFileSync(join(dir, SESSION_SECRET_FILE), 'short\n');
    const secret = loadOrCreateSessionSecret(dir);
    expect(secret).toHaveLength(43);
    expect(readFileSync(join(dir, SESSION_SECRET_FILE), 'utf8')).toBe(`${secret}\n`);
  });
});
