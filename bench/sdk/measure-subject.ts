/**
 * Child process of run.ts: measures ONE SDK (its index in SUBJECTS) against the stub at argv[3] and
 * prints one JSON line. Each SDK gets its own process so its garbage, GC pauses and CPU time are its
 * own: in a shared heap, a GC one SDK made due lands in whichever SDK runs next.
 */
import { heapPerEvent, median, quiesce, timeRound } from './measure.js';
import { SUBJECTS, type Subject } from './subjects.js';

export interface SubjectResult {
  name: string;
  /** Median CPU ns per call, queueing only. */
  queue: number;
  /** Median CPU ns per event, queueing plus flush. */
  withFlush: number;
  /** Retained heap bytes per queued event. */
  bytes: number;
  /** Requests the stub received while queueing was measured (must be 0). */
  sentWhileQueueing: number;
}

const WARMUP_ROUNDS = 30;
const ROUNDS = 100;
const HEAP_CLIENTS = 25;

const factory = SUBJECTS[Number(process.argv[2])];
const stubUrl = process.argv[3];
if (factory === undefined || stubUrl === undefined)
  throw new Error('usage: measure-subject <index> <stubUrl>');

async function stubRequests(): Promise<number> {
  const response = await fetch(`${stubUrl}/__requests`);
  return Number(await response.text());
}

const subject = factory.create(stubUrl);
const queue: number[] = [];
const withFlush: number[] = [];
let sentWhileQueueing = 0;
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  await quiesce();
  const before = await stubRequests();
  const times = await timeRound(subject, async () => {
    sentWhileQueueing += (await stubRequests()) - before;
  });
  if (round >= WARMUP_ROUNDS) {
    queue.push(times.queue);
    withFlush.push(times.withFlush);
  }
}
await subject.close();

// Heap: fresh clients, created and warmed before the baseline.
const clients: Subject[] = Array.from({ length: HEAP_CLIENTS }, () => factory.create(stubUrl));
for (const client of clients) {
  client.prepare(1);
  client.call(0);
  client.release();
  await client.flush();
}
const bytes = await heapPerEvent(clients);
for (const client of clients) await client.close();

const result: SubjectResult = {
  name: factory.name,
  queue: median(queue),
  withFlush: median(withFlush),
  bytes,
  sentWhileQueueing,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
