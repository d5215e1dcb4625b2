// @ts-check
// The child process of the embedded database: PGlite (Postgres compiled to WASM) behind
// pglite-socket, so the service talks to it with postgres.js exactly as to a real server.
//
// Plain JavaScript on purpose: the parent forks this file by path, and that path has to be the same
// whether the parent runs from src/ (tests) or from the bundle in dist/ (which tsup does not emit
// extra entries for). It runs only as `fork(thisFile, [pgdataDir, socketPath])` with an IPC channel.
//
// Messages to the parent: { type: 'listening', port | path } once, or { type: 'failed', message }.
// Messages from the parent: { type: 'stop' }. Losing the parent (IPC disconnect) also stops it, so a
// killed service never leaves an orphan holding the data directory.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [pgdataDir, socketPath] = process.argv.slice(2);

/** @type {PGlite | undefined} */
let db;
/** @type {PGLiteSocketServer | undefined} */
let server;
/** @type {Promise<void> | undefined} */
let stopping;

/** @param {unknown} message */
function send(message) {
  if (process.connected) process.send?.(message);
}

function stop() {
  stopping ??= (async () => {
    try {
      await server?.stop();
      // close() shuts Postgres down cleanly: everything written is on disk afterwards.
      await db?.close();
      process.exitCode = 0;
    } catch (error) {
      process.stderr.write(`embedded database: close failed: ${String(error)}\n`);
      process.exitCode = 1;
    }
    process.disconnect?.();
  })();
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

try {
  if (!pgdataDir) throw new Error('usage: embedded-database-server.mjs <pgdata dir> [socket path]');
  db = await PGlite.create({ dataDir: pgdataDir });
  server = socketPath
    ? new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 })
    : new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  /** @type {{ port?: number; path?: string }} */
  let address = {};
  server.addEventListener('listening', (event) => {
    address = /** @type {CustomEvent} */ (event).detail ?? {};
  });
  await server.start();
  send({ type: 'listening', ...address });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  await stop();
  process.exitCode = 1;
}
