/**
 * The advisory side of the continuous-gather service's CVE-feed trigger (`tools/serve/advisory-port.ts`
 * loads this module by path). The service hands over its state folder and, per watched repository,
 * the context folder of its last good gather; this registers any inventory that is newer than the
 * one the store holds (one `stat` per repository when nothing changed — lockfiles are never re-read
 * on this path) and answers from the store's package-name index.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RAW_DIR } from '../artifact-paths';
import { lockedPackagesOfContext } from './cli';
import { AdvisoryStore } from './store';

export interface WatchedInventoryRef {
  stateDir: string;
  repositories: { id: string; contextDir: string | null }[];
}

export interface AffectedRepositoryHit {
  repo: string;
  advisory: string;
}

export function affectedRepositories(ref: WatchedInventoryRef, since: string): AffectedRepositoryHit[] {
  const when = new Date(since);
  if (Number.isNaN(when.getTime())) throw new Error(`affectedRepositories: invalid time ${JSON.stringify(since)}`);
  const store = new AdvisoryStore(ref.stateDir);
  let registered = false;
  for (const { id, contextDir } of ref.repositories) {
    if (!contextDir) continue;
    const manifest = join(contextDir, RAW_DIR, 'manifest.json');
    if (!existsSync(manifest)) continue;
    const mtime = statSync(manifest).mtime;
    const known = store.inventory(id);
    if (known && new Date(known.registered_at) >= mtime) continue;
    store.registerInventory(id, lockedPackagesOfContext(contextDir), mtime);
    registered = true;
  }
  if (registered) store.save();
  const watched = new Set(ref.repositories.map((r) => r.id));
  return store
    .affectedRepositories(when)
    .filter((hit) => watched.has(hit.repository))
    .flatMap((hit) => hit.advisories.map((advisory) => ({ repo: hit.repository, advisory })));
}
