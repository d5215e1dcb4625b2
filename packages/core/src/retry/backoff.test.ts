import { describe, expect, it } from 'vitest';
import { backoffDelayMs, exponentialCeiling, queueTicksToSkip } from './backoff.js';

describe('backoff', () => {
  it('grows both layers by min(max, base·2^attempt)', () => {
    expect([0, 1, 2, 3, 10, 60].map((n) => exponentialCeiling(n, 500, 30_000))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000,
    ]);
  });

  it('transport: a full-jitter wait below the ceiling', () => {
    expect(backoffDelayMs(2, 500, 30_000, () => 0)).toBe(0);
    expect(backoffDelayMs(2, 500, 30_000, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(2, 500, 30_000, () => 0.999_999)).toBe(1999);
  });

  it('queue: skips 0, 1, 3, 7… ticks after failures in a row, up to about five minutes', () => {
    expect([1, 2, 3, 4, 5].map((failures) => queueTicksToSkip(failures, 30_000))).toEqual([0, 1, 3, 7, 10]);
    expect(queueTicksToSkip(100, 30_000)).toBe(10);
    expect(queueTicksToSkip(100, 1000)).toBe(300);
  });
});
