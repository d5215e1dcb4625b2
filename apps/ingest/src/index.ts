export * from './accounts/index.js';
export { type Config, ConfigError, type LogLevel, loadConfig } from './config.js';
export { type MigrateResult, migrate } from './db/migrate.js';
export { type Database, openDatabase } from './db/open-database.js';
