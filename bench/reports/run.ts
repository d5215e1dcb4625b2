import os from 'node:os';
import { refreshReportRollups } from '@mbuzz/ingest';
import { createKey, type Ingest, startIngest } from '@mbuzz/ingest-harness';
import { prepareDatabase } from './prepare.js';

/**
 * `pnpm bench:reports`: the dashboard's queries against one account with 2,000,000 sessions /
 * ~10,000,000 events over 90 days (plus three noise accounts of 200,000 sessions each), through the real
 * ingest service over HTTP with a read key. Cold = the first run of each query in a fresh service
 * process; warm = p50/p95 of BENCH_REPORTS_RUNS (20) runs after two warm-up runs. Then: how long a new
 * event takes to appear in a report after its 202.
 *
 * The data set is loaded once into the database `mbuzz_bench_reports` (~15 min on this machine) and
 * reused by later runs; BENCH_REPORTS_FRESH=1 loads it again, BENCH_REPORTS_SESSIONS changes its size.
 * Env: BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres).
 */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SESSIONS = Number(process.env.BENCH_REPORTS_SESSIONS ?? 2_000_000);
const RUNS = Number(process.env.BENCH_REPORTS_RUNS ?? 20);
const METRICS = [
  'visitors',
  'sessions',
  'page_views',
  'views_per_session',
  'bounce_rate',
  'conversions:signup',
];
const BREAKDOWN_METRICS = [
  'visitors',
  'sessions',
  'page_views',
  'bounce_rate',
  'conversions:signup',
  'conversion_rate:signup',
];

interface Shape {
  name: string;
  aimMs: number | null;
  /** One dashboard view: the queries it sends at once. */
  bodies: (days: [string, string]) => unknown[];
}

const shapes: Shape[] = [
  {
    name: 'overview 30 d (6 metrics + comparison, daily series)',
    aimMs: 300,
    bodies: (d) => [
      { date_range: d, metrics: METRICS, compare: 'previous_period' },
      { date_range: d, metrics: ['visitors', 'sessions', 'page_views'], dimensions: ['time:day'] },
    ],
  },
  ...[
    'channel',
    'source',
    'utm_campaign',
    'utm_medium',
    'referrer_domain',
    'landing_page',
    'first_channel',
  ].map(
    (dimension): Shape => ({
      name: `breakdown 30 d by ${dimension}`,
      aimMs: 200,
      bodies: (d) => [{ date_range: d, metrics: BREAKDOWN_METRICS, dimensions: [dimension], limit: 100 }],
    }),
  ),
  // A breakdown filtered by another dimension (touch rollups), and the same for first touch.
  ...[
    ['campaigns of Paid Search sessions', 'utm_campaign'],
    ['first-touch channels of Paid Search sessions', 'first_channel'],
  ].map(
    ([name, dimension]): Shape => ({
      name: name as string,
      aimMs: 200,
      bodies: (d) => [
        {
          date_range: d,
          metrics: BREAKDOWN_METRICS,
          dimensions: [dimension],
          filters: [['is', 'channel', ['Paid Search']]],
        },
      ],
    }),
  ),
  {
    name: 'all time (totals)',
    aimMs: 1000,
    bodies: () => [{ date_range: 'all', metrics: METRICS }],
  },
];

async function main(): Promise<number> {
  const log = (line: string) => console.log(line);
  const db = await prepareDatabase({
    adminUrl: ADMIN_URL,
    name: 'mbuzz_bench_reports',
    sessions: SESSIONS,
    reuse: process.env.BENCH_REPORTS_FRESH !== '1',
    log,
  });
  // The daily report rollups up to yesterday, as the service's refresher builds them after a load (or
  // finds them built on a reused database).
  const building = performance.now();
  const rollups = await refreshReportRollups(db.sql);
  log(
    rollups.enabled
      ? `report rollups: ${rollups.days} days built in ${((performance.now() - building) / 1000).toFixed(1)} s`
      : 'report rollups: the hll extension is not installed — every report reads sessions',
  );
  const [counts] = await db.sql<{ sessions: string; events: string }[]>`
    SELECT (SELECT count(*) FROM sessions WHERE account_id = ${db.accountId}) AS sessions,
           (SELECT count(*) FROM events WHERE account_id = ${db.accountId}) AS events`;
  const read = await createKey(db.url, 'bench', { environment: 'live', scope: 'read' });
  const ingestKey = await createKey(db.url, 'bench', { environment: 'live' });
  // The data set ends at its load time; 30 days ending there is what the dashboard shows that day.
  const to = db.until.toISOString().slice(0, 10);
  const from = new Date(db.until.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const days: [string, string] = [from, to];

  let service: Ingest | undefined;
  try {
    service = await startIngest({
      name: 'bench:reports service',
      database: db.url,
      onStderr: (t) => process.stderr.write(t),
    });
    const api = service.apiUrl;
    const post = async (body: unknown) => {
      const res = await fetch(`${api}/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${read.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`query answered ${res.status}: ${await res.text()}`);
      return res.json() as Promise<{ results: Array<{ metrics: number[] }> }>;
    };
    const view = async (bodies: unknown[]) => {
      const started = performance.now();
      await Promise.all(bodies.map(post));
      return performance.now() - started;
    };

    log(
      `\nbench:reports — account: ${Number(counts?.sessions).toLocaleString('en')} sessions, ${Number(counts?.events).toLocaleString('en')} events; range ${from} … ${to}; ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const rows: string[][] = [];
    let missed = 0;
    for (const shape of shapes) {
      const bodies = shape.bodies(days);
      const cold = await view(bodies);
      await view(bodies);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i += 1) times.push(await view(bodies));
      times.sort((a, b) => a - b);
      const p = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] as number;
      const p95 = p(0.95);
      const met = shape.aimMs === null ? '' : p95 <= shape.aimMs ? 'met' : 'MISSED';
      if (met === 'MISSED') missed += 1;
      rows.push([
        shape.name,
        cold.toFixed(0),
        p(0.5).toFixed(0),
        p95.toFixed(0),
        shape.aimMs === null ? '—' : `≤ ${shape.aimMs}`,
        met,
      ]);
    }

    // Freshness: a new session's page view, then poll a report until it counts it.
    const path = `/fresh-${Date.now()}`;
    const sent = await fetch(`${api}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            event_type: 'page_view',
            visitor_id: `fresh${Date.now()}`,
            session_id: `fresh${Date.now()}`,
            properties: { url: `https://shop.example${path}`, path },
          },
        ],
      }),
    });
    if (sent.status !== 202) throw new Error(`event answered ${sent.status}`);
    const accepted = performance.now();
    let visibleMs = Number.NaN;
    for (let i = 0; i < 200; i += 1) {
      const answer = await post({
        date_range: 'today',
        metrics: ['sessions'],
        filters: [['is', 'landing_page', [path]]],
      });
      if ((answer.results[0]?.metrics[0] ?? 0) >= 1) {
        visibleMs = performance.now() - accepted;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const freshMet = visibleMs <= 10_000 ? 'met' : 'MISSED';
    if (freshMet === 'MISSED') missed += 1;
    rows.push([
      'new event visible in a report after its 202',
      '',
      visibleMs.toFixed(0),
      '',
      '≤ 10000',
      freshMet,
    ]);

    const header = ['view', 'cold ms', 'p50 ms', 'p95 ms', 'aim', ''];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
        .join('  ');
    log(`\n${line(header)}\n${rows.map(line).join('\n')}\n`);
    log(
      `${RUNS} warm runs per view after 2 warm-ups; a view's queries are sent at once, as the dashboard does.`,
    );
    log(missed === 0 ? 'every aim met' : `${missed} aim(s) MISSED`);
    return 0;
  } finally {
    await service?.stop();
    await db.sql.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
