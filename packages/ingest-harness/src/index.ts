/**
 * `@mbuzz/ingest-harness` (private): starts and drives the built ingest service (`apps/ingest/dist`)
 * and the example apps for the end-to-end tests, the reliability suite, `bench:ingest` and `pnpm demo`.
 * See README.md.
 */
export {
  baseEnv,
  type ChildService,
  killAllChildren,
  type SpawnServiceOptions,
  spawnService,
} from './child-service.js';
export { type ExampleApp, type ExampleAppOptions, type ExampleName, startExampleApp } from './example-app.js';
export { freePort } from './free-port.js';
export {
  createFreshDatabase,
  type FreshDatabase,
  type FreshDatabaseOptions,
  TEST_DATABASE_URL,
} from './fresh-database.js';
export {
  type Account,
  createAccount,
  createKey,
  createTenant,
  type IngestDatabase,
  migrate,
  revokeKey,
  runIngestCli,
  type Tenant,
} from './ingest-cli.js';
export { openEmbeddedDatabase } from './open-embedded-database.js';
export { INGEST_CLI, REPO_ROOT } from './paths.js';
export {
  type Ingest,
  type IngestOnFreshDatabase,
  type StartIngestOptions,
  startIngest,
  startIngestOnFreshDatabase,
} from './start-ingest.js';
