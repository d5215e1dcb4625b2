/**
 * The batch writer cannot take a batch now: too many events wait already, or the batch waited too long
 * for a free database slot. Nothing of the batch was stored; the whole batch may be retried as is
 * (the HTTP layer answers 503 with Retry-After).
 */
export class WriterBusyError extends Error {
  override readonly name = 'WriterBusyError';
  constructor(message = 'server is busy, retry later') {
    super(message);
  }
}
