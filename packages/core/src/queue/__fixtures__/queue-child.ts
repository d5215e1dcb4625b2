/**
 * Child process for process-lifetime.test.ts. MODE=pending: queue events and return (the process must
 * exit on its own). MODE=close: queue events, close(), print the CloseResult as JSON.
 * FETCH=node: post through createNodePost() (keep-alive undici agent) instead of the global fetch.
 */

import { createHttpTransport } from '../../transport/http-transport.js';
import { createNodePost } from '../../transport/node-dispatcher.js';
import { createBatchQueue } from '../batch-queue.js';

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:9/api/v1';
const count = Number(process.env.COUNT ?? 5);
const transport = createHttpTransport({
  apiUrl,
  apiKey: 'sk_test_0123456789abcdef0123456789abcdef',
  post: process.env.FETCH === 'node' ? createNodePost().post : undefined,
});
const queue = createBatchQueue({ transport, batchSize: 2, flushIntervalMs: 3_600_000 });

for (let i = 0; i < count; i++) {
  queue.enqueue({
    event_id: `01936f6e-8b2a-7c3d-9e4f-${String(i).padStart(12, '0')}`,
    event_type: 'page_view',
    visitor_id: 'child',
    timestamp: new Date().toISOString(),
    properties: { path: `/child/${i}` },
  });
}

if (process.env.MODE === 'close') {
  const result = await queue.close({ timeoutMs: 5000 });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
