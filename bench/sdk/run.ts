/**
 * pnpm bench:sdk — the CPU and heap cost of queueing one page view in mbuzz, posthog-node and
 * @segment/analytics-node, measured in one run: one child process per SDK, all started together
 * against the same local stub server (no network), with settings under which nothing is sent while
 * queueing is measured. See bench/README.md.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROUND_SIZE } from './measure.js';
import type { SubjectResult } from './measure-subject.js';
import { startStubServer } from './stub-server.js';
import { SUBJECTS } from './subjects.js';

const AIM_NS = 1000;
const AIM_BYTES = 1024;
const AIM_RATIO = 3;
const child = fileURLToPath(new URL('./measure-subject.ts', import.meta.url));

// One stub per SDK (all in this process, so their CPU is not billed to the SDKs), each counting its
// own requests.
const stubs = await Promise.all(SUBJECTS.map(() => startStubServer()));
const startedAt = Date.now();
let rows: SubjectResult[];
try {
  // Started together, so all SDKs run under the same machine conditions; each process has its own
  // heap, GC and CPU clock.
  rows = await Promise.all(SUBJECTS.map((_, index) => measure(index)));
} finally {
  await Promise.all(stubs.map((stub) => stub.close()));
}

const base = rows[0] as SubjectResult;
const cell = (x: number, width = 10) => x.toFixed(0).padStart(width);
const ratio = (x: number) => `${x.toFixed(1)}×`.padStart(7);
console.log(
  `\nbench:sdk — queue one page view · node ${process.version} · CPU time, median of 100 rounds × ` +
    `${ROUND_SIZE} calls · heap over 10 000 queued events · one process per SDK\n`,
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
const worst = (pick: (row: SubjectResult) => number) =>
  Math.min(...peers.map((peer) => pick(peer) / pick(base)));
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const sent = rows.reduce((sum, row) => sum + row.sentWhileQueueing, 0);
console.log(`
ns/op   CPU per call, queueing only (the call and the work it defers), nothing sent — what a request pays
+flush  CPU per event, queueing plus sending the round to the local stub (serialization, HTTP)
×…      peer ÷ "${base.name}": higher = mbuzz cheaper
requests sent while queueing was measured: ${sent} (must be 0)
aim ≤ ${AIM_NS} ns/op: ${verdict(base.queue <= AIM_NS)} (${base.queue.toFixed(0)} ns)
aim ≤ ${AIM_BYTES} B/event: ${verdict(base.bytes <= AIM_BYTES)} (${base.bytes.toFixed(0)} B)
aim ≥ ${AIM_RATIO}× cheaper than both peers: ns/op ${verdict(worst((r) => r.queue) >= AIM_RATIO)} (${worst((r) => r.queue).toFixed(1)}×), +flush ${verdict(worst((r) => r.withFlush) >= AIM_RATIO)} (${worst((r) => r.withFlush).toFixed(1)}×), heap ${verdict(worst((r) => r.bytes) >= AIM_RATIO)} (${worst((r) => r.bytes).toFixed(1)}×)
took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

function measure(index: number): Promise<SubjectResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', child, String(index), stubs[index]?.url ?? ''],
      { timeout: 300_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${SUBJECTS[index]?.name}: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as SubjectResult);
      },
    );
  });
}
