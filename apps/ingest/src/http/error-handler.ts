import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError } from '../db/is-connection-error.js';
import { WriterBusyError } from '../events/writer-busy-error.js';
import { ApiError, unavailable } from './api-error.js';

/** Maps any error to the error envelope of docs/api.md; 5xx answers never reveal internals or echo input. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isConnectionError(error) || error instanceof WriterBusyError) {
    return unavailable(error instanceof WriterBusyError ? error.message : undefined);
  }
  const { code, statusCode } = error as Partial<FastifyError>;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', 'request body is larger than 1 MiB; split the batch');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    if (statusCode === 413) return new ApiError(413, 'body_too_large', 'request body is larger than 1 MiB');
    if (statusCode === 415) {
      return new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    return new ApiError(400, 'invalid_body', 'the request could not be read');
  }
  return new ApiError(500, 'internal_error', 'internal server error');
}

/** Only what helps an operator: never the query parameters postgres.js attaches (they hold event data). */
export function describeError(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { name, message, code, stack } = error as Error & { code?: unknown };
  return { type: name, message, code, stack };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.statusCode >= 500) {
    const level = apiError.statusCode === 503 ? 'warn' : 'error';
    request.log[level]({ error: describeError(error), code: apiError.code }, apiError.message);
  }
  reply
    .code(apiError.statusCode)
    .headers(apiError.headers)
    .send({ error: apiError.message, code: apiError.code });
}
