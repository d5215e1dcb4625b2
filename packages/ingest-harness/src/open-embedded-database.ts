import { pathToFileURL } from 'node:url';
import type postgres from 'postgres';
import { INGEST_INDEX } from './paths.js';

/** The part of the built @mbuzz/ingest library the tests use (it ships no type declarations). */
interface IngestLibrary {
  loadConfig(env: Record<string, string | undefined>): unknown;
  openDatabase(config: unknown, logger: unknown): Promise<{ sql: postgres.Sql; close(): Promise<void> }>;
}

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => quiet };

/**
 * Opens an embedded (PGlite) data directory the way the service does, to read what it stored. Only
 * one process may hold it: the service must have stopped.
 *
 * @example
 * const db = await openEmbeddedDatabase('/tmp/mbuzz-demo-x');
 * await db.sql`select count(*) from events`;
 * await db.close();
 */
export async function openEmbeddedDatabase(dataDir: string) {
  const ingest = (await import(pathToFileURL(INGEST_INDEX).href)) as IngestLibrary;
  return ingest.openDatabase(ingest.loadConfig({ MBUZZ_DATA_DIR: dataDir }), quiet);
}
