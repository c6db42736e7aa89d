/**
 * The scanner's per-file result cache. An entry maps a key (BLAKE3 of the language, parser
 * version, rule-set hash and file content) to that file's findings, so after a one-file change
 * only that file is parsed again even though the Nx task re-ran. It lives in the workspace's
 * cache folder, never in the gathered artifacts.
 *
 * Layout: `<dir>/v1/shards/<first two hex digits of the key>.json`, one JSON object per shard
 * (256 files at most, however large the repository), each replaced atomically (temp file +
 * rename). One file per source file would mean thousands of small writes on a cold run.
 * Entries unused for 30 days are evicted; a hit refreshes an entry's time at most once a day, so
 * warm runs do not rewrite shards. `last-run.json` keeps the statistics of the latest run.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { isRecord } from '../../tools/parse';
import type { RawFinding } from './match-file';

export const DAY_MS = 86_400_000;
export const MAX_AGE_MS = 30 * DAY_MS;
/** A hit older than this rewrites its entry's time; younger hits leave the shard untouched. */
const TOUCH_AFTER_MS = DAY_MS;
/** Untouched shards are swept for expired entries at most this often. */
const SWEEP_EVERY_MS = DAY_MS;
const LAYOUT = 'v1';

interface Entry {
  /** Last use, ms since the epoch. */
  t: number;
  f: RawFinding[];
}

interface LoadedShard {
  entries: Map<string, Entry>;
  dirty: boolean;
}

export interface LastRun {
  hits: number;
  misses: number;
  stored: number;
  evicted: number;
  hit_ratio: number | null;
  finished_at: string;
}

export interface CacheOptions {
  /** Injected clock (ms since the epoch), for tests. */
  now?: () => number;
  maxAgeMs?: number;
}

function layoutDir(dir: string): string {
  return join(dir, LAYOUT);
}

function shardsDir(dir: string): string {
  return join(layoutDir(dir), 'shards');
}

function isFinding(v: unknown): v is RawFinding {
  return (
    Array.isArray(v) && v.length === 6 && typeof v[0] === 'string' && typeof v[5] === 'string' &&
    [v[1], v[2], v[3], v[4]].every((n) => Number.isInteger(n))
  );
}

/** Reads a shard; a missing, torn or foreign file reads as empty (it is only a cache). */
function readShard(path: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return entries;
  }
  if (!isRecord(parsed) || !isRecord(parsed.entries)) return entries;
  for (const [key, value] of Object.entries(parsed.entries)) {
    if (isRecord(value) && typeof value.t === 'number' && Array.isArray(value.f) && value.f.every(isFinding)) {
      entries.set(key, { t: value.t, f: value.f });
    }
  }
  return entries;
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, text);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

function writeShard(path: string, entries: Map<string, Entry>): void {
  if (entries.size === 0) {
    rmSync(path, { force: true });
    return;
  }
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  writeAtomically(path, JSON.stringify({ v: 1, entries: Object.fromEntries(sorted) }));
}

function shardFiles(dir: string): string[] {
  try {
    return readdirSync(shardsDir(dir)).filter((f) => /^[0-9a-f]{2}\.json$/.test(f)).sort();
  } catch {
    return [];
  }
}

/** Drops entries unused for `maxAgeMs` from every shard; returns how many were dropped. */
export function evictStale(dir: string, now: number, maxAgeMs = MAX_AGE_MS): number {
  let evicted = 0;
  for (const file of shardFiles(dir)) {
    const path = join(shardsDir(dir), file);
    const entries = readShard(path);
    let changed = false;
    for (const [key, entry] of entries) {
      if (now - entry.t > maxAgeMs) {
        entries.delete(key);
        evicted++;
        changed = true;
      }
    }
    if (changed) writeShard(path, entries);
  }
  return evicted;
}

export class ResultCache {
  private readonly shards = new Map<string, LoadedShard>();
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  hits = 0;
  misses = 0;
  stored = 0;
  evicted = 0;

  constructor(
    readonly dir: string,
    options: CacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
  }

  private shard(key: string): LoadedShard {
    const prefix = key.slice(0, 2);
    let shard = this.shards.get(prefix);
    if (!shard) {
      shard = { entries: readShard(join(shardsDir(this.dir), `${prefix}.json`)), dirty: false };
      this.shards.set(prefix, shard);
    }
    return shard;
  }

  get(key: string): RawFinding[] | undefined {
    const shard = this.shard(key);
    const entry = shard.entries.get(key);
    const now = this.now();
    if (entry && now - entry.t > this.maxAgeMs) {
      shard.entries.delete(key);
      shard.dirty = true;
      this.evicted++;
    } else if (entry) {
      this.hits++;
      if (now - entry.t >= TOUCH_AFTER_MS) {
        entry.t = now;
        shard.dirty = true;
      }
      return entry.f;
    }
    this.misses++;
    return undefined;
  }

  /**
   * The entry under `key` without touching statistics or times: for threads that only read the
   * cache and report what they found to the owner (`noteHit` / `noteMiss`).
   */
  peek(key: string): Readonly<Entry> | undefined {
    return this.shard(key).entries.get(key);
  }

  /** Whether an entry last used at `t` is past its age (a lookup then counts as a miss). */
  isExpired(t: number): boolean {
    return this.now() - t > this.maxAgeMs;
  }

  /** Books a hit another thread had on an entry last used at `t`, as `get` would have. */
  noteHit(key: string, t: number): void {
    this.hits++;
    if (this.now() - t >= TOUCH_AFTER_MS) {
      const shard = this.shard(key);
      const entry = shard.entries.get(key);
      if (entry) {
        entry.t = this.now();
        shard.dirty = true;
      }
    }
  }

  /** Books a miss another thread had (`expired`: it found an entry past its age), as `get` would have. */
  noteMiss(key: string, expired: boolean): void {
    this.misses++;
    if (expired) {
      const shard = this.shard(key);
      if (shard.entries.delete(key)) shard.dirty = true;
      this.evicted++;
    }
  }

  set(key: string, findings: RawFinding[]): void {
    const shard = this.shard(key);
    shard.entries.set(key, { t: this.now(), f: findings });
    shard.dirty = true;
    this.stored++;
  }

  /** Writes changed shards, sweeps old entries (at most daily) and records this run's statistics. */
  flush(): LastRun {
    const now = this.now();
    mkdirSync(shardsDir(this.dir), { recursive: true });
    for (const [prefix, shard] of [...this.shards.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!shard.dirty) continue;
      for (const [key, entry] of shard.entries) {
        if (now - entry.t > this.maxAgeMs) {
          shard.entries.delete(key);
          this.evicted++;
        }
      }
      writeShard(join(shardsDir(this.dir), `${prefix}.json`), shard.entries);
      shard.dirty = false;
    }
    const metaPath = join(layoutDir(this.dir), 'meta.json');
    let lastSweep = 0;
    try {
      const meta: unknown = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (isRecord(meta) && typeof meta.last_sweep === 'number') lastSweep = meta.last_sweep;
    } catch {
      // no sweep recorded yet
    }
    if (now - lastSweep >= SWEEP_EVERY_MS || now < lastSweep) {
      this.evicted += evictStale(this.dir, now, this.maxAgeMs);
      this.shards.clear(); // shards on disk may have changed under the sweep
      writeAtomically(metaPath, JSON.stringify({ last_sweep: now }));
    }
    const lookups = this.hits + this.misses;
    const lastRun: LastRun = {
      hits: this.hits,
      misses: this.misses,
      stored: this.stored,
      evicted: this.evicted,
      hit_ratio: lookups === 0 ? null : this.hits / lookups,
      finished_at: new Date(now).toISOString(),
    };
    writeAtomically(join(layoutDir(this.dir), 'last-run.json'), JSON.stringify(lastRun));
    return lastRun;
  }
}

export interface CacheStats {
  dir: string;
  entries: number;
  shards: number;
  bytes: number;
  last_run: LastRun | null;
}

export function cacheStats(dir: string): CacheStats {
  let entries = 0;
  let bytes = 0;
  const files = shardFiles(dir);
  for (const file of files) {
    const path = join(shardsDir(dir), file);
    entries += readShard(path).size;
    try {
      bytes += statSync(path).size;
    } catch {
      // removed meanwhile
    }
  }
  let lastRun: LastRun | null = null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(layoutDir(dir), 'last-run.json'), 'utf8'));
    if (isRecord(parsed) && typeof parsed.hits === 'number') lastRun = parsed as unknown as LastRun;
  } catch {
    // no run recorded
  }
  return { dir, entries, shards: files.length, bytes, last_run: lastRun };
}

/** Removes the cache's own files (nothing else in `dir`); returns the number of entries dropped. */
export function clearCache(dir: string): number {
  const { entries } = cacheStats(dir);
  const shards = shardsDir(dir);
  let names: string[] = [];
  try {
    names = readdirSync(shards);
  } catch {
    // nothing cached
  }
  for (const name of names) if (/^[0-9a-f]{2}\.json(\..*\.tmp)?$/.test(name)) unlinkSync(join(shards, name));
  for (const name of ['meta.json', 'last-run.json']) rmSync(join(layoutDir(dir), name), { force: true });
  for (const folder of [shards, layoutDir(dir)]) {
    try {
      rmdirSync(folder);
    } catch {
      // not empty (foreign files) or absent: leave it
    }
  }
  return entries;
}
