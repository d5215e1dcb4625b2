import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromRoot = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** Repository root (packages/ingest-harness/src/../../..). */
export const REPO_ROOT = fromRoot('');
/** The built ingest CLI (`turbo run build` makes it). */
export const INGEST_CLI = fromRoot('apps/ingest/dist/cli.js');
/** The built ingest library entry (openDatabase, loadConfig, …). */
export const INGEST_INDEX = fromRoot('apps/ingest/dist/index.js');
/** Folder of one example app. */
export const exampleDir = (name: string): string => fromRoot(`examples/${name}/`);

/** The built ingest CLI's path; throws with the command that builds it when it is missing. */
export function builtIngestCli(): string {
  if (!existsSync(INGEST_CLI)) {
    throw new Error(`${INGEST_CLI} is missing: run \`pnpm turbo run build --filter=@mbuzz/ingest\` first`);
  }
  return INGEST_CLI;
}
