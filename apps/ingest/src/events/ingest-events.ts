import type { Sql } from 'postgres';
import type { Environment } from '../accounts/api-keys.js';
import { ingestStatement } from './ingest-sql.js';
import type { ValidEvent } from './validate-events.js';

export interface IngestDeps {
  sql: Sql;
}

export interface IngestInput {
  account: { id: string };
  /** The key's environment: `test` marks every row written as test data. */
  environment: Environment;
  /** Validated events (see `validateEvents`). */
  events: readonly ValidEvent[];
}

export interface IngestResult {
  /** Events stored now or already stored before: for the sender both are a success. */
  accepted: number;
  /** Events whose event_id was already stored (or repeated within the batch). */
  duplicates: number;
}

/**
 * Writes a batch of valid events — visitors upsert, sessions upsert, events insert — in one transaction
 * with a fixed number of statements (one), whatever the batch size. Resolves only after the commit.
 * Sending the same batch again, or batches in any order, leaves the same rows.
 *
 * @example
 * const { valid } = validateEvents(body.events, { now: Date.now() });
 * const { accepted, duplicates } = await ingestEvents({ sql }, { account, environment: 'live', events: valid });
 */
export async function ingestEvents(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const { events } = input;
  if (events.length === 0) return { accepted: 0, duplicates: 0 };
  const [row] = await ingestStatement(deps.sql, {
    accountId: input.account.id,
    isTest: input.environment === 'test',
    batchJson: batchToJson(events),
  });
  const inserted = row?.inserted ?? 0;
  return { accepted: events.length, duplicates: events.length - inserted };
}

/**
 * Serializes the batch for `jsonb_to_recordset`, reusing each event's already serialized properties
 * instead of stringifying them a second time. Ids and timestamps were validated against alphabets that
 * need no JSON escaping.
 */
export function batchToJson(events: readonly ValidEvent[]): string {
  const parts: string[] = new Array(events.length);
  for (let n = 0; n < events.length; n += 1) {
    const e = events[n] as ValidEvent;
    parts[n] =
      `{"i":${e.index},"id":"${e.eventId}","t":${JSON.stringify(e.eventType)},"v":"${e.visitorId}",` +
      `"s":${e.sessionId === null ? 'null' : `"${e.sessionId}"`},"at":"${e.occurredAt}",` +
      `"p":${e.propertiesJson},"u":${JSON.stringify(e.touch.utm)},"c":${JSON.stringify(e.touch.clickIds)},` +
      `"url":${JSON.stringify(e.touch.url)},"ref":${JSON.stringify(e.touch.referrer)}}`;
  }
  return `[${parts.join(',')}]`;
}
