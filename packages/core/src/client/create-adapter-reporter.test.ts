import { afterEach, describe, expect, it, vi } from 'vitest';
import { isMbuzzError } from '../errors.js';
import type { MbuzzError } from '../types.js';
import { createAdapterReporter } from './create-adapter-reporter.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createAdapterReporter', () => {
  it('sends an internal MbuzzError naming the adapter to the logger and onError', () => {
    const errors: MbuzzError[] = [];
    const warn = vi.fn();
    const report = createAdapterReporter(
      { logger: { warn, error() {} }, onError: (error) => errors.push(error) },
      'Koa',
    );
    const cause = new Error('boom');
    report(cause);

    expect(warn).toHaveBeenCalledWith('[mbuzz] the Koa adapter failed', cause);
    expect(errors).toHaveLength(1);
    expect(isMbuzzError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ code: 'internal', message: '[mbuzz] the Koa adapter failed', cause });
  });

  it('says what failed when told', () => {
    const errors: MbuzzError[] = [];
    const warn = vi.fn();
    const report = createAdapterReporter(
      { logger: { warn, error() {} }, onError: (e) => errors.push(e) },
      'Next.js',
    );
    report('outside a request', 'track() failed');
    expect(warn).toHaveBeenCalledWith('[mbuzz] track() failed', 'outside a request');
    expect(errors[0]).toMatchObject({ code: 'internal', message: '[mbuzz] track() failed' });
  });

  it('warns on the console without a logger', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createAdapterReporter({}, 'Express')('x');
    expect(warn).toHaveBeenCalledWith('[mbuzz] the Express adapter failed', 'x');
  });

  it('never throws, whatever the logger and onError do', () => {
    const onError = vi.fn(() => {
      throw new Error('onError down');
    });
    const report = createAdapterReporter(
      {
        logger: {
          warn() {
            throw new Error('logger down');
          },
          error() {},
        },
        onError,
      },
      'Express',
    );
    expect(() => report(new Error('boom'))).not.toThrow();
    expect(onError).toHaveBeenCalledTimes(1);
  });
});
