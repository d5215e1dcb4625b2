import { describe, expect, it } from 'vitest';
import { bootstrapStandardError, percentile } from './percentile.js';

const mean = (samples: readonly number[]) => samples.reduce((sum, v) => sum + v, 0) / samples.length;
const variance = (samples: readonly number[]) => {
  const m = mean(samples);
  return samples.reduce((sum, v) => sum + (v - m) ** 2, 0) / (samples.length - 1);
};

describe('percentile and its bootstrap standard error', () => {
  it('takes the nearest rank', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([4, 1, 3, 2], 99)).toBe(4);
    expect(percentile([], 99)).toBeNaN();
  });

  it('matches the textbook standard error of a difference of means, and is the same for the same samples', () => {
    // Two samples with known spread (deterministic, uniform-like): SE(mean a − mean b) = √(s²a/na + s²b/nb).
    const a = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 2000) / 100);
    const b = Array.from({ length: 3000 }, (_, i) => ((i * 104729) % 3000) / 50);
    const expected = Math.sqrt(variance(a) / a.length + variance(b) / b.length);
    const se = bootstrapStandardError(a, b, (x, y) => mean(x) - mean(y));
    expect(se).toBeGreaterThan(expected * 0.85);
    expect(se).toBeLessThan(expected * 1.15);
    expect(bootstrapStandardError(a, b, (x, y) => mean(x) - mean(y))).toBe(se);
    // Constant samples have no sampling error at all.
    expect(bootstrapStandardError([2, 2, 2], [1, 1], (x, y) => percentile(x, 99) - percentile(y, 99))).toBe(
      0,
    );
  });
});
