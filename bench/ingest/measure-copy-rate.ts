import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql, TransactionSql } from 'postgres';
import type { PageView, PageViewSource } from './page-view-source.js';

export interface CopyRate {
  events: number;
  visitors: number;
  sessions: number;
  seconds: number;
  eventsPerSecond: number;
}

interface Partition {
  events: string[];
  visitors: string[];
  sessions: string[];
  eventCount: number;
  visitorCount: number;
  sessionCount: number;
}

const CHUNK_BYTES = 256 * 1024;
const COPY_TIMEOUT_MS = 120_000;

/**
 * The write limit of this machine for the ingest tables: `events` page views with their visitor and
 * session rows (the same rows the service writes, first touch included) streamed with `COPY … FROM
 * STDIN` into the same tables, by `workers` connections in parallel (each its own slice of visitors, in
 * one transaction). The rows are generated before the clock starts, so only Postgres is timed.
 *
 * @example
 * const { eventsPerSecond } = await measureCopyRate(sql, source, { accountId, events: 200_000, workers: 2 });
 */
export async function measureCopyRate(
  sql: Sql,
  source: PageViewSource,
  options: { accountId: string; events: number; workers: number },
): Promise<CopyRate> {
  const partitions = buildPartitions(source, options);
  const started = performance.now();
  await Promise.all(
    partitions.map((p) =>
      sql.begin(async (tx) => {
        await copy(tx, 'visitors (account_id, visitor_id, first_seen_at, last_seen_at, is_test)', p.visitors);
        await copy(
          tx,
          'sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count, ' +
            'initial_utm, initial_referrer, landing_url, is_test)',
          p.sessions,
        );
        await copy(
          tx,
          'events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, properties, is_test)',
          p.events,
        );
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const sum = (pick: (p: Partition) => number) => partitions.reduce((n, p) => n + pick(p), 0);
  return {
    events: sum((p) => p.eventCount),
    visitors: sum((p) => p.visitorCount),
    sessions: sum((p) => p.sessionCount),
    seconds,
    eventsPerSecond: sum((p) => p.eventCount) / seconds,
  };
}

async function copy(sql: TransactionSql, target: string, chunks: string[]): Promise<void> {
  const writable = await sql.unsafe(`COPY ${target} FROM STDIN`).writable();
  // postgres.js leaves the stream pending when the server rejects a row (e.g. a duplicate key).
  await pipeline(Readable.from(chunks), writable, { signal: AbortSignal.timeout(COPY_TIMEOUT_MS) });
}

function buildPartitions(
  source: PageViewSource,
  options: { accountId: string; events: number; workers: number },
): Partition[] {
  const byPartition = Array.from({ length: options.workers }, () => ({
    events: [] as PageView[],
    visitors: new Map<string, { first: string; last: string }>(),
    sessions: new Map<string, { visitorId: string; first: PageView; last: string; views: number }>(),
  }));
  for (let i = 0; i < options.events; i++) {
    const e = source.next();
    // By visitor, so that no visitor or session row is written by two workers.
    const part = byPartition[Number.parseInt(e.visitorId.slice(8, 16), 16) % options.workers];
    if (!part) continue;
    part.events.push(e);
    const v = part.visitors.get(e.visitorId);
    if (!v) part.visitors.set(e.visitorId, { first: e.timestamp, last: e.timestamp });
    else {
      if (e.timestamp < v.first) v.first = e.timestamp;
      if (e.timestamp > v.last) v.last = e.timestamp;
    }
    const s = part.sessions.get(e.sessionId);
    if (!s) part.sessions.set(e.sessionId, { visitorId: e.visitorId, first: e, last: e.timestamp, views: 1 });
    else {
      s.views += 1;
      if (e.timestamp < s.first.timestamp) s.first = e;
      if (e.timestamp > s.last) s.last = e.timestamp;
    }
  }

  const a = options.accountId;
  return byPartition.map((part) => {
    const visitors = [...part.visitors].map(([id, v]) => `${a}\t${id}\t${v.first}\t${v.last}\tf\n`);
    const sessions = [...part.sessions].map(([id, s]) => {
      const page = source.pages[s.first.page];
      return (
        `${a}\t${id}\t${s.visitorId}\t${s.first.timestamp}\t${s.last}\t${s.views}\t` +
        `${copyText(JSON.stringify(page?.utm ?? {}))}\t${copyText(page?.referrer ?? '')}\t${copyText(page?.url ?? '')}\tf\n`
      );
    });
    const events = part.events.map(
      (e) =>
        `${a}\t${e.eventId}\t${e.visitorId}\t${e.sessionId}\tpage_view\t${e.timestamp}\t` +
        `${copyText(source.pages[e.page]?.propertiesJson ?? '{}')}\tf\n`,
    );
    return {
      events: chunk(events),
      visitors: chunk(visitors),
      sessions: chunk(sessions),
      eventCount: events.length,
      visitorCount: visitors.length,
      sessionCount: sessions.length,
    };
  });
}

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
function copyText(value: string): string {
  return value.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  );
}

function chunk(lines: string[]): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    current += line;
    if (current.length >= CHUNK_BYTES) {
      chunks.push(current);
      current = '';
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
