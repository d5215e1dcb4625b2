/** Machine codes of the error envelope (docs/api.md). */
export type ErrorCode =
  | 'invalid_json'
  | 'invalid_body'
  | 'batch_too_large'
  | 'missing_api_key'
  | 'malformed_api_key'
  | 'invalid_api_key'
  | 'revoked_api_key'
  | 'account_suspended'
  | 'insufficient_scope'
  | 'forbidden'
  | 'invalid_credentials'
  | 'missing_session'
  | 'invalid_session'
  | 'invalid_csrf_token'
  | 'invalid_query'
  | 'not_found'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'unavailable';

/** An error answered as `{ error, code }` with `statusCode`; `headers` are added to the reply. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Seconds a client should wait before retrying a 503. */
export const UNAVAILABLE_RETRY_AFTER_S = 1;

export const unavailable = (message = 'service temporarily unavailable, retry later'): ApiError =>
  new ApiError(503, 'unavailable', message, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) });
