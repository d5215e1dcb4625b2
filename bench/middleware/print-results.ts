import type { Framework, Variant } from './bench-server.js';

/** Per framework and variant, one figure per round, and the same divided by that round's bare figure. */
export interface Samples {
  rps: Map<string, number[]>;
  rpsRatio: Map<string, number[]>;
  cpu: Map<string, number[]>;
  cpuRatio: Map<string, number[]>;
}

const median = (values: number[] = []) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
const LABEL: Record<Variant, string> = {
  'mbuzz-nosend': '@mbuzz (no send)',
  bare: 'bare',
  mbuzz: '@mbuzz',
  posthog: 'posthog-node',
  segment: 'segment',
};

/**
 * Prints the two tables (throughput ratio to bare, server CPU per request ratio to bare; medians of
 * the per-round ratios) and the verdict against the aim: mbuzz costs < 5% and < half of either peer.
 *
 * @example
 * printResults(samples, ['express'], ['bare', 'mbuzz', 'posthog', 'segment']);
 */
export function printResults(samples: Samples, frameworks: Framework[], variants: Variant[]): void {
  const others = variants.filter((v) => v !== 'bare');
  const header = (first: string) =>
    `${'framework'.padEnd(10)}${first.padStart(13)}${others.map((v) => LABEL[v].padStart(20)).join('')}`;

  console.log('\nthroughput, median of per-round ratios to bare (cost = throughput lost):\n');
  console.log(header('bare req/s'));
  for (const f of frameworks) {
    const cells = others.map((v) => {
      const ratio = median(samples.rpsRatio.get(`${f}/${v}`));
      return `${ratio.toFixed(3)} (-${percent(1 - ratio)})`.padStart(20);
    });
    console.log(
      `${f.padEnd(10)}${String(Math.round(median(samples.rps.get(`${f}/bare`)))).padStart(13)}${cells.join('')}`,
    );
  }

  console.log('\nserver CPU time per request, median of per-round ratios to bare (cost = extra CPU):\n');
  console.log(header('bare µs/req'));
  for (const f of frameworks) {
    const cells = others.map((v) => {
      const ratio = median(samples.cpuRatio.get(`${f}/${v}`));
      return `${ratio.toFixed(3)} (+${percent(ratio - 1)})`.padStart(20);
    });
    console.log(
      `${f.padEnd(10)}${median(samples.cpu.get(`${f}/bare`))
        .toFixed(1)
        .padStart(13)}${cells.join('')}`,
    );
  }

  if (!variants.includes('mbuzz')) return;
  console.log('\naim: @mbuzz costs under 5% of bare and under half of what either peer costs\n');
  for (const f of frameworks) {
    const rpsCost = (v: Variant) => 1 - median(samples.rpsRatio.get(`${f}/${v}`));
    const cpuCost = (v: Variant) => median(samples.cpuRatio.get(`${f}/${v}`)) - 1;
    const peers = others.filter((v) => v === 'posthog' || v === 'segment');
    const verdict = (cost: (v: Variant) => number, what: string) =>
      `${what} ${percent(cost('mbuzz'))}: ${cost('mbuzz') < 0.05 ? 'meets' : 'MISSES'} < 5%, ` +
      (peers.length === 0
        ? 'no peer measured'
        : `${peers.every((p) => cost('mbuzz') < cost(p) / 2) ? 'meets' : 'MISSES'} < half of ` +
          peers.map((p) => `${LABEL[p]} ${percent(cost(p))}`).join(' / '));
    console.log(`${f.padEnd(8)} ${verdict(rpsCost, 'throughput lost')}`);
    console.log(`${''.padEnd(8)} ${verdict(cpuCost, 'CPU added     ')}`);
  }
}
