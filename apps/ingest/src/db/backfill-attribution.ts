import type { ReservedSql, Sql } from 'postgres';
import { classifyTouch } from '../attribution/classify-touch.js';

const CHUNK = 5000;

interface StoredTouch {
  account_id: string;
  session_id: string;
  initial_utm: Record<string, string>;
  click_ids: Record<string, string>;
  initial_referrer: string | null;
  landing_url: string | null;
}

/**
 * Fills channel, source, referrer domain and landing path of sessions stored before migration 003, then
 * every visitor's first channel/source from its first session. Runs only while `pending_backfills` names
 * it; walks sessions in key order in chunks of 5,000 (one short transaction each), so an interrupted run
 * resumes where it stopped. Returns the number of sessions classified.
 */
export async function backfillAttribution(pool: Sql): Promise<number> {
  const [pending] = await pool`SELECT 1 FROM pending_backfills WHERE name = 'session_attribution'`;
  if (!pending) return 0;
  // One connection for all of it (the migrator passes its reserved one; a pool reserves one here).
  const reserved = 'release' in pool;
  const sql = reserved ? pool : await pool.reserve();
  try {
    return await backfill(sql);
  } finally {
    if (!reserved) (sql as ReservedSql).release();
  }
}

async function backfill(sql: Sql): Promise<number> {
  let done = 0;
  let after: [string, string] | null = null;
  for (;;) {
    const rows: StoredTouch[] = await sql<StoredTouch[]>`
      SELECT account_id, session_id, initial_utm, click_ids, initial_referrer, landing_url
      FROM sessions
      WHERE source IS NULL
        ${after ? sql`AND (account_id, session_id) > (${after[0]}::uuid, ${after[1]})` : sql``}
      ORDER BY account_id, session_id
      LIMIT ${CHUNK}`;
    if (rows.length === 0) break;
    const classified = rows.map((row) => {
      const c = classifyTouch({
        utm: row.initial_utm,
        clickIds: row.click_ids,
        referrer: row.initial_referrer,
        landingUrl: row.landing_url,
      });
      return {
        account_id: row.account_id,
        session_id: row.session_id,
        channel: c.channel,
        source: c.source,
        referrer_domain: c.referrerDomain,
        landing_path: c.landingPath,
      };
    });
    await sql`
      UPDATE sessions s SET channel = r.channel, source = r.source, referrer_domain = r.referrer_domain,
        landing_path = r.landing_path
      FROM jsonb_to_recordset(${JSON.stringify(classified)}::text::jsonb) AS r(
        account_id uuid, session_id text, channel text, source text, referrer_domain text, landing_path text)
      WHERE s.account_id = r.account_id AND s.session_id = r.session_id`;
    done += rows.length;
    const last = rows[rows.length - 1] as StoredTouch;
    after = [last.account_id, last.session_id];
  }
  await sql`BEGIN`;
  try {
    await sql`
      UPDATE visitors v SET first_channel = f.channel, first_source = f.source
      FROM (
        SELECT DISTINCT ON (account_id, visitor_id) account_id, visitor_id, channel, source
        FROM sessions ORDER BY account_id, visitor_id, started_at, channel, source
      ) f
      WHERE v.account_id = f.account_id AND v.visitor_id = f.visitor_id AND v.first_channel IS NULL`;
    await sql`DELETE FROM pending_backfills WHERE name = 'session_attribution'`;
    await sql`COMMIT`;
  } catch (error) {
    await sql`ROLLBACK`;
    throw error;
  }
  return done;
}
