import type { MbuzzError, MbuzzErrorCode } from './types.js';

export interface MbuzzErrorDetails {
  /** HTTP status, when there was an answer. */
  status?: number;
  /** Events concerned (dropped, rejected, or given up on). */
  eventIds?: string[];
  /** The underlying error (network failure, thrown hook, …). */
  cause?: unknown;
}

/**
 * Builds the one error type the SDK reports to `onError`.
 *
 * @example
 * createMbuzzError('http', 'ingest answered 401 invalid_api_key', { status: 401, eventIds: ['0193…'] })
 */
export function createMbuzzError(
  code: MbuzzErrorCode,
  message: string,
  details: MbuzzErrorDetails = {},
): MbuzzError {
  const error = (
    details.cause === undefined ? new Error(message) : new Error(message, { cause: details.cause })
  ) as MbuzzError;
  error.name = 'MbuzzError';
  error.code = code;
  if (details.status !== undefined) error.status = details.status;
  if (details.eventIds !== undefined) error.eventIds = details.eventIds;
  return error;
}

const CODES: ReadonlySet<string> = new Set<MbuzzErrorCode>([
  'config',
  'network',
  'timeout',
  'http',
  'rejected',
  'queue_full',
  'aborted',
  'internal',
]);

/**
 * True for errors made by `createMbuzzError`.
 *
 * @example
 * onError: (err) => { if (isMbuzzError(err) && err.code === 'queue_full') metrics.increment('mbuzz.dropped') }
 */
export function isMbuzzError(value: unknown): value is MbuzzError {
  return (
    value instanceof Error &&
    value.name === 'MbuzzError' &&
    CODES.has((value as Partial<MbuzzError>).code as string)
  );
}
