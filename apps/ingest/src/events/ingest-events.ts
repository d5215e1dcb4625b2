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
export function ingestBatches(deps: IngestDeps, batches: readonly IngestInput[]): Promise<IngestResult[]> {
  return ingestPrepared(deps, batches.map(prepareBatch));
}

/**
 * A batch reduced to what the statement needs: its account, its data set, and its rows as ONE string
 * (see {@link serializeRow}). A batch waiting for a free connection holds this string only,
 * not the parsed request and the validated events: under load, batches wait long enough to survive
 * several young-generation collections, and every object they keep is copied by each of them.
 */
export interface PreparedBatch {
  accountId: string;
  isTest: boolean;
  events: number;
  /** The rows, comma-separated: the statement's input is every batch's rows in one JSON array. */
  rows: string;
}

export function prepareBatch(batch: IngestInput): PreparedBatch {
  if (!UUID.test(batch.account.id)) throw new TypeError('account.id must be a UUID');
  return {
    accountId: batch.account.id,
    isTest: batch.environment === 'test',
    events: batch.events.length,
    rows: batch.events.map(serializeRow).join(','),
  };
}

/** {@link ingestBatches} for batches already prepared. */
export async function ingestPrepared(
  deps: IngestDeps,
  batches: readonly PreparedBatch[],
): Promise<IngestResult[]> {
  const inserted = new Map<number, number>();
  // An empty batch has no rows (and would leave an empty element in the array); it keeps its place in
  // `tenants`, starting where the next batch starts.
  const rows = batches.filter((batch) => batch.events > 0).map((batch) => batch.rows);
  if (rows.length > 0) {
    let first = 1;
    const tenants = {
      accountIds: batches.map((b) => b.accountId),
      isTest: batches.map((b) => b.isTest),
      firstRows: batches.map((b) => {
        const at = first;
        first += b.events;
        return at;
      }),
    };
    for (const row of await ingestStatement(deps.sql, tenants, `[${rows.join(',')}]`))
      inserted.set(row.batch, row.inserted);
  }
  return batches.map((batch, b) => ({
    accepted: batch.events,
    duplicates: batch.events - (inserted.get(b) ?? 0),
  }));
}

/**
 * One row of the statement (see INGEST_ROW_FIELDS) as a JSON array; the statement's input is the rows of
 * its batches one after the other, in one array. Every string is JSON-escaped (`json`: JSON.stringify's output, with a
 * fast path for text that needs no escape), so no value can close its string and add a field; channels
 * are constants; the account is not in the row at all (the statement takes it from the batch).
 * `properties` is spliced in as already serialized by validation (a JSON object by construction), which
 * spares Postgres nothing but spares Node a second stringify of the largest field.
 */
export function serializeRow(e: ValidEvent): string {
  const t = e.touch;
  return (
    `[${json(e.eventId)},${json(e.eventType)},${json(e.visitorId)},` +
    `${e.sessionId === null ? 'null' : json(e.sessionId)},${json(e.occurredAt)},${e.propertiesJson},` +
    `${jsonObject(t.utm)},${jsonObject(t.clickIds)},${t.urlField === null ? 'null' : `"${t.urlField}"`},` +
    `${t.referrer !== null},"${t.channel}",${json(t.source)},` +
    `${t.referrerDomain === null ? 'null' : json(t.referrerDomain)},${t.landingPath === null ? 'null' : json(t.landingPath)}]`
  );
}

/** Characters JSON.stringify escapes (quote, backslash, controls) or checks (surrogates). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string: exactly `JSON.stringify(text)`, without calling it for the usual plain text. */
const json = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

const jsonObject = (values: Record<string, string>): string => {
  let out = '';
  for (const key in values) out += `,${json(key)}:${json(values[key] as string)}`;
  return out === '' ? '{}' : `{${out.slice(1)}}`;
};
