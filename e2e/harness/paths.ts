import { fileURLToPath } from 'node:url';

/** Repository root (e2e/harness/../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built ingest CLI (`turbo run build` makes it). */
export const INGEST_CLI = fileURLToPath(new URL('../../apps/ingest/dist/cli.js', import.meta.url));
/** Folder of one example app. */
export const exampleDir = (name: string): string =>
  fileURLToPath(new URL(`../../examples/${name}/`, import.meta.url));
