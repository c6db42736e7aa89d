/**
 * The one place the service meets advisory matching (issue 13): `affectedRepositories(store, since)`
 * lists the watched repositories a newly imported or modified advisory hits, from
 * `tools/advisories/affected-repositories.ts`. A CVE feed event may also carry the match itself
 * (`affected` in the POST body), or the service is started with `--advisory-module FILE` exporting
 * another `affectedRepositories`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface AffectedRepository {
  /** The repository id in the watched registry. */
  repo: string;
  advisory: string;
  /** e.g. `lodash@4.17.20 < 4.17.21` — shown as the risk flag's detail. */
  detail?: string;
  severity?: string;
}

/** What the matcher reads the locked inventories from: the service hands it its state directory. */
export interface AdvisoryStoreRef {
  stateDir: string;
  repositories: { id: string; contextDir: string | null }[];
}

export type AffectedRepositoriesFunction = (store: AdvisoryStoreRef, since: string) => Promise<AffectedRepository[]> | AffectedRepository[];

export function loadAdvisoryMatcher(moduleFile?: string): AffectedRepositoriesFunction | undefined {
  const file = moduleFile ? resolve(moduleFile) : join(__dirname, '..', 'advisories', 'affected-repositories');
  if (!moduleFile && !existsSync(`${file}.js`) && !existsSync(`${file}.ts`)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { affectedRepositories?: AffectedRepositoriesFunction };
  if (typeof mod.affectedRepositories !== 'function') throw new Error(`${file} exports no affectedRepositories function`);
  return mod.affectedRepositories;
}
