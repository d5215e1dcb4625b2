import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryTransport } from '../testing/create-memory-transport.js';
import { DEFAULT_API_URL, DEFAULT_SKIP_PATHS } from './defaults.js';
import { resolveOptions } from './resolve-options.js';

const KEY = `sk_test_${'0123456789abcdef'.repeat(2)}`;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe('resolveOptions', () => {
  it('defaults', () => {
    const config = resolveOptions({ apiKey: KEY });
    expect(config).toMatchObject({
      enabled: true,
      apiKey: KEY,
      apiUrl: DEFAULT_API_URL,
      batchSize: 50,
      flushIntervalMs: 30_000,
      maxQueueSize: 10_000,
      maxQueueBytes: 10 * 1024 * 1024,
      requestTimeoutMs: 10_000,
      maxRetries: 5,
      warnings: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.skipPaths).toEqual(DEFAULT_SKIP_PATHS);
  });

  it('reads MBUZZ_API_KEY and MBUZZ_API_URL; options win over them', () => {
    vi.stubEnv('MBUZZ_API_KEY', KEY);
    vi.stubEnv('MBUZZ_API_URL', 'https://ingest.example/api/v1/');
    expect(resolveOptions()).toMatchObject({
      enabled: true,
      apiKey: KEY,
      apiUrl: 'https://ingest.example/api/v1',
    });
    expect(resolveOptions({ apiUrl: 'http://other.example/api/v1' }).apiUrl).toBe(
      'http://other.example/api/v1',
    );
  });

  it('works without `process` (Edge)', () => {
    vi.stubGlobal('process', undefined);
    expect(resolveOptions({ apiKey: KEY }).enabled).toBe(true);
    expect(resolveOptions().disabledReason).toMatch(/no API key/);
  });

  it.each([
    [undefined, /no API key/],
    ['', /no API key/],
    ['sk_prod_0123456789abcdef0123456789abcdef', /malformed/],
    ['sk_test_0123456789ABCDEF0123456789ABCDEF', /malformed/],
    ['sk_test_0123', /malformed/],
  ])('key %j disables the client', (apiKey, reason) => {
    vi.stubEnv('MBUZZ_API_KEY', undefined as unknown as string);
    const config = resolveOptions({ apiKey });
    expect(config.enabled).toBe(false);
    expect(config.disabledReason).toMatch(reason);
    expect(config.apiKey).toBeUndefined();
  });

  it('a key with surrounding spaces is accepted (copied from a dashboard)', () => {
    expect(resolveOptions({ apiKey: ` ${KEY}\n` }).apiKey).toBe(KEY);
  });

  it('an injected transport needs no key', () => {
    const config = resolveOptions({ transport: createMemoryTransport() });
    expect(config.enabled).toBe(true);
    expect(config.disabledReason).toBeUndefined();
  });

  it('a bad apiUrl disables the client', () => {
    expect(resolveOptions({ apiKey: KEY, apiUrl: 'ftp://x' }).disabledReason).toMatch(/apiUrl/);
    expect(resolveOptions({ apiKey: KEY, apiUrl: 'not a url' }).enabled).toBe(false);
  });

  it('invalid numbers fall back to defaults with a warning', () => {
    const config = resolveOptions({
      apiKey: KEY,
      batchSize: 0,
      flushIntervalMs: -1,
      maxQueueSize: 1.5,
      maxRetries: Number.NaN,
      requestTimeoutMs: '5' as unknown as number,
    });
    expect(config).toMatchObject({
      enabled: true,
      batchSize: 50,
      flushIntervalMs: 30_000,
      maxQueueSize: 10_000,
      maxRetries: 5,
      requestTimeoutMs: 10_000,
    });
    expect(config.warnings).toHaveLength(5);
    expect(resolveOptions({ apiKey: KEY, batchSize: 501 }).batchSize).toBe(50);
    expect(resolveOptions({ apiKey: KEY, maxRetries: 0 }).maxRetries).toBe(0);
  });

  it('skipPaths and skipExtensions add to the defaults, normalized', () => {
    const config = resolveOptions({
      apiKey: KEY,
      skipPaths: ['admin/', '/', ''],
      skipExtensions: ['.CSV', 'svg'],
    });
    expect(config.skipPaths).toContain('/admin');
    expect(config.skipPaths).toContain('/up');
    expect(config.skipPaths).not.toContain('/');
    expect(config.skipExtensions).toContain('csv');
    expect(config.warnings).toHaveLength(2);
  });

  it('garbage options never throw', () => {
    expect(() => resolveOptions(null as never)).not.toThrow();
    expect(() => resolveOptions('x' as never)).not.toThrow();
    expect(
      resolveOptions({ apiKey: KEY, logger: {} as never, transport: {} as never, fetch: 1 as never })
        .warnings,
    ).toHaveLength(2);
  });
});
