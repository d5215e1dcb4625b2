import type postgres from 'postgres';

/** Every `event_id` stored for the account (lower case). */
export async function storedEventIds(sql: postgres.Sql, accountId: string): Promise<Set<string>> {
  const rows = await sql<{ id: string }[]>`
    SELECT event_id::text AS id FROM events WHERE account_id = ${accountId}`;
  return new Set(rows.map((row) => row.id));
}

/** How the stored ids compare with what was expected: both differences, for exact assertions. */
export interface IdComparison {
  stored: number;
  expected: number;
  /** Expected but not stored (lost). */
  missing: string[];
  /** Stored but not expected. */
  unexpected: string[];
}

/**
 * @example
 * const diff = compareIds(await storedEventIds(sql, accountId), report.acceptedIds);
 * expect(diff.missing).toEqual([]);
 */
export function compareIds(stored: Set<string>, expected: Set<string>): IdComparison {
  const missing: string[] = [];
  for (const id of expected) if (!stored.has(id)) missing.push(id);
  const unexpected: string[] = [];
  for (const id of stored) if (!expected.has(id)) unexpected.push(id);
  return { stored: stored.size, expected: expected.size, missing, unexpected };
}

/**
 * Polls until the account holds at least `count` events (or the deadline passes); returns the last
 * count and when it was reached. For deliveries that finish asynchronously (SDK retries).
 */
export async function waitForEventCount(
  sql: postgres.Sql,
  accountId: string,
  count: number,
  timeoutMs: number,
): Promise<{ count: number; reachedAt: number | undefined }> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  for (;;) {
    const [row] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE account_id = ${accountId}`;
    last = row?.n ?? 0;
    if (last >= count) return { count: last, reachedAt: Date.now() };
    if (Date.now() > deadline) return { count: last, reachedAt: undefined };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * How many times each `rid` marker (see drive-app.ts) occurs in the account's stored page-view URLs.
 * Exactly once each, for every marker requested, is "every event arrived exactly once".
 */
export async function storedMarkers(sql: postgres.Sql, accountId: string): Promise<Map<string, number>> {
  const rows = await sql<{ marker: string; n: number }[]>`
    SELECT substring(properties->>'url' from 'rid=([^&]+)') AS marker, count(*)::int AS n
    FROM events WHERE account_id = ${accountId} AND event_type = 'page_view'
    GROUP BY 1`;
  return new Map(rows.map((row) => [row.marker, row.n]));
}

/** Markers requested but not stored, stored more than once, and stored without being requested. */
export function compareMarkers(stored: Map<string, number>, requested: readonly string[]) {
  const wanted = new Set(requested);
  return {
    missing: requested.filter((marker) => !stored.has(marker)),
    duplicated: [...stored].filter(([, n]) => n > 1).map(([marker]) => marker),
    unexpected: [...stored.keys()].filter((marker) => !wanted.has(marker)),
  };
}
