import type { CpuSnapshot } from './cpu-time.js';
import type { CopyRate } from './measure-copy-rate.js';
import type { HttpRate } from './measure-http-rate.js';

const n = (value: number) => Math.round(value).toLocaleString('en-US');

/**
 * Prints the bench:ingest table and the checks; returns false when a check failed (stored ≠ accepted,
 * duplicates where every event was fresh, or answers other than 202).
 */
export function printIngestResults(r: {
  full: HttpRate;
  half: HttpRate;
  copy: CopyRate;
  /** CPU ms per 1,000 events at full load. */
  cpu: CpuSnapshot;
  /** Postgres CPU ms per 1,000 events during the COPY. */
  copyPostgresCpu: number;
  stored: number;
  accepted: number;
  duplicates: number;
  connections: number;
  rounds: number;
  machine: string;
  elapsedSeconds: number;
}): boolean {
  const ratio = r.full.eventsPerSecond / r.copy.eventsPerSecond;
  const failures = [r.full, r.half].flatMap((m) => [
    ...Object.entries(m.otherStatuses).map(([status, count]) => `${count} answers ${status}`),
    ...(m.errors ? [`${m.errors} connection errors`] : []),
  ]);
  const rows: [string, string][] = [
    [
      `HTTP end to end (${r.connections} connections, ${r.full.seconds.toFixed(1)} s in ${r.rounds} rounds)`,
      `${n(r.full.eventsPerSecond)} events/s (${n(r.full.requestsPerSecond)} requests/s)`,
    ],
    [
      `raw COPY, same tables (${n(r.copy.events)} events, ${n(r.copy.visitors)} visitors, ${n(r.copy.sessions)} sessions)`,
      `${n(r.copy.eventsPerSecond)} events/s`,
    ],
    ['ratio HTTP / COPY', ratio.toFixed(2)],
    [
      `half load (${n(r.half.requestsPerSecond)} requests/s = ${n(r.half.eventsPerSecond)} events/s)`,
      `p50 ${r.half.latencyP50Ms} ms, p99 ${r.half.latencyP99Ms} ms`,
    ],
    ['at full load', `p50 ${r.full.latencyP50Ms} ms, p99 ${r.full.latencyP99Ms} ms (worst round)`],
    [
      'CPU per 1,000 events at full load',
      `service ${r.cpu.service.toFixed(1)} ms, Postgres backends ${r.cpu.postgres.toFixed(1)} ms, ` +
        `load generator ${r.cpu.loadGenerator.toFixed(1)} ms`,
    ],
    ['Postgres CPU per 1,000 events during COPY', `${r.copyPostgresCpu.toFixed(1)} ms`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    '',
    `bench:ingest — ${r.machine}, batches of 50 page views`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
  ];
  const stored = r.stored === r.accepted && r.duplicates === 0;
  lines.push(
    stored
      ? `  check: ${n(r.stored)} events stored = ${n(r.accepted)} accepted, 0 duplicates  ok`
      : `  check FAILED: ${n(r.stored)} events stored, ${n(r.accepted)} accepted, ${n(r.duplicates)} duplicates`,
  );
  lines.push(
    failures.length ? `  check FAILED: ${failures.join(', ')}` : '  check: every answer was 202  ok',
  );
  const aims = [
    `≥ 25,000 events/s end to end: ${r.full.eventsPerSecond >= 25_000 ? 'met' : 'MISSED'}`,
    `p99 ≤ 50 ms at half load: ${r.half.latencyP99Ms <= 50 ? 'met' : 'MISSED'}`,
  ];
  lines.push(`  aims: ${aims.join('; ')}`, `  (whole run ${Math.round(r.elapsedSeconds)} s)`, '');
  process.stdout.write(lines.join('\n'));
  return stored && failures.length === 0;
}
