import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import {
  DEFAULT_API_URL,
  DEFAULT_BATCH_SIZE,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_MAX_RETRIES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_SKIP_EXTENSIONS,
  DEFAULT_SKIP_PATHS,
} from '../src/options/defaults.js';

/** option → its default cell, from the options table of a README. */
function defaultsTable(readme: string): Record<string, string> {
  const text = readFileSync(new URL(readme, import.meta.url), 'utf8');
  const rows = text.slice(text.indexOf('\n## Options\n')).matchAll(/^\| `(\w+)` \| [^|]+ \| ([^|]+) \|/gm);
  return Object.fromEntries([...rows].map(([, name = '', cell = '']) => [name, cell.trim()]));
}

it("the options table of core's README — the one the adapters link to — shows defaults.ts", () => {
  const table = defaultsTable('../README.md');
  expect(table).toMatchObject({
    apiUrl: `env \`MBUZZ_API_URL\`, else \`${DEFAULT_API_URL}\``,
    batchSize: `\`${DEFAULT_BATCH_SIZE}\``,
    flushIntervalMs: `\`${DEFAULT_FLUSH_INTERVAL_MS}\``,
    maxQueueSize: `\`${DEFAULT_MAX_QUEUE_SIZE}\``,
    maxQueueBytes: `\`${DEFAULT_MAX_QUEUE_BYTES}\` (10 MiB)`,
    requestTimeoutMs: `\`${DEFAULT_REQUEST_TIMEOUT_MS}\``,
    maxRetries: `\`${DEFAULT_MAX_RETRIES}\``,
    skipPaths: DEFAULT_SKIP_PATHS.map((path) => `\`${path}\``).join(', '),
    skipExtensions: `\`${DEFAULT_SKIP_EXTENSIONS.join(' ')}\``,
  });
});

it("the adapters' own option tables show the shutdown default", () => {
  for (const adapter of ['express', 'koa', 'fastify']) {
    expect(defaultsTable(`../../${adapter}/README.md`), adapter).toMatchObject({
      shutdownTimeoutMs: `\`${DEFAULT_SHUTDOWN_TIMEOUT_MS}\``,
    });
  }
});
