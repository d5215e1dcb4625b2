/**
 * The p-th percentile (0–100) by nearest rank; NaN for no samples. Sorts a copy.
 *
 * @example
 * percentile([1, 2, 3, 4], 99) // 4
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Milliseconds rounded to 0.01, for reports. */
export const roundMs = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * The standard error of `statistic(a, b)` estimated by the bootstrap: `rounds` times, both samples are
 * resampled with replacement (a seeded generator, so a run is reproducible from its samples) and the
 * statistic computed again; the answer is the standard deviation of those values. A tail percentile of
 * a few thousand latencies moves by a large fraction between two runs of the very same process; this
 * says by how much, from the run's own samples.
 *
 * @example
 * const se = bootstrapStandardError(down, up, (d, u) => percentile(d, 99) - percentile(u, 99));
 */
export function bootstrapStandardError(
  a: readonly number[],
  b: readonly number[],
  statistic: (a: readonly number[], b: readonly number[]) => number,
  rounds = 400,
): number {
  let seed = 0x9e3779b9;
  // mulberry32: small, fast, good enough for resampling indexes.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resample = (samples: readonly number[]) =>
    Array.from(samples, () => samples[Math.floor(random() * samples.length)] as number);
  const values: number[] = [];
  for (let round = 0; round < rounds; round++) values.push(statistic(resample(a), resample(b)));
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}
