import { readFileSync } from 'node:fs';
import type { Sql } from 'postgres';

/** CPU seconds (user + system) spent so far by each side of the HTTP benchmark. */
export interface CpuSnapshot {
  service: number;
  postgres: number;
  loadGenerator: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * Reads the CPU time of the service process, of the Postgres backends serving `database`, and of this
 * process (the load generator), from /proc. Linux only: elsewhere every figure is NaN. Postgres's
 * shared background processes (WAL writer, checkpointer) are not included.
 *
 * @example
 * const before = await cpuSnapshot(sql, service.process.pid, 'mbuzz_bench');
 */
export async function cpuSnapshot(
  sql: Sql,
  servicePid: number | undefined,
  database: string,
): Promise<CpuSnapshot> {
  const own = process.cpuUsage();
  const backends = await sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid()`;
  return {
    service: servicePid === undefined ? Number.NaN : procCpuSeconds(servicePid),
    postgres: backends.reduce((sum, b) => sum + procCpuSeconds(b.pid), 0),
    loadGenerator: (own.user + own.system) / 1e6,
  };
}

function procCpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesized command name; utime and stime are the 14th and 15th fields.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
