import type { DemoSeed } from './seed-demo.js';

/**
 * The text printed after a start on the embedded database: the new demo key with a curl that sends one
 * page view, or a reminder of how to make a key.
 *
 * @example
 * process.stdout.write(formatDemoBanner(seed, 'http://127.0.0.1:3000'));
 */
export function formatDemoBanner(seed: DemoSeed, serverUrl: string): string {
  const base = reachableUrl(serverUrl);
  if (!seed.created) {
    const slug = seed.account?.slug ?? '<account>';
    return [
      '',
      `  mbuzz ingest on ${base} (embedded database).`,
      seed.account?.slug === 'demo'
        ? '  The demo account exists; its key was printed on the first start. A new test key:'
        : '  A new test key:',
      `    pnpm ingest keys create --account ${slug} --environment test`,
      '',
    ].join('\n');
  }
  return [
    '',
    `  mbuzz ingest on ${base} (embedded database).`,
    `  Created the demo account "${seed.account.slug}" and a test API key. It is shown only once — copy it now:`,
    '',
    `    ${seed.key}`,
    '',
    '  Send a page view with UTM parameters (answer: 202 {"accepted":1,…}):',
    '',
    indent(demoCurl(base, seed.key), 4),
    '',
    '  More keys: pnpm ingest keys create --account demo --environment test',
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
