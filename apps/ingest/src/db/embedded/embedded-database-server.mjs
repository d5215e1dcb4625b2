// @ts-check
// The child process of the embedded database: PGlite (Postgres compiled to WASM) behind
// pglite-socket, so the service talks to it with postgres.js exactly as to a real server.
//
// Plain JavaScript on purpose: the parent forks this file by path, and that path has to be the same
// whether the parent runs from src/ (tests) or from the bundle in dist/ (which tsup does not emit
// extra entries for). It runs only as `fork(thisFile, [pgdataDir, listenOn])` with an IPC channel, where
// listenOn is a unix socket path or a TCP port on 127.0.0.1 (0: any free port).
//
// Messages to the parent: { type: 'listening', port | path } once, or { type: 'failed', message }.
// Messages from the parent: { type: 'stop' }. Losing the parent (IPC disconnect) also stops it, so a
// killed service never leaves an orphan holding the data directory.
import { renameSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [pgdataDir, listenOn = '0'] = process.argv.slice(2);

/** @type {PGlite | undefined} */
let db;
/** @type {PGLiteSocketServer | undefined} */
let server;
/** @type {Promise<void> | undefined} */
let stopping;
const tcp = /^\d+$/.test(listenOn);

/** @param {unknown} message */
function send(message) {
  if (process.connected) process.send?.(message);
}

async function start() {
  if (!pgdataDir) throw new Error('usage: embedded-database-server.mjs <pgdata dir> [socket path | port]');
  db = await PGlite.create({ dataDir: pgdataDir });
  // A unix socket is bound under a temporary name and renamed into place: a restart replaces the socket
  // of a dead child atomically, so clients see "connection refused" (retryable), never "no such file".
  const bindPath = `${listenOn}.${process.pid}`;
  server = tcp
    ? new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(listenOn), maxConnections: 1 })
    : new PGLiteSocketServer({ db, path: bindPath, maxConnections: 1 });
  /** @type {{ port?: number; path?: string }} */
  let address = {};
  server.addEventListener('listening', (event) => {
    address = /** @type {CustomEvent} */ (event).detail ?? {};
  });
  await server.start();
  if (!tcp) {
    renameSync(bindPath, listenOn);
    address = { path: listenOn };
  }
  send({ type: 'listening', ...address });
}

const started = start().catch((error) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});

/** Closes cleanly — after the start has finished, so a parent lost during initdb leaves a usable folder. */
function stop() {
  stopping ??= started.then(async () => {
    try {
      await server?.stop();
      // The socket was renamed into place, so the server cannot remove it under its bound name.
      if (server && !tcp) rmSync(listenOn, { force: true });
      // close() shuts Postgres down cleanly: everything written is on disk afterwards.
      if (db && !db.closed) await db.close();
    } catch (error) {
      process.stderr.write(`embedded database: close failed: ${String(error)}\n`);
      process.exitCode = 1;
    }
    if (process.connected) process.disconnect();
  });
  return stopping;
}

process.on('message', (message) => {
  if (message && typeof message === 'object' && 'type' in message && message.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
// Ctrl-C reaches the whole foreground process group; the parent decides when the database stops,
// after its in-flight requests have finished.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => void stop());
// A failed start has nothing to keep running for.
void started.then(() => {
  if (process.exitCode === 1) void stop();
});
