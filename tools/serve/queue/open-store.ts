/** Picks the store from `--database`: SQLite in the state directory by default, PostgreSQL for postgres:// URLs. */
import { join } from 'node:path';
import { ConfigError } from '../config';
import { PostgresStore } from './postgres-store';
import { SqliteStore } from './sqlite-store';
import type { ServiceStore } from './types';

export async function openStore(database: string | undefined, stateDir: string): Promise<ServiceStore> {
  if (database === undefined || database === '') return new SqliteStore(join(stateDir, 'serve.db'));
  if (database.startsWith('sqlite:')) return new SqliteStore(database.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(database)) {
    try {
      return await PostgresStore.open(database);
    } catch (err) {
      // The URL may carry a password: name the server by host and port only.
      let where = 'the PostgreSQL server';
      try {
        const u = new URL(database);
        where = `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname}`;
      } catch {
        // not a parseable URL: the driver's message says why
      }
      throw new ConfigError(`cannot open the queue in ${where}: ${(err as Error).message}`);
    }
  }
  throw new ConfigError(`--database must be sqlite:FILE or postgres://..., got ${JSON.stringify(database)}`);
}
