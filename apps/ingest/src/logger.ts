import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** Paths pino censors: the Authorization header and any field that could hold key material, passwords or cookies. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.authorization',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'headers.cookie',
  'req.headers.cookie',
  'request.headers.cookie',
  '*.cookie',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

/**
 * The service's structured logger (JSON lines). Key material is censored even if a log call includes it.
 *
 * @example
 * const logger = createLogger({ logLevel: 'info' });
 */
export function createLogger(options: { logLevel: LogLevel }, destination?: DestinationStream): Logger {
  const settings = {
    level: options.logLevel,
    base: { service: 'mbuzz-ingest' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(settings, destination) : pino(settings);
}
