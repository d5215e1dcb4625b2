import type { Sql } from 'postgres';
import type { Environment } from '../accounts/api-keys.js';
import { ingestStatement } from './ingest-sql.js';
import type { ValidEvent } from './validate-events.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
 * Writes a batch of valid events — events insert, visitors upsert, sessions upsert — in one transaction
 * with a fixed number of statements (one), whatever the batch size. Resolves only after the commit.
 * Sending the same batch again, or batches in any order, leaves the same rows.
 *
 * @example
 * const { valid } = validateEvents(body.events, { now: Date.now() });
 * const { accepted, duplicates } = await ingestEvents({ sql }, { account, environment: 'live', events: valid });
 */
export async function ingestEvents(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  const [result] = await ingestBatches(deps, [input]);
  return result as IngestResult;
}

/**
 * Writes several batches (of any accounts) in ONE statement — group commit. Each batch gets its own
 * result; duplicates across batches of one account count for the later batch.
 */
export async function ingestBatches(
  deps: IngestDeps,
  batches: readonly IngestInput[],
): Promise<IngestResult[]> {
  const parts: string[] = [];
  batches.forEach((batch, b) => {
    appendRows(parts, b, batch);
  });
  const inserted = new Map<number, number>();
  if (parts.length > 0) {
    for (const row of await ingestStatement(deps.sql, `[${parts.join(',')}]`))
      inserted.set(row.b, row.inserted);
  }
  return batches.map((batch, b) => ({
    accepted: batch.events.length,
    duplicates: batch.events.length - (inserted.get(b) ?? 0),
  }));
}

/**
 * Serializes events as rows for `jsonb_to_recordset`, reusing each event's already serialized properties
 * instead of stringifying them a second time. The touch's URL and referrer are always `properties.url` /
 * `properties.referrer` when set, so only a flag is sent and the statement reads them from the
 * properties (less JSON for Postgres to parse). Ids, account ids and timestamps were validated against
 * alphabets that need no JSON escaping.
 */
function appendRows(parts: string[], b: number, batch: IngestInput): void {
  if (!UUID.test(batch.account.id)) throw new TypeError('account.id must be a UUID');
  const head = `{"b":${b},"a":"${batch.account.id}","x":${batch.environment === 'test'},`;
  for (const e of batch.events) {
    parts.push(
      `${head}"i":${e.index},"id":"${e.eventId}","t":${JSON.stringify(e.eventType)},"v":"${e.visitorId}",` +
        `"s":${e.sessionId === null ? 'null' : `"${e.sessionId}"`},"at":"${e.occurredAt}",` +
        `"p":${e.propertiesJson},"u":${JSON.stringify(e.touch.utm)},"c":${JSON.stringify(e.touch.clickIds)},` +
        `"ku":${e.touch.url !== null},"kr":${e.touch.referrer !== null}}`,
    );
  }
}
