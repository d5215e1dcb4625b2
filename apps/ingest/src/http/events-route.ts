import type { FastifyInstance } from 'fastify';
import type { Environment } from '../accounts/api-keys.js';
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
    const auth = request.auth;
    if (!auth) throw new Error('events route reached without authentication');

    // Only counts and the writer's promise live across the await: the parsed body and the validated
    // events are let go while the batch waits (the writer keeps its rows only, see PreparedBatch).
    const { accepted, rejected, stored } = store(deps.writer, auth, eventsOf(request.body));
    request.body = undefined;
    const duplicates = stored === undefined ? 0 : (await stored).duplicates;
    reply.code(rejected.length === 0 ? 202 : 422);
    return { accepted, duplicates, rejected };
  });
}

function store(
  writer: BatchWriter,
  auth: { accountId: string; environment: Environment },
  events: readonly unknown[],
) {
  const { valid, rejected } = validateEvents(events, { now: Date.now() });
  const stored =
    valid.length > 0
      ? writer.write({ account: { id: auth.accountId }, environment: auth.environment, events: valid })
      : undefined;
  return { accepted: valid.length, rejected, stored };
}

/** The body's events, or the 400 that says what is wrong with the body. */
function eventsOf(parsed: unknown): readonly unknown[] {
  const body = parsed as { events?: unknown } | null | undefined;
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
  return body.events;
}
