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
