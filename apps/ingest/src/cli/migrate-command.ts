import type { Command } from 'commander';
import { migrate } from '../db/migrate.js';
import { createOutput } from './output.js';
import { withDatabase } from './with-database.js';

/** `migrate`: brings the schema of DATABASE_URL (or the embedded database) to the newest version. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending schema migrations (forward-only)')
    .action(async (_options: unknown, command: Command) => {
      const out = createOutput(command.optsWithGlobals());
      const result = await withDatabase((sql) => migrate(sql), { migrateEmbedded: false });
      out.result(result, () =>
        result.applied.length === 0
          ? `schema is up to date (version ${result.version})`
          : `applied ${result.applied.join(', ')}; schema version ${result.version}`,
      );
    });
}
