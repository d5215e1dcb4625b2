import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let db: TestDatabase;
beforeAll(async () => {
  // `pnpm test` builds first (turbo); build here only when run on its own.
  if (!existsSync(distIndex)) {
    const result = spawnSync('pnpm', ['exec', 'tsup'], { cwd: packageDir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
  }
  db = await createTestDatabase({ migrate: false });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

it('the built bundle ships the SQL files and its migrate() applies them', async () => {
  const shipped = readdirSync(fileURLToPath(new URL('../dist/migrations/', import.meta.url)));
  const source = readdirSync(fileURLToPath(new URL('../src/db/migrations/', import.meta.url)));
  expect(shipped.sort()).toEqual(source.sort());

  const built = (await import(distIndex)) as typeof import('../src/index.js');
  const result = await built.migrate(db.sql);
  expect(result.applied).toContain('001.do.initial.sql');
  const tables = await db.sql`SELECT to_regclass('public.events') AS events`;
  expect(tables[0]?.events).toBe('events');
});
