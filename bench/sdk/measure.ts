import type { Subject } from './subjects.js';

/** Events per timed round: below mbuzz's largest batch (500), so no round triggers a send. */
export const ROUND_SIZE = 400;

/** Lets work an SDK defers to microtasks (or one macrotask turn) run, inside the timed region. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Untimed pause: lets pending timers and I/O callbacks of the previous subject run. */
export const quiesce = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

declare const gc: () => void;

export interface RoundTimes {
  /** ns per call: queueing only (deferred work included), nothing sent. */
  queue: number;
  /** ns per event: queueing plus the flush that sends the round to the local stub. */
  withFlush: number;
}

/** One round: `ROUND_SIZE` calls timed, then a flush timed separately. */
export async function timeRound(subject: Subject, afterQueueing?: () => void): Promise<RoundTimes> {
  subject.prepare(ROUND_SIZE);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUND_SIZE; i++) subject.call(i);
  await settle();
  const queued = process.hrtime.bigint();
  afterQueueing?.();
  await subject.flush();
  const flushed = process.hrtime.bigint();
  subject.release();
  return {
    queue: Number(queued - start) / ROUND_SIZE,
    withFlush: Number(flushed - start) / ROUND_SIZE,
  };
}

/**
 * Heap retained per queued event: `subjects.length × ROUND_SIZE` events held in queues, after full
 * GCs. Inputs are built after the baseline and dropped before the reading, so what an SDK keeps of
 * them counts and what it does not keep does not.
 */
export async function heapPerEvent(subjects: Subject[]): Promise<number> {
  const before = retainedHeap();
  for (const subject of subjects) {
    subject.prepare(ROUND_SIZE);
    for (let i = 0; i < ROUND_SIZE; i++) subject.call(i);
    subject.release();
  }
  await settle();
  await settle();
  const after = retainedHeap();
  return (after - before) / (subjects.length * ROUND_SIZE);
}

function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
