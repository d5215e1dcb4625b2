/** A mistake on the command line or in its input; the message is shown as is. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

// Errors whose message was written for the user: config, embedded database, accounts module.
const USER_FACING = new Set([
  'CliError',
  'ConfigError',
  'EmbeddedDatabaseInUseError',
  'EmbeddedDatabaseStartError',
  'NotFoundError',
  'InvalidInputError',
  'AmbiguousKeyError',
]);

// Node and postgres.js codes meaning "no database at the other end".
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  address?: string;
  port?: number;
  syscall?: string;
}

/**
 * Turns any error into the one line the CLI prints. Never a stack trace, never a connection string
 * (it may contain a password): only the host and port postgres.js reports.
 *
 * @example
 * describeError(new ConfigError('PORT must be …')) // 'PORT must be …'
 */
export function describeError(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  const message = oneLine(e.message ?? String(error));
  if (e.name && USER_FACING.has(e.name)) return message;
  if (e.name === 'PostgresError') {
    if (e.code === '42P01') return 'the database has no mbuzz tables yet: run `mbuzz-ingest migrate` first';
    if (e.code === '3D000' || e.code === '28P01' || e.code === '28000') {
      return `cannot use the database: ${message}; check DATABASE_URL`;
    }
    return `database error: ${message}`;
  }
  if (e.code === 'EADDRINUSE') {
    return `the address ${e.address ?? ''}${e.port ? `:${e.port}` : ''} is already in use: stop the other server or set PORT`;
  }
  // ENOENT on connect: a unix socket that is not there.
  if (e.code && (UNREACHABLE.has(e.code) || (e.code === 'ENOENT' && e.syscall === 'connect'))) {
    const where = e.address ? ` at ${e.address}${e.port ? `:${e.port}` : ''}` : '';
    return `cannot reach the database${where} (${e.code}): is it running, and is DATABASE_URL right?`;
  }
  return `unexpected error: ${message}`;
}

/** `Invalid configuration:\n  A\n  B` → `Invalid configuration: A; B`. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, '; ');
}
