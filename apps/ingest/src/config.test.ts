import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DASHBOARD_DIR, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      databasePoolMax: 8,
      port: 3000,
      host: '127.0.0.1',
      redisUrl: undefined,
      rateLimitMax: 1000,
      rateLimitWindowMs: 60_000,
      logLevel: 'info',
      dataDir: '.mbuzz/data',
      sessionSecrets: undefined,
      loginRateLimitMax: 10,
      loginRateLimitIpMax: 100,
      trustProxy: false,
      reportRollupIntervalMs: 5000,
      dashboard: true,
      dashboardDir: fileURLToPath(new URL('../../dashboard/dist', import.meta.url)),
    });
    expect(DEFAULT_DASHBOARD_DIR).toMatch(/apps\/dashboard\/dist\/$/);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/mbuzz',
      DATABASE_POOL_MAX: '4',
      PORT: '8080',
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://cache:6379',
      RATE_LIMIT_MAX: '50',
      RATE_LIMIT_WINDOW_MS: '1000',
      LOG_LEVEL: 'DEBUG',
      MBUZZ_DATA_DIR: '/var/mbuzz',
      SESSION_SECRET: `${'a'.repeat(32)}, ${'b'.repeat(40)}`,
      LOGIN_RATE_LIMIT_MAX: '5',
      LOGIN_RATE_LIMIT_IP_MAX: '20',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      REPORT_ROLLUP_INTERVAL_MS: '0',
      DASHBOARD: 'FALSE',
      DASHBOARD_DIR: '/srv/mbuzz-dashboard/',
    });
    expect(config).toMatchObject({
      databasePoolMax: 4,
      port: 8080,
      logLevel: 'debug',
      dataDir: '/var/mbuzz',
      sessionSecrets: ['a'.repeat(32), 'b'.repeat(40)],
      loginRateLimitMax: 5,
      loginRateLimitIpMax: 20,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      reportRollupIntervalMs: 0,
      dashboard: false,
      dashboardDir: '/srv/mbuzz-dashboard',
    });
    expect(loadConfig({ DASHBOARD: 'true' }).dashboard).toBe(true);
    expect(loadConfig({ DASHBOARD_DIR: 'web/dist', INIT_CWD: '/home/me/mbuzz' }).dashboardDir).toBe(
      '/home/me/mbuzz/web/dist',
    );
    expect(loadConfig({ DASHBOARD: '0' }).dashboard).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it('lists every bad value in one ConfigError and never echoes a secret', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'abc',
        RATE_LIMIT_MAX: '-1',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://u:secret@x/db',
        SESSION_SECRET: 'too-short-secret',
        TRUST_PROXY: 'the load balancer',
        DASHBOARD: 'no',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT must be an integer');
    expect(message).toContain('RATE_LIMIT_MAX');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('DATABASE_URL must be a URL');
    expect(message).toContain('SESSION_SECRET must be at least 32 characters');
    expect(message).toContain('TRUST_PROXY must be');
    expect(message).toContain('DASHBOARD must be true or false (got "no")');
    expect(message).not.toContain('u:secret');
    expect(message).not.toContain('too-short-secret');
  });
});
