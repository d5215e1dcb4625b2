/**
 * pnpm bench:sdk — the cost of queueing one page view in mbuzz, posthog-node and
 * @segment/analytics-node, side by side in one run, each pointed at a local stub server (no network)
 * with settings under which nothing is sent while queueing is timed. See bench/README.md.
 */
import { heapPerEvent, median, quiesce, ROUND_SIZE, timeRound } from './measure.js';
import { startStubServer } from './stub-server.js';
import { SUBJECTS, type Subject } from './subjects.js';

const WARMUP_ROUNDS = 40;
const ROUNDS = 150;
const HEAP_CLIENTS = 25;
const AIM_NS = 1000;
const AIM_BYTES = 1024;
const AIM_RATIO = 3;

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('run with node --expose-gc (pnpm bench:sdk does)');
  process.exit(1);
}

const stub = await startStubServer();
const startedAt = Date.now();

// Timing: rounds interleaved across SDKs, so drift (CPU contention, JIT) hits all of them alike.
const timed = SUBJECTS.map((factory) => ({
  factory,
  subject: factory.create(stub.url),
  queue: [] as number[],
  withFlush: [] as number[],
}));
let sentWhileQueueing = 0;
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  // Rotating the order, and pausing between subjects (untimed), keeps one SDK's leftover async work
  // (timers, socket callbacks after a flush) from landing in the next one's timed region.
  for (let k = 0; k < timed.length; k++) {
    const entry = timed[(round + k) % timed.length] as (typeof timed)[number];
    await quiesce();
    const before = stub.requests();
    const times = await timeRound(entry.subject, () => {
      sentWhileQueueing += stub.requests() - before;
    });
    if (round >= WARMUP_ROUNDS) {
      entry.queue.push(times.queue);
      entry.withFlush.push(times.withFlush);
    }
  }
}
for (const entry of timed) await entry.subject.close();

// Heap: a fresh set of clients per SDK, created and warmed before the baseline.
const heap = new Map<string, number>();
for (const factory of SUBJECTS) {
  const clients: Subject[] = Array.from({ length: HEAP_CLIENTS }, () => factory.create(stub.url));
  for (const client of clients) {
    client.prepare(1);
    client.call(0);
    client.release();
    await client.flush();
  }
  heap.set(factory.name, await heapPerEvent(clients));
  for (const client of clients) await client.close();
}
await stub.close();

const rows = timed.map(({ factory, queue, withFlush }) => ({
  name: factory.name,
  queue: median(queue),
  withFlush: median(withFlush),
  bytes: heap.get(factory.name) ?? Number.NaN,
}));
const base = rows[0] as (typeof rows)[number];
const cell = (x: number, width = 10) => x.toFixed(0).padStart(width);
const ratio = (x: number) => `${x.toFixed(1)}×`.padStart(7);

console.log(
  `\nbench:sdk — queue one page view · node ${process.version} · ${ROUNDS} rounds × ${ROUND_SIZE} calls ` +
    `(median of rounds) · heap over ${HEAP_CLIENTS * ROUND_SIZE} queued events\n`,
);
console.log(
  `${'SDK'.padEnd(42)}${'ns/op'.padStart(10)}${'+flush'.padStart(10)}${'B/event'.padStart(10)}` +
    `${'×ns/op'.padStart(7)}${'×flush'.padStart(7)}${'×heap'.padStart(7)}`,
);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(42)}${cell(row.queue)}${cell(row.withFlush)}${cell(row.bytes)}` +
      `${ratio(row.queue / base.queue)}${ratio(row.withFlush / base.withFlush)}${ratio(row.bytes / base.bytes)}`,
  );
}
const peers = rows.filter((row) => !row.name.startsWith('mbuzz'));
const worst = (pick: (row: (typeof rows)[number]) => number) =>
  Math.min(...peers.map((peer) => pick(peer) / pick(base)));
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
console.log(`
ns/op   queueing only (call + deferred work), nothing sent — what a request pays
+flush  per event, queueing plus sending the round to the local stub (serialization, HTTP) — all CPU
×…      peer ÷ "${base.name}": higher = mbuzz cheaper
requests sent while queueing was timed: ${sentWhileQueueing} (must be 0)
aim ≤ ${AIM_NS} ns/op: ${verdict(base.queue <= AIM_NS)} (${base.queue.toFixed(0)} ns)
aim ≤ ${AIM_BYTES} B/event: ${verdict(base.bytes <= AIM_BYTES)} (${base.bytes.toFixed(0)} B)
aim ≥ ${AIM_RATIO}× cheaper than both peers: ns/op ${verdict(worst((r) => r.queue) >= AIM_RATIO)} (${worst((r) => r.queue).toFixed(1)}×), +flush ${verdict(worst((r) => r.withFlush) >= AIM_RATIO)} (${worst((r) => r.withFlush).toFixed(1)}×), heap ${verdict(worst((r) => r.bytes) >= AIM_RATIO)} (${worst((r) => r.bytes).toFixed(1)}×)
took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
