import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** reliability/.results — gitignored; docs/reliability.md is filled from the last full run. */
export const RESULTS_DIR = fileURLToPath(new URL('../.results/', import.meta.url));

/**
 * Writes one scenario's figures to `reliability/.results/<id>.json` (with the time of the run).
 *
 * @example
 * writeResult('1-sustained-load', { requests, events, errors, p99Ms });
 */
export function writeResult(id: string, figures: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const document = { scenario: id, finishedAt: new Date().toISOString(), ...figures };
  writeFileSync(`${RESULTS_DIR}${id}.json`, `${JSON.stringify(document, null, 2)}\n`);
}
