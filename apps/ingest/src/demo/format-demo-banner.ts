import type { DemoSeed } from './seed-demo.js';

/**
 * The text printed after `serve` starts: where the dashboard is, and on the embedded database the new
 * demo login and key (with a curl that sends one page view), or a reminder of how to make them.
 *
 * @example
 * process.stdout.write(formatDemoBanner(seed, 'http://127.0.0.1:3000', { dashboard: true }));
 */
export function formatDemoBanner(
  seed: DemoSeed | undefined,
  serverUrl: string,
  options: { dashboard: boolean },
): string {
  const base = reachableUrl(serverUrl);
  const dashboard = options.dashboard
    ? `  Dashboard: ${base}/`
    : '  Dashboard: off (DASHBOARD=false): only the API is served.';
  if (!seed) {
    return ['', `  mbuzz ingest on ${base}.`, dashboard, ''].join('\n');
  }
  if (!seed.created) {
    const slug = seed.account?.slug ?? '<account>';
    return [
      '',
      `  mbuzz ingest on ${base} (embedded database).`,
      dashboard,
      ...(seed.account?.slug === 'demo'
        ? ['  The demo account exists; its login and key were printed on the first start.']
        : []),
      '  A new dashboard login (prints its password once):',
      `    pnpm ingest users create --account ${slug} --email you@example.com --role admin`,
      '  A new test key:',
      `    pnpm ingest keys create --account ${slug} --environment test`,
      '',
    ].join('\n');
  }
  return [
    '',
    `  mbuzz ingest on ${base} (embedded database).`,
    `  Created the demo account "${seed.account.slug}" with a dashboard login and a test API key.`,
    '  They are shown only once — copy them now.',
    '',
    options.dashboard
      ? `  Open the dashboard at ${base}/ and log in with:`
      : '  The dashboard login (the dashboard is off: DASHBOARD=false):',
    '',
    `    email     ${seed.user.email}`,
    `    password  ${seed.user.password}`,
    '',
    '  The test API key:',
    '',
    `    ${seed.key}`,
    '',
    '  Send a page view with UTM parameters (answer: 202 {"accepted":1,…}):',
    '',
    indent(demoCurl(base, seed.key), 4),
    '',
    '  More keys: in the dashboard (API keys), or pnpm ingest keys create --account demo --environment test',
    '',
  ].join('\n');
}

/**
 * A ready-to-paste curl sending one page view with UTM parameters in its URL.
 *
 * @example
 * demoCurl('http://127.0.0.1:3000', 'sk_test_…')
 */
export function demoCurl(baseUrl: string, key: string): string {
  const body = {
    events: [
      {
        event_type: 'page_view',
        visitor_id: 'demo-visitor-1',
        session_id: 'demo-session-1',
        properties: {
          url: 'https://shop.example/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch',
          path: '/pricing',
          referrer: 'https://mail.example/',
        },
      },
    ],
  };
  return [
    `curl -i -X POST ${baseUrl}/api/v1/events \\`,
    `  -H 'Authorization: Bearer ${key}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify(body)}'`,
  ].join('\n');
}

/** A server bound to every interface is reached on loopback. */
function reachableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.origin;
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}
