import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_SESSION_SECRET_LENGTH } from '../config.js';

/** File in the embedded database's data folder that keeps the generated session secret. */
export const SESSION_SECRET_FILE = 'session-secret';

/** A new random secret: 256 bits, base64url. */
export const randomSessionSecret = (): string => randomBytes(32).toString('base64url');

/**
 * The session secret kept in `dir` (the embedded database's data folder), made on first use, so demo
 * logins survive a restart without any configuration. Only for the embedded database: a production
 * service sets `SESSION_SECRET`.
 *
 * @example
 * const secret = loadOrCreateSessionSecret('/repo/.mbuzz/data');
 */
export function loadOrCreateSessionSecret(dir: string): string {
  const path = join(dir, SESSION_SECRET_FILE);
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= MIN_SESSION_SECRET_LENGTH) return stored;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const secret = randomSessionSecret();
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
