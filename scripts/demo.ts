// `pnpm demo`: the ingest service on the embedded database plus the Express example wired to it with a
// fresh test key; prints a UTM link to open, and on Ctrl-C shuts both down in order (app first, so its
// queue is delivered) and prints what was stored. Run by `node --import tsx` after the build.
//
// Env: MBUZZ_DEMO_INGEST_PORT (3000), MBUZZ_DEMO_APP_PORT (4000), MBUZZ_DEMO_DATA_DIR (.mbuzz/demo).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createAccount,
  createKey,
  type ExampleApp,
  INGEST_CLI,
  type Ingest,
  killAllChildren,
  openEmbeddedDatabase,
  REPO_ROOT,
  startExampleApp,
  startIngest,
} from '@mbuzz/ingest-harness';

const HOST = '127.0.0.1';
// A plain script run after the build, not a turbo task: its variables affect no cached output.
const env = process.env;
const ingestPort = Number(env.MBUZZ_DEMO_INGEST_PORT ?? 3000);
const appPort = Number(env.MBUZZ_DEMO_APP_PORT ?? 4000);
const dataDir = resolve(env.INIT_CWD ?? process.cwd(), env.MBUZZ_DEMO_DATA_DIR ?? '.mbuzz/demo');
// No DATABASE_URL: ingest uses the embedded database in dataDir.
const database = { dataDir };
const PORTS_HINT = `the demo's ports are set with MBUZZ_DEMO_INGEST_PORT (${ingestPort}) and MBUZZ_DEMO_APP_PORT (${appPort})`;

/** Prefixes a child's stderr with its name on ours. */
const echo = (name: string) => (text: string) => process.stderr.write(`[${name}] ${text}`);

/** A fresh test key for the "demo" account, creating the account on the first run. */
async function createDemoKey(): Promise<string> {
  const create = () => createKey(database, 'demo', { environment: 'test', description: 'pnpm demo' });
  try {
    return (await create()).key;
  } catch (error) {
    if (!/not found|no account|unknown account/i.test((error as Error).message)) throw error;
    await createAccount(database, 'demo');
    return (await create()).key;
  }
}

/** Reads the embedded database once the service has stopped (it allows one process at a time). */
async function printStoredRows(): Promise<void> {
  const db = await openEmbeddedDatabase(dataDir);
  try {
    const sessions = await db.sql<
      {
        started_at: Date;
        initial_utm: unknown;
        initial_referrer: string | null;
        page_view_count: number;
      }[]
    >`
      select s.started_at, s.initial_utm, s.initial_referrer, s.page_view_count, s.landing_url
      from sessions s join accounts a on a.id = s.account_id
      where a.slug = 'demo' order by s.started_at desc limit 5`;
    const events = await db.sql<
      { event_type: string; occurred_at: Date; path: string | null; props: unknown }[]
    >`
      select e.event_type, e.occurred_at, e.properties->>'path' as path, e.properties - 'user_agent' as props
      from events e join accounts a on a.id = e.account_id
      where a.slug = 'demo' order by e.occurred_at desc limit 10`;
    console.log(`\nStored for the demo account (newest first; everything stays in ${dataDir}):`);
    console.log('\n  sessions');
    for (const s of sessions) {
      console.log(
        `    ${s.started_at.toISOString()}  ${s.page_view_count} page view${s.page_view_count === 1 ? '' : 's'}  utm ${JSON.stringify(s.initial_utm)}` +
          `  from ${s.initial_referrer ?? '(direct)'}`,
      );
    }
    console.log('\n  events');
    for (const e of events) {
      const extra = e.event_type === 'page_view' ? '' : `  ${JSON.stringify(e.props)}`;
      console.log(`    ${e.occurred_at.toISOString()}  ${e.event_type.padEnd(10)} ${e.path ?? ''}${extra}`);
    }
    if (sessions.length === 0) console.log('    (nothing yet: open the link above while the demo runs)');
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const built: Array<[string, string]> = [
    [INGEST_CLI, 'the ingest service'],
    [resolve(REPO_ROOT, 'packages/express/dist/index.js'), '@mbuzz/express'],
  ];
  for (const [path, what] of built) {
    if (!existsSync(path))
      throw new Error(`${what} is not built (${path}): run \`pnpm demo\`, which builds first`);
  }
  console.log(`Preparing the embedded database in ${dataDir} …`);
  const apiKey = await createDemoKey();
  // Both in their own process group: Ctrl-C reaches only this script, which then stops the app before
  // the ingest service (stopping both at once would lose the app's last batch).
  let ingest: Ingest;
  let app: ExampleApp;
  try {
    ingest = await startIngest({
      name: 'the ingest service',
      database,
      port: ingestPort,
      // Ready once our key is accepted: another service already on the port (a `pnpm start` on 3000)
      // would answer /health too, and lose every event.
      apiKey,
      // The service's own rate limit, as a user runs it.
      env: { RATE_LIMIT_MAX: undefined },
      detached: true,
      onStderr: echo('ingest'),
    });
    app = await startExampleApp('express', {
      apiUrl: ingest.apiUrl,
      apiKey,
      flushIntervalMs: 1000,
      port: appPort,
      detached: true,
      onStderr: echo('app'),
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${PORTS_HINT}`);
  }
  const link = `http://${HOST}:${appPort}/?utm_source=demo&utm_medium=readme&utm_campaign=try_mbuzz`;
  console.log(`
mbuzz demo is running
  ingest service  ${ingest.apiUrl}   (embedded database, ${dataDir})
  example app     ${app.origin}            (examples/express, test key ${apiKey.slice(0, 12)}…)

Open this link, as if you came from a campaign, then click around and sign up:

  ${link}

Press Ctrl-C to stop: the app delivers its last events, both stop, and the stored sessions and
events are printed. (While the demo runs, the embedded database is held by the service.)
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) {
      // A second Ctrl-C: do not wait any longer.
      await killAllChildren();
      process.exit(130);
    }
    stopping = true;
    console.log('\nStopping: example app first (flushing its queue), then the ingest service …');
    const appExit = await app.stop();
    const ingestExit = await ingest.stop('SIGTERM');
    if (appExit !== 0 || ingestExit !== 0) {
      console.error(`unclean exit: app ${appExit}, ingest ${ingestExit}`);
      process.exitCode = 1;
    }
    await printStoredRows().catch((error: Error) => {
      console.error(`could not read the stored rows: ${error.message}`);
      process.exitCode = 1;
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // If a child dies on its own, there is no demo any more.
  Promise.race([app.service.exited, ingest.service.exited]).then((code) => {
    if (stopping) return;
    console.error(`a demo process exited unexpectedly (${code}); stopping`);
    void app.stop();
    void ingest.stop('SIGTERM');
    process.exitCode = 1;
  });
}

process.on('exit', () => void killAllChildren());

main().catch((error: Error) => {
  console.error(`pnpm demo: ${error.message}`);
  void killAllChildren();
  process.exitCode = 1;
});
