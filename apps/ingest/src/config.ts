import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the dashboard's build is looked for without `DASHBOARD_DIR`: `apps/dashboard/dist` of this
 * checkout. This module sits one folder below the package root both as source (`src/config.ts`) and
 * bundled (`dist/*.js`), so the same relative URL works for both.
 */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

/** Validated service configuration, read once at boot from the environment. */
export interface Config {
  /** Postgres connection string; `undefined` runs the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** Maximum connections in the postgres.js pool (`DATABASE_POOL_MAX`). */
  databasePoolMax: number;
  port: number;
  host: string;
  /** Redis connection string for shared rate-limit counters; `undefined` keeps counters in-process. */
  redisUrl: string | undefined;
  /** Requests allowed per key per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  logLevel: LogLevel;
  /** Folder of the embedded database. */
  dataDir: string;
  /**
   * Secrets that sign the login session cookie (`SESSION_SECRET`, comma-separated for rotation: the first
   * signs, every one verifies). `undefined`: the embedded database keeps a generated one in its data
   * folder; otherwise each process makes a random one (sessions then end at a restart).
   */
  sessionSecrets: string[] | undefined;
  /** Login attempts allowed per email per 15 minutes. */
  loginRateLimitMax: number;
  /** Login attempts allowed per client IP per 15 minutes. */
  loginRateLimitIpMax: number;
  /**
   * Which proxies' `X-Forwarded-For` / `X-Forwarded-Proto` to believe (`TRUST_PROXY`), as Fastify's
   * `trustProxy`: `false` (default), `true`, a hop count, or addresses / CIDR ranges. Decides the client
   * IP that login attempts are counted by, and https for the cookie's `Secure`.
   */
  trustProxy: boolean | number | string[];
  /**
   * How often the report rollups are refreshed, in ms (`REPORT_ROLLUP_INTERVAL_MS`, default 5 000; 0 turns
   * the refresher off in this process, e.g. on ingest-only instances when another instance runs it).
   * Reports are exact either way: days without fresh rollups are read from sessions.
   */
  reportRollupIntervalMs: number;
  /** Serve the dashboard at `/` and its login routes `/api/v1/auth/*` (`DASHBOARD`, default true). */
  dashboard: boolean;
  /**
   * The dashboard's built files (`DASHBOARD_DIR`, default {@link DEFAULT_DASHBOARD_DIR}), absolute; a
   * relative value is taken from where the command was typed, like `MBUZZ_DATA_DIR`.
   */
  dashboardDir: string;
}

/** Shortest accepted `SESSION_SECRET` (each, when several). */
export const MIN_SESSION_SECRET_LENGTH = 32;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A configuration value is missing or malformed. The message names the variable; no stack is needed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration.
 *
 * @example
 * const config = loadConfig(process.env); // throws ConfigError on a bad value
 */
export function loadConfig(env: Env = process.env): Config {
  const errors: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      errors.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    let parsed: URL | undefined;
    try {
      parsed = new URL(raw);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol)) {
      // Never echo the value: a connection string may contain a password.
      errors.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
    return raw;
  };

  const secrets = (name: string): string[] | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    // Never echo the value: it is a secret.
    if (list.length === 0 || list.some((s) => s.length < MIN_SESSION_SECRET_LENGTH)) {
      errors.push(
        `${name} must be at least ${MIN_SESSION_SECRET_LENGTH} characters (each one, when several are separated by commas)`,
      );
      return undefined;
    }
    return list;
  };

  const trustProxy = (name: string): boolean | number | string[] => {
    const raw = read(name);
    if (raw === undefined || raw.toLowerCase() === 'false') return false;
    if (raw.toLowerCase() === 'true') return true;
    if (/^\d+$/.test(raw)) return Number(raw);
    const list = raw.split(',').map((s) => s.trim());
    if (list.some((s) => !/^[0-9a-f:.]+(\/\d{1,3})?$/i.test(s))) {
      errors.push(
        `${name} must be true, false, a number of hops, or IP addresses / CIDR ranges separated by commas`,
      );
      return false;
    }
    return list;
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (/^(true|1)$/i.test(raw)) return true;
    if (/^(false|0)$/i.test(raw)) return false;
    errors.push(`${name} must be true or false (got "${raw.slice(0, 50)}")`);
    return fallback;
  };

  const logLevel = (read('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const config: Config = {
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolMax: int('DATABASE_POOL_MAX', 8, 1, 100),
    port: int('PORT', 3000, 0, 65535),
    host: read('HOST') ?? '127.0.0.1',
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    rateLimitMax: int('RATE_LIMIT_MAX', 1000, 1, 1_000_000_000),
    rateLimitWindowMs: int('RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    logLevel: logLevel as LogLevel,
    dataDir: read('MBUZZ_DATA_DIR') ?? '.mbuzz/data',
    sessionSecrets: secrets('SESSION_SECRET'),
    loginRateLimitMax: int('LOGIN_RATE_LIMIT_MAX', 10, 1, 1_000_000),
    loginRateLimitIpMax: int('LOGIN_RATE_LIMIT_IP_MAX', 100, 1, 1_000_000),
    trustProxy: trustProxy('TRUST_PROXY'),
    reportRollupIntervalMs: int('REPORT_ROLLUP_INTERVAL_MS', 5000, 0, 3_600_000),
    dashboard: bool('DASHBOARD', true),
    // Relative to where the command was typed (pnpm runs scripts in apps/ingest, with INIT_CWD set).
    dashboardDir: resolve(env.INIT_CWD || process.cwd(), read('DASHBOARD_DIR') ?? DEFAULT_DASHBOARD_DIR),
  };
  if (errors.length > 0) throw new ConfigError(`Invalid configuration:\n  ${errors.join('\n  ')}`);
  return config;
}
