import type { Sql } from 'postgres';
import { isConnectionError } from '../db/is-connection-error.js';
import {
  type IngestInput,
  type IngestResult,
  ingestPrepared,
  type PreparedBatch,
  prepareBatch,
} from './ingest-events.js';
import { WriterBusyError } from './writer-busy-error.js';

export interface BatchWriterOptions {
  sql: Sql;
  /** Statements in flight at once; match the pool size. */
  maxConcurrent: number;
  /** Upper bound on events merged into one statement. */
  maxEventsPerStatement?: number;
  /** How long a batch may wait for a free slot before it is answered 503 (retryable). */
  queueTimeoutMs?: number;
  /** Bound on waiting events, so overload turns into quick 503s instead of growing memory. */
  maxQueuedEvents?: number;
}

interface Job {
  /** The batch as rows: the validated events are not kept while it waits. */
  batch: PreparedBatch;
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * Group commit for ingestion. While fewer than `maxConcurrent` statements run, a batch is written at once,
 * alone — no added latency. When every slot is busy, arriving batches wait, and the next free slot
 * writes all of them (up to `maxEventsPerStatement`) in ONE statement and one commit, which is where the
 * per-statement cost (round trip, executor start-up, WAL flush) is paid once for many batches.
 * Each caller still gets its own result, only after the commit that stored its events.
 *
 * @example
 * const writer = createBatchWriter({ sql, maxConcurrent: 8 });
 * const { accepted, duplicates } = await writer.write({ account, environment: 'live', events });
 */
export function createBatchWriter(options: BatchWriterOptions) {
  const maxEvents = options.maxEventsPerStatement ?? 2000;
  const queueTimeoutMs = options.queueTimeoutMs ?? 2000;
  const maxQueuedEvents = options.maxQueuedEvents ?? 50_000;
  const queue: Job[] = [];
  let queuedEvents = 0;
  let running = 0;

  const take = (): Job[] => {
    const group: Job[] = [];
    let events = 0;
    while (queue.length > 0) {
      const next = queue[0] as Job;
      const size = next.batch.events;
      if (group.length > 0 && events + size > maxEvents) break;
      queue.shift();
      queuedEvents -= size;
      clearTimeout(next.timer);
      group.push(next);
      events += size;
    }
    return group;
  };

  const settle = (group: Job[], results: IngestResult[]) =>
    group.forEach((job, n) => {
      job.resolve(results[n] as IngestResult);
    });

  const execute = async (group: Job[]): Promise<void> => {
    try {
      settle(
        group,
        await ingestPrepared(
          { sql: options.sql },
          group.map((job) => job.batch),
        ),
      );
    } catch (error) {
      if (group.length === 1 || isConnectionError(error)) {
        for (const job of group) job.reject(error);
        return;
      }
      // Not a connection problem: write each batch alone, so one batch's failure stays its own.
      for (const job of group) {
        try {
          settle([job], await ingestPrepared({ sql: options.sql }, [job.batch]));
        } catch (single) {
          job.reject(single);
        }
      }
    }
  };

  const pump = (): void => {
    while (running < options.maxConcurrent && queue.length > 0) {
      const group = take();
      running += 1;
      execute(group).finally(() => {
        running -= 1;
        pump();
      });
    }
  };

  return {
    /** Stores one batch; resolves after its commit, rejects with a {@link WriterBusyError} when overloaded. */
    async write(input: IngestInput): Promise<IngestResult> {
      if (input.events.length === 0) return { accepted: 0, duplicates: 0 };
      if (queuedEvents + input.events.length > maxQueuedEvents) throw new WriterBusyError();
      const batch = prepareBatch(input);
      const size = batch.events;
      return new Promise<IngestResult>((resolve, reject) => {
        const job: Job = {
          batch,
          resolve,
          reject,
          timer: setTimeout(() => {
            const at = queue.indexOf(job);
            if (at === -1) return;
            queue.splice(at, 1);
            queuedEvents -= size;
            reject(new WriterBusyError());
          }, queueTimeoutMs).unref(),
        };
        queue.push(job);
        queuedEvents += size;
        pump();
      });
    },
    /** Statements running now (for tests and metrics). */
    get running() {
      return running;
    },
  };
}

export type BatchWriter = ReturnType<typeof createBatchWriter>;
