import type { Subject } from './subjects.js';

/** Events per timed round: below mbuzz's largest batch (500), so no round triggers a send. */
export const ROUND_SIZE = 400;

/**
 * Lets the work an SDK defers (microtasks, immediates, short timers) run inside the measured region.
 * Waiting is free: the measure is CPU time, not wall time.
 */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setTimeout(resolve, 5));
  await new Promise<void>((resolve) => setImmediate(resolve));
}

declare const gc: () => void;

/** Untimed pause between rounds: lets timers and I/O callbacks left by the last flush run. */
export const quiesce = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

export interface RoundTimes {
  /** CPU ns per call: queueing only (deferred work included), nothing sent. */
  queue: number;
  /** CPU ns per event: queueing plus the flush that sends the round to the local stub. */
  withFlush: number;
}

/**
 * CPU time of this process in ns (all its threads: GC helpers count, as they are part of the cost).
 * CPU time rather than wall time: on a shared machine wall time mostly measures the other processes.
 */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/**
 * One round: `ROUND_SIZE` calls measured, then (unmeasured) `afterQueueing`, then the flush measured.
 */
export async function timeRound(subject: Subject, afterQueueing?: () => Promise<void>): Promise<RoundTimes> {
  subject.prepare(ROUND_SIZE);
  const start = cpuNs();
  for (let i = 0; i < ROUND_SIZE; i++) subject.call(i);
  await settle();
  const queued = cpuNs();
  await afterQueueing?.();
  const flushStart = cpuNs();
  await subject.flush();
  await settle();
  const flushed = cpuNs();
  subject.release();
  return {
    queue: (queued - start) / ROUND_SIZE,
    withFlush: (queued - start + flushed - flushStart) / ROUND_SIZE,
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
