/** Picks the store from `--database`: SQLite in the state directory by default, PostgreSQL for postgres:// URLs. */
import { join } from 'node:path';
import { ConfigError } from '../config';
import { SqliteStore } from './sqlite-store';
import type { ServiceStore } from './types';

export async function openStore(database: string | undefined, stateDir: string): Promise<ServiceStore> {
  if (database === undefined || database === '') return new SqliteStore(join(stateDir, 'serve.db'));
  if (database.startsWith('sqlite:')) return new SqliteStore(database.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(database)) {
    throw new ConfigError('the PostgreSQL store is not built yet on this branch (see tools/serve/README.md); use the embedded SQLite store');
  }
  throw new ConfigError(`--database must be sqlite:FILE or postgres://..., got ${JSON.stringify(database)}`);
}
