import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { EmbeddedDatabaseInUseError } from '../db/embedded/data-dir-lock.js';
import { CliError, describeError } from './describe-error.js';

describe('describeError', () => {
  it('shows messages written for the user as they are, on one line', () => {
    expect(describeError(new CliError('bad input'))).toBe('bad input');
    expect(
      describeError(new ConfigError('Invalid configuration:\n  PORT must be …\n  LOG_LEVEL must be …')),
    ).toBe('Invalid configuration: PORT must be …; LOG_LEVEL must be …');
    expect(describeError(new EmbeddedDatabaseInUseError('/data', 42))).toBe(
      'the embedded database in /data is in use by another mbuzz-ingest process (pid 42); stop it or set DATABASE_URL',
    );
  });

  it('names host and port of an unreachable database, never the connection string', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.5',
      port: 5432,
    });
    expect(describeError(refused)).toBe(
      'cannot reach the database at 10.0.0.5:5432 (ECONNREFUSED): is it running, and is DATABASE_URL right?',
    );
    const missingSocket = Object.assign(new Error('connect ENOENT /x/.s.PGSQL.5432'), {
      code: 'ENOENT',
      syscall: 'connect',
    });
    expect(describeError(missingSocket)).toMatch(/^cannot reach the database \(ENOENT\)/);
    // ENOENT elsewhere (a missing file) is not a database problem.
    expect(describeError(Object.assign(new Error('open x'), { code: 'ENOENT', syscall: 'open' }))).toBe(
      'unexpected error: open x',
    );
  });

  it('explains Postgres errors that have a known remedy', () => {
    const pg = (code: string, message: string) =>
      Object.assign(new Error(message), { name: 'PostgresError', code });
    expect(describeError(pg('42P01', 'relation "accounts" does not exist'))).toBe(
      'the database has no mbuzz tables yet: run `mbuzz-ingest migrate` first',
    );
    expect(describeError(pg('28P01', 'password authentication failed for user "x"'))).toBe(
      'cannot use the database: password authentication failed for user "x"; check DATABASE_URL',
    );
    expect(describeError(pg('23505', 'duplicate key'))).toBe('database error: duplicate key');
    expect(describeError('a string')).toBe('unexpected error: a string');
  });
});
