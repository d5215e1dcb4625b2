export * from './accounts/index.js';
export { type BuildAppOptions, buildApp } from './app.js';
export { type Config, ConfigError, type LogLevel, loadConfig } from './config.js';
export { type MigrateResult, migrate } from './db/migrate.js';
export { type Database, openDatabase } from './db/open-database.js';
export { type IngestInput, type IngestResult, ingestEvents } from './events/ingest-events.js';
export { type RejectedEvent, type ValidEvent, validateEvents } from './events/validate-events.js';
export { createLogger } from './logger.js';
export { type RunningServer, type StartServerOptions, startServer } from './server.js';
