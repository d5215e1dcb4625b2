import type { FastifyInstance } from 'fastify';
import type { BatchWriter } from '../events/create-batch-writer.js';
import { validateEvents } from '../events/validate-events.js';
import { ApiError } from './api-error.js';

export const MAX_EVENTS_PER_BATCH = 500;

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^\s*application\/json\s*(;|$)/i.test(contentType);

/** POST /events — validate each event, store the valid ones in one transaction, 202 or 422. */
export function eventsRoute(app: FastifyInstance, deps: { writer: BatchWriter }): void {
  app.post('/events', { config: { rateLimit: {} } }, async (request, reply) => {
    // A POST without Content-Type and without body never reaches a body parser; refuse it like any non-JSON.
    if (!isJson(request.headers['content-type'])) {
      throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    const body = request.body as { events?: unknown } | null | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(body.events)) {
      throw new ApiError(400, 'invalid_body', 'body must be a JSON object with an "events" array');
    }
    if (body.events.length > MAX_EVENTS_PER_BATCH) {
      throw new ApiError(
        400,
        'batch_too_large',
        `a batch has at most ${MAX_EVENTS_PER_BATCH} events (got ${body.events.length})`,
      );
    }
    const auth = request.auth;
    if (!auth) throw new Error('events route reached without authentication');

    const { valid, rejected } = validateEvents(body.events, { now: Date.now() });
    let duplicates = 0;
    if (valid.length > 0) {
      const result = await deps.writer.write({
        account: { id: auth.accountId },
        environment: auth.environment,
        events: valid,
      });
      duplicates = result.duplicates;
    }
    reply.code(rejected.length === 0 ? 202 : 422);
    return { accepted: valid.length, duplicates, rejected };
  });
}
