/**
 * `@mbuzz/test-kit` (private): what the Node adapters' tests share — real HTTP on both sides (`send`,
 * `serve`, a stand-in ingest `startSink`), spawning an example app, and the test cases every Node
 * middleware adapter must pass (`runNodeAdapterTests`) — and the machine's Chromium for every browser
 * test (`describeWithChromium`) — and the Postgres and Redis of the tests that need them
 * (`postgresForTests`, `redisForTests`, `describeWithService`; without vitest: `@mbuzz/test-kit/services`).
 */
export { COOKIE_SHAPE, cookieValue, mbuzzCookies } from './cookies.js';
export { describeExampleSmoke } from './describe-example-smoke.js';
export { describeWithService } from './describe-with-service.js';
export {
  type BrowserForTests,
  browserForTests,
  CHROMIUM_HINT,
  CHROMIUM_NAMES,
  describeWithChromium,
  findChromium,
  MACOS_CHROMIUM_PATHS,
} from './find-chromium.js';
export { type AppSetup, type NodeAdapterUnderTest, runNodeAdapterTests } from './run-node-adapter-tests.js';
export { type Answer, navigate, type SendInit, send } from './send.js';
export { type Served, serve } from './serve.js';
export {
  DEFAULT_TEST_DATABASE_URL,
  DEFAULT_TEST_REDIS_URL,
  excludeWithoutPostgres,
  explainPostgresError,
  postgresForTests,
  redisForTests,
  type ServiceForTests,
  testDatabaseUrl,
  testRedisUrl,
} from './services-for-tests.js';
export { type SpawnedApp, spawnApp } from './spawn-app.js';
export { type Sink, startSink } from './start-sink.js';
export { TLS } from './tls.js';
export { type ServedApp, type TestedMiddleware, useServedApps } from './use-served-apps.js';
