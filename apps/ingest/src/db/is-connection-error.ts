// postgres.js client-side codes for a connection that could not be made or was lost.
const CLIENT_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// SQLSTATEs that mean "the database is not able to serve right now", not "this query is wrong".
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up / recovery)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * True when an error means the database is unreachable or temporarily refusing work, so the request
 * should get a 503 that the sender may retry, rather than a 500.
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (typeof code === 'string') {
    if (CLIENT_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (typeof errno === 'string' && CLIENT_CODES.has(errno)) return true;
  // AggregateError from a multi-address connect (e.g. localhost → ::1 and 127.0.0.1).
  const nested = (error as { errors?: unknown }).errors;
  return Array.isArray(nested) && nested.some(isConnectionError);
}
