import { classifyTouch } from '@mbuzz/ingest';
import type { Sql } from 'postgres';

/**
 * Loads a reporting data set straight into the tables — the documented equivalent of the write path
 * (bench/README.md, bench:reports): every session's channel, source, referrer domain and landing path come
 * from the service's own `classifyTouch` over a palette of realistic first touches; rows are generated in
 * Postgres (generate_series) because 10 M events through HTTP would take the bench an hour on 2 cores.
 */
export interface SeedOptions {
  accountId: string;
  sessions: number;
  /** Days back from `until` over which sessions start. */
  days: number;
  until: Date;
  /** Sessions per visitor on average (returning visitors). */
  sessionsPerVisitor: number;
  isTest?: boolean;
  /** Visitor/session id prefix, unique per account. */
  prefix: string;
}

interface PaletteTouch {
  weight: number;
  utm: Record<string, string>;
  clickIds: Record<string, string>;
  referrer: string | null;
  path: string;
}

const PATHS = ['/', '/pricing', '/blog/launch', '/blog/utm-guide', '/docs/start', '/features', '/signup'];

/** First touches with weights: direct, search, social, paid, email, referrals, AI, long-tail campaigns. */
function palette(): PaletteTouch[] {
  const p: PaletteTouch[] = [];
  const add = (weight: number, utm: Record<string, string>, referrer: string | null, clickIds = {}) => {
    PATHS.forEach((path, i) => {
      p.push({ weight: weight / (i + 1), utm, clickIds, referrer, path });
    });
  };
  add(30, {}, null);
  add(22, {}, 'https://www.google.com/');
  add(4, {}, 'https://www.bing.com/search?q=mbuzz');
  add(2, {}, 'https://duckduckgo.com/');
  add(5, {}, 'https://t.co/x1');
  add(4, {}, 'https://l.facebook.com/l.php');
  add(3, {}, 'https://www.reddit.com/r/node/');
  add(2, {}, 'https://news.ycombinator.com/item?id=1');
  add(2, {}, 'https://chatgpt.com/');
  add(1, {}, 'https://www.perplexity.ai/search');
  add(3, {}, 'https://www.youtube.com/watch?v=1');
  add(4, {}, 'https://dev.to/some/post');
  add(2, {}, 'https://github.com/mbuzz/mbuzz');
  add(1, {}, 'https://partner-blog.example/review');
  add(6, {}, null, { gclid: 'Cj0KCQ' });
  for (let c = 0; c < 40; c += 1) {
    const campaign = c === 0 ? 'spring_sale' : `campaign_${c}`;
    add(
      8 / (c + 1),
      { utm_source: 'google', utm_medium: 'cpc', utm_campaign: campaign, utm_term: `term ${c % 7}` },
      null,
      { gclid: 'x' },
    );
    add(
      4 / (c + 1),
      { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: campaign, utm_content: `link_${c % 3}` },
      null,
    );
    add(
      3 / (c + 1),
      {
        utm_source: 'facebook',
        utm_medium: 'paid_social',
        utm_campaign: campaign,
        utm_content: `ad_${c % 5}`,
      },
      'https://m.facebook.com/',
    );
  }
  add(1, { utm_source: 'linkedin', utm_medium: 'cpc', utm_campaign: 'b2b' }, 'https://www.linkedin.com/');
  add(1, { utm_source: 'partner', utm_medium: 'affiliate', utm_campaign: 'partners' }, null);
  add(0.5, { utm_source: 'podcast', utm_medium: 'audio' }, null);
  add(0.5, { utm_source: 'sms', utm_campaign: 'flash' }, null);
  add(0.5, { utm_source: 'app', utm_medium: 'web-push' }, null);
  add(0.5, { utm_source: 'display-net', utm_medium: 'display', utm_campaign: 'retarget' }, null);
  add(0.3, { utm_source: 'print', utm_medium: 'qr' }, null);
  return p;
}

/**
 * Inserts `sessions` sessions (about 4.5 page views each, 40 % bounces, 3 % sign-ups, 6 % add-to-cart),
 * their visitors and events for one account, with a daily rhythm and weekly seasonality.
 */
export async function seedAccount(sql: Sql, options: SeedOptions): Promise<void> {
  const touches = palette();
  const total = touches.reduce((s, t) => s + t.weight, 0);
  // 1,000 slots, each a palette entry in proportion to its weight: a session picks a slot at random.
  const slots: number[] = [];
  touches.forEach((t, i) => {
    const n = Math.max(1, Math.round((t.weight / total) * 1000));
    for (let k = 0; k < n; k += 1) slots.push(i);
  });
  const rows = touches.map((t, i) => {
    const landingUrl = `https://shop.example${t.path}${Object.keys({ ...t.utm, ...t.clickIds }).length ? `?${new URLSearchParams({ ...t.utm, ...t.clickIds })}` : ''}`;
    const c = classifyTouch({ utm: t.utm, clickIds: t.clickIds, referrer: t.referrer, landingUrl });
    return {
      idx: i,
      initial_utm: t.utm,
      click_ids: t.clickIds,
      initial_referrer: t.referrer,
      landing_url: landingUrl,
      channel: c.channel,
      source: c.source,
      referrer_domain: c.referrerDomain,
      landing_path: c.landingPath,
    };
  });
  const visitors = Math.max(1, Math.round(options.sessions / options.sessionsPerVisitor));
  const until = options.until.toISOString();
  const isTest = options.isTest ?? false;
  await sql.begin(async (tx) => {
    await tx`CREATE TEMP TABLE palette ON COMMIT DROP AS
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) AS r(
        idx int, initial_utm jsonb, click_ids jsonb, initial_referrer text, landing_url text, channel text,
        source text, referrer_domain text, landing_path text)`;
    await tx`CREATE TEMP TABLE slots ON COMMIT DROP AS
      SELECT (ordinality - 1)::int AS slot, idx FROM unnest(${`{${slots.join(',')}}`}::text::int[]) WITH ORDINALITY AS u(idx)`;
    // Session i: visitor by a skewed hash (some visitors return often), start time with a daily rhythm,
    // page views geometric-ish (40 % bounce), touch from the slot table.
    await tx`CREATE TEMP TABLE gen ON COMMIT DROP AS
      SELECT i,
        ${options.prefix} || 'v' || (floor(power(random(), 1.6) * ${visitors}))::bigint AS visitor_id,
        ${options.prefix} || 's' || i AS session_id,
        ${until}::timestamptz - (random() * ${options.days} * interval '1 day')
          + ((sin(random() * 6.283) * 4) * interval '1 hour') AS started_at,
        CASE WHEN random() < 0.4 THEN 1 ELSE 2 + floor(-ln(1 - random()) * 6.0)::int END AS pv,
        floor(random() * ${slots.length})::int AS slot,
        random() AS r_conv
      FROM generate_series(1, ${options.sessions}) AS i`;
    await tx`DELETE FROM gen WHERE started_at > ${until}::timestamptz`;
    await tx`
      INSERT INTO sessions (account_id, session_id, visitor_id, started_at, last_activity_at, page_view_count,
        initial_utm, initial_referrer, landing_url, click_ids, channel, source, referrer_domain, landing_path, is_test)
      SELECT ${options.accountId}, g.session_id, g.visitor_id, g.started_at,
        g.started_at + (g.pv - 1) * interval '40 seconds', g.pv, p.initial_utm, p.initial_referrer, p.landing_url,
        p.click_ids, p.channel, p.source, p.referrer_domain, p.landing_path, ${isTest}
      FROM gen g JOIN slots s ON s.slot = g.slot JOIN palette p ON p.idx = s.idx`;
    await tx`
      INSERT INTO events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, received_at,
        properties, is_test)
      SELECT ${options.accountId}, gen_random_uuid(), g.visitor_id, g.session_id, 'page_view',
        g.started_at + (k - 1) * interval '40 seconds', g.started_at + (k - 1) * interval '40 seconds',
        jsonb_build_object('url', 'https://shop.example/p/' || k, 'path', '/p/' || k), ${isTest}
      FROM gen g, generate_series(1, g.pv) AS k`;
    await tx`
      INSERT INTO events (account_id, event_id, visitor_id, session_id, event_type, occurred_at, received_at,
        properties, is_test)
      SELECT ${options.accountId}, gen_random_uuid(), g.visitor_id, g.session_id,
        CASE WHEN g.r_conv < 0.03 THEN 'signup' ELSE 'add_to_cart' END,
        g.started_at + g.pv * interval '40 seconds', g.started_at + g.pv * interval '40 seconds',
        '{"plan":"pro"}'::jsonb, ${isTest}
      FROM gen g WHERE g.r_conv < 0.09`;
    await tx`
      INSERT INTO visitors (account_id, visitor_id, first_seen_at, last_seen_at, is_test, first_channel, first_source)
      SELECT DISTINCT ON (s.visitor_id) ${options.accountId}, s.visitor_id, s.started_at,
        max(s.last_activity_at) OVER (PARTITION BY s.visitor_id), ${isTest}, s.channel, s.source
      FROM sessions s
      WHERE s.account_id = ${options.accountId} AND s.session_id LIKE ${`${options.prefix}s%`}
      ORDER BY s.visitor_id, s.started_at, s.channel, s.source`;
  });
}
