/**
 * The advisory store: plain JSON files under `<state-dir>/advisories/`, each replaced atomically
 * (a reader sees the old or the new file, never a torn one; a failed import leaves the old store).
 * - `advisories.json`: every npm advisory by id, with the time the store last changed it;
 * - `inventories.json`: the locked inventory (name → versions) of each watched repository, as
 *   registered after its gather — the index `affected` answers from, without re-reading lockfiles.
 * Plain files rather than SQLite: the store is read whole by every consumer (matching needs every
 * advisory of the inventory's names), is rewritten only on import, and stays a few MB.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { byCodeUnit } from '../parse';
import { AdvisoryIndex } from './match';
import type { StoredAdvisory } from './osv';
import { toStoredAdvisory } from './osv';

export const STORE_SCHEMA = 1;

export interface StoreEntry extends StoredAdvisory {
  /** When this store last added or changed the record (ISO); drives `affected --since`. */
  changed_at: string;
}

export interface RegisteredInventory {
  registered_at: string;
  /** Package name → locked versions. */
  packages: Record<string, string[]>;
}

export interface ImportSummary {
  added: number;
  updated: number;
  /** Already stored with the same or a newer `modified`. */
  unchanged: number;
  withdrawn: number;
  /** Records with no npm package (other ecosystems). */
  not_npm: number;
  invalid: Array<{ source: string; message: string }>;
}

export function advisoriesDir(stateDir: string): string {
  return join(stateDir, 'advisories');
}

function readJsonFile<T>(path: string, fallback: T): T {
  if (!existsSync(path)) return fallback;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${path}: unreadable store file (${err instanceof Error ? err.message : String(err)}); remove it and re-import`);
  }
}

export class AdvisoryStore {
  readonly dir: string;
  private advisories: Map<string, StoreEntry>;
  private inventories: Map<string, RegisteredInventory>;
  private index?: AdvisoryIndex;
  private byName?: Map<string, string[]>;

  constructor(stateDir: string) {
    this.dir = advisoriesDir(stateDir);
    const a = readJsonFile<{ schema?: number; advisories?: Record<string, StoreEntry> }>(join(this.dir, 'advisories.json'), {});
    const i = readJsonFile<{ schema?: number; repositories?: Record<string, RegisteredInventory> }>(join(this.dir, 'inventories.json'), {});
    this.advisories = new Map(Object.entries(a.advisories ?? {}));
    this.inventories = new Map(Object.entries(i.repositories ?? {}));
  }

  get size(): number {
    return this.advisories.size;
  }

  get(id: string): StoreEntry | undefined {
    return this.advisories.get(id);
  }

  all(): StoreEntry[] {
    return [...this.advisories.values()].sort((a, b) => byCodeUnit(a.id, b.id));
  }

  /** Merges records into the store (in memory; `save()` writes). A record replaces the stored one only when its `modified` is later. */
  importRecords(records: Iterable<{ source: string; json: unknown; error?: string }>, now: Date): ImportSummary {
    const summary: ImportSummary = { added: 0, updated: 0, unchanged: 0, withdrawn: 0, not_npm: 0, invalid: [] };
    const stamp = now.toISOString();
    for (const { source, json, error } of records) {
      if (error !== undefined) {
        summary.invalid.push({ source, message: error });
        continue;
      }
      const parsed = toStoredAdvisory(json);
      if (!parsed.ok) {
        summary.invalid.push({ source, message: parsed.message });
        continue;
      }
      const record = parsed.value;
      if (record.affected.length === 0) {
        summary.not_npm++;
        continue;
      }
      const existing = this.advisories.get(record.id);
      if (existing && Date.parse(existing.modified) >= Date.parse(record.modified)) {
        summary.unchanged++;
        continue;
      }
      if (existing) summary.updated++;
      else summary.added++;
      if (record.withdrawn) summary.withdrawn++;
      this.advisories.set(record.id, { ...record, changed_at: stamp });
    }
    this.index = undefined;
    return summary;
  }

  /** Digest of what matching depends on: every record's id, modified and withdrawn. */
  contentHash(): string {
    return this.digestOf(this.all());
  }

  /** Digest of the records that name any of `names`: changes only when an advisory for one of them does. */
  digestForPackages(names: Iterable<string>): string {
    const wanted = new Set(names);
    return this.digestOf(this.all().filter((a) => a.affected.some((e) => wanted.has(e.package.name))));
  }

  private digestOf(list: readonly StoreEntry[]): string {
    const h = createHash('sha256');
    for (const a of list) h.update(`${a.id}\t${a.modified}\t${a.withdrawn ?? ''}\n`);
    return h.digest('hex');
  }

  matcher(): AdvisoryIndex {
    return (this.index ??= new AdvisoryIndex(this.advisories.values()));
  }

  registerInventory(repository: string, packages: Iterable<{ name: string; version: string }>, now: Date): void {
    const byName: Record<string, string[]> = {};
    for (const p of packages) (byName[p.name] ??= []).includes(p.version) || byName[p.name].push(p.version);
    for (const v of Object.values(byName)) v.sort(byCodeUnit);
    this.inventories.set(repository, { registered_at: now.toISOString(), packages: byName });
    this.byName = undefined;
  }

  /** Package name → repositories locking it; built once per store object, dropped on register. */
  private nameIndex(): Map<string, string[]> {
    if (this.byName) return this.byName;
    const names = new Map<string, string[]>();
    for (const [repo, inv] of this.inventories) {
      for (const name of Object.keys(inv.packages)) {
        const list = names.get(name);
        if (list) list.push(repo);
        else names.set(name, [repo]);
      }
    }
    return (this.byName = names);
  }

  inventory(repository: string): RegisteredInventory | undefined {
    return this.inventories.get(repository);
  }

  repositories(): string[] {
    return [...this.inventories.keys()].sort(byCodeUnit);
  }

  /**
   * Repositories whose registered inventory an advisory added or changed at or after `since` hits,
   * each with those advisory ids. Answers from the package-name index: only the names the changed
   * advisories name are looked up, and only their locked versions are evaluated.
   */
  affectedRepositories(since: Date): Array<{ repository: string; advisories: string[] }> {
    const changed = [...this.advisories.values()].filter((a) => !a.withdrawn && Date.parse(a.changed_at) >= since.getTime());
    if (changed.length === 0) return [];
    const names = this.nameIndex();
    const index = new AdvisoryIndex(changed);
    const hits = new Map<string, Set<string>>();
    const changedNames = new Set(changed.flatMap((a) => a.affected.map((e) => e.package.name)));
    for (const name of changedNames) {
      for (const repo of names.get(name) ?? []) {
        for (const version of this.inventories.get(repo)!.packages[name]) {
          for (const hit of index.lookup(name, version)) (hits.get(repo) ?? hits.set(repo, new Set()).get(repo)!).add(hit.advisory.id);
        }
      }
    }
    return [...hits.entries()]
      .map(([repository, ids]) => ({ repository, advisories: [...ids].sort(byCodeUnit) }))
      .sort((a, b) => byCodeUnit(a.repository, b.repository));
  }

  save(): void {
    const advisories: Record<string, StoreEntry> = {};
    for (const a of this.all()) advisories[a.id] = a;
    writeFileAtomic(join(this.dir, 'advisories.json'), `${JSON.stringify({ schema: STORE_SCHEMA, advisories })}\n`);
    const repositories: Record<string, RegisteredInventory> = {};
    for (const r of this.repositories()) repositories[r] = this.inventories.get(r)!;
    writeFileAtomic(join(this.dir, 'inventories.json'), `${JSON.stringify({ schema: STORE_SCHEMA, repositories })}\n`);
    writeFileAtomic(join(this.dir, 'content-hash'), `${this.contentHash()}\n`);
  }
}

/**
 * The API the continuous-gather service calls: repositories whose registered inventory an advisory
 * imported or modified since `since` hits. `store` is a state folder path or an opened store.
 */
export async function affectedRepositories(store: string | AdvisoryStore, since: Date | string): Promise<Array<{ repository: string; advisories: string[] }>> {
  const opened = typeof store === 'string' ? new AdvisoryStore(store) : store;
  const when = since instanceof Date ? since : new Date(since);
  if (Number.isNaN(when.getTime())) throw new Error(`affectedRepositories: invalid time ${JSON.stringify(since)}`);
  return opened.affectedRepositories(when);
}
