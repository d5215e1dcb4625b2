export * from './accounts/index.js';
export { type BuildAppOptions, buildApp } from './app.js';
export { CHANNELS, type Channel, type Classification, classifyTouch } from './attribution/classify-touch.js';
export { type Config, ConfigError, type LogLevel, loadConfig } from './config.js';
export { type MigrateResult, migrate } from './db/migrate.js';
export { type Database, openDatabase } from './db/open-database.js';
export { type IngestInput, type IngestResult, ingestBatches, ingestEvents } from './events/ingest-events.js';
export { type RejectedEvent, type ValidEvent, validateEvents } from './events/validate-events.js';
export { createLogger } from './logger.js';
export { InvalidQueryError, parseQuery, type QueryPlan } from './reports/parse-query.js';
export type { RecentEvent } from './reports/recent-events.js';
export {
  refreshReportRollups,
  resetReportRollups,
  startRollupRefresher,
} from './reports/rollups.js';
export { type QueryAnswer, type QueryScope, type ResultRow, runQuery } from './reports/run-query.js';
export { type RunningServer, type StartServerOptions, startServer } from './server.js';
export { createUser, deleteUser, listUsers, USER_ROLES, type User, type UserRole } from './users/index.js';
