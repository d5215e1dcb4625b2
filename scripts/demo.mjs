#!/usr/bin/env node
// `pnpm demo`: the ingest service on the embedded database plus the Express example wired to it with a
// fresh test key; prints a UTM link to open, and on Ctrl-C shuts both down in order (app first, so its
// queue is delivered) and prints what was stored.
//
// Env: MBUZZ_DEMO_INGEST_PORT (3000), MBUZZ_DEMO_APP_PORT (4000), MBUZZ_DEMO_DATA_DIR (.mbuzz/demo).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INGEST_CLI = resolve(ROOT, 'apps/ingest/dist/cli.js');
const INGEST_INDEX = resolve(ROOT, 'apps/ingest/dist/index.js');
const APP_SERVER = resolve(ROOT, 'examples/express/server.js');
const HOST = '127.0.0.1';
// A plain script run after the build, not a turbo task: its variables affect no cached output.
const env = process.env;
const ingestPort = Number(env.MBUZZ_DEMO_INGEST_PORT ?? 3000);
const appPort = Number(env.MBUZZ_DEMO_APP_PORT ?? 4000);
const dataDir = resolve(env.INIT_CWD ?? process.cwd(), env.MBUZZ_DEMO_DATA_DIR ?? '.mbuzz/demo');

// The children get only what they need: above all no DATABASE_URL, so ingest uses the embedded database.
const baseEnv = {
  PATH: env.PATH,
  HOME: env.HOME,
  TMPDIR: env.TMPDIR,
  LANG: 'C.UTF-8',
};
const ingestEnv = { ...baseEnv, MBUZZ_DATA_DIR: dataDir, PORT: String(ingestPort), HOST, LOG_LEVEL: 'warn' };

const children = new Set();

/** Runs one CLI command to completion; resolves its stdout, rejects with its stderr. */
function runCli(args) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [INGEST_CLI, ...args], { cwd: ROOT, env: ingestEnv });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(err.trim() || `exit ${code}`))));
  });
}

/**
 * Starts a long-running child in its own process group: Ctrl-C reaches only this script, which then
 * stops the app before the ingest service (stopping both at once would lose the app's last batch).
 */
function startChild(name, args, env, ready) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exited = new Promise((done) => child.on('exit', (code, signal) => done(code ?? signal)));
  exited.then(() => children.delete(child));
  child.stderr.on('data', (chunk) => process.stderr.write(`[${name}] ${chunk}`));
  const started = { child, exited, output: () => output };
  return new Promise((done, fail) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (ready?.test(output)) done(started);
    });
    if (!ready) done(started);
    exited.then((code) => fail(new Error(`${name} exited (${code}) before it was ready:\n${output}`)));
  });
}

/**
 * Waits until our ingest child answers, and checks with the key that it is ours: another service
 * already on the port (a `pnpm start` on 3000) would answer /health too, and lose every event.
 */
async function waitForIngest(ingest, baseUrl, apiKey, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ingest.child.exitCode !== null) {
      throw new Error(
        `the ingest service exited (${ingest.child.exitCode}); the demo's ports are set with ` +
          `MBUZZ_DEMO_INGEST_PORT (${ingestPort}) and MBUZZ_DEMO_APP_PORT (${appPort})\n${ingest.output()}`,
      );
    }
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) {
        const validate = await fetch(`${baseUrl}/validate`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        if (validate.ok) return;
        throw new Error(
          `another service answers on ${baseUrl} (port busy?): set MBUZZ_DEMO_INGEST_PORT to a free port`,
        );
      }
    } catch (error) {
      if (error.message.includes('another service')) throw error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${baseUrl}/health did not answer within ${timeoutMs} ms`);
}

/** A fresh test key for the "demo" account, creating the account on the first run. */
async function createDemoKey() {
  const create = () =>
    runCli([
      'keys',
      'create',
      '--account',
      'demo',
      '--environment',
      'test',
      '--description',
      'pnpm demo',
      '--json',
    ]);
  let out;
  try {
    out = await create();
  } catch (error) {
    if (!/not found|no account|unknown account/i.test(error.message)) throw error;
    await runCli(['accounts', 'create', '--name', 'demo', '--json']);
    out = await create();
  }
  return JSON.parse(out).key;
}

/** Reads the embedded database once the service has stopped (it allows one process at a time). */
async function printStoredRows() {
  const { loadConfig, openDatabase } = await import(pathToFileURL(INGEST_INDEX).href);
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };
  const db = await openDatabase(loadConfig(ingestEnv), quiet);
  try {
    const sessions = await db.sql`
      select s.started_at, s.initial_utm, s.initial_referrer, s.page_view_count, s.landing_url
      from sessions s join accounts a on a.id = s.account_id
      where a.slug = 'demo' order by s.started_at desc limit 5`;
    const events = await db.sql`
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

async function main() {
  for (const [path, what] of [
    [INGEST_CLI, 'the ingest service'],
    [resolve(ROOT, 'packages/express/dist/index.js'), '@mbuzz/express'],
  ]) {
    if (!existsSync(path))
      throw new Error(`${what} is not built (${path}): run \`pnpm demo\`, which builds first`);
  }
  console.log(`Preparing the embedded database in ${dataDir} …`);
  const apiKey = await createDemoKey();
  const ingest = await startChild('ingest', [INGEST_CLI, 'serve'], ingestEnv, null);
  await waitForIngest(ingest, `http://${HOST}:${ingestPort}/api/v1`, apiKey);
  const app = await startChild(
    'app',
    [APP_SERVER],
    {
      ...baseEnv,
      PORT: String(appPort),
      HOST,
      MBUZZ_API_URL: `http://${HOST}:${ingestPort}/api/v1`,
      MBUZZ_API_KEY: apiKey,
      MBUZZ_FLUSH_INTERVAL_MS: '1000',
    },
    /listening on http:\/\/\S+/,
  );
  const link = `http://${HOST}:${appPort}/?utm_source=demo&utm_medium=readme&utm_campaign=try_mbuzz`;
  console.log(`
mbuzz demo is running
  ingest service  http://${HOST}:${ingestPort}/api/v1   (embedded database, ${dataDir})
  example app     http://${HOST}:${appPort}            (examples/express, test key ${apiKey.slice(0, 12)}…)

Open this link, as if you came from a campaign, then click around and sign up:

  ${link}

Press Ctrl-C to stop: the app delivers its last events, both stop, and the stored sessions and
events are printed. (While the demo runs, the embedded database is held by the service.)
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) {
      // A second Ctrl-C: do not wait any longer.
      for (const child of children) process.kill(-child.pid, 'SIGKILL');
      process.exit(130);
    }
    stopping = true;
    console.log('\nStopping: example app first (flushing its queue), then the ingest service …');
    app.child.kill('SIGTERM');
    const appExit = await app.exited;
    ingest.child.kill('SIGTERM');
    const ingestExit = await ingest.exited;
    if (appExit !== 0 || ingestExit !== 0) {
      console.error(`unclean exit: app ${appExit}, ingest ${ingestExit}`);
      process.exitCode = 1;
    }
    await printStoredRows().catch((error) => {
      console.error(`could not read the stored rows: ${error.message}`);
      process.exitCode = 1;
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // If a child dies on its own, there is no demo any more.
  Promise.race([app.exited, ingest.exited]).then((code) => {
    if (stopping) return;
    console.error(`a demo process exited unexpectedly (${code}); stopping`);
    for (const child of children) child.kill('SIGTERM');
    process.exitCode = 1;
  });
}

process.on('exit', () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
});

main().catch((error) => {
  console.error(`pnpm demo: ${error.message}`);
  for (const child of children) child.kill('SIGKILL');
  process.exitCode = 1;
});
