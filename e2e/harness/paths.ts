import { fileURLToPath } from 'node:url';

/** Repository root (e2e/harness/../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built ingest CLI (`turbo run build` makes it). */
export const INGEST_CLI = fileURLToPath(new URL('../../apps/ingest/dist/cli.js', import.meta.url));
/** The built ingest library entry (openDatabase, loadConfig, …). */
export const INGEST_INDEX = fileURLToPath(new URL('../../apps/ingest/dist/index.js', import.meta.url));
/** `pnpm demo`'s script. */
export const DEMO_SCRIPT = fileURLToPath(new URL('../../scripts/demo.mjs', import.meta.url));
/** Folder of one example app. */
export const exampleDir = (name: string): string =>
  fileURLToPath(new URL(`../../examples/${name}/`, import.meta.url));
