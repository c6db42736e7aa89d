/**
 * `codegenie cache stats | clear | evict` — the scanner's per-file result cache.
 * The cache folder defaults to `<cwd>/.nx/cache/codegenie/scan` (where the coordinator keeps it
 * in an Nx workspace); `--dir` points elsewhere. To bypass the cache for one run (benchmarks),
 * set the scan option `cache: false`.
 */
import { join, resolve } from 'node:path';
import { cacheStats, clearCache, evictStale, DAY_MS, MAX_AGE_MS } from './result-cache';

const USAGE = `usage: codegenie cache <command> [--dir <cacheDir>] [--json]

commands:
  stats               entries, size on disk and the hit ratio of the last scan
  clear               remove every cached scan result
  evict [--days N]    remove results unused for N days (default 30)

--dir defaults to <cwd>/.nx/cache/codegenie/scan
`;

export function defaultCacheDir(cwd: string = process.cwd()): string {
  return join(cwd, '.nx', 'cache', 'codegenie', 'scan');
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  now: () => number;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const out = io.out ?? ((t: string) => process.stdout.write(t));
  const err = io.err ?? ((t: string) => process.stderr.write(t));
  const args = argv[0] === 'cache' ? argv.slice(1) : [...argv];
  let dir = defaultCacheDir(io.cwd);
  let json = false;
  let days = MAX_AGE_MS / DAY_MS;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      out(USAGE);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--dir' || a.startsWith('--dir=')) {
      const value = a === '--dir' ? args[++i] : a.slice('--dir='.length);
      if (!value) {
        err(`codegenie cache: --dir needs a folder\n${USAGE}`);
        return 2;
      }
      dir = resolve(io.cwd ?? process.cwd(), value);
    } else if (a === '--days' || a.startsWith('--days=')) {
      const value = Number(a === '--days' ? args[++i] : a.slice('--days='.length));
      if (!Number.isFinite(value) || value < 0) {
        err(`codegenie cache: --days needs a non-negative number\n`);
        return 2;
      }
      days = value;
    } else if (a.startsWith('-')) {
      err(`codegenie cache: unknown option ${a}\n${USAGE}`);
      return 2;
    } else positional.push(a);
  }
  const command = positional[0];
  if (positional.length !== 1 || !['stats', 'clear', 'evict'].includes(command)) {
    err(USAGE);
    return 2;
  }

  if (command === 'stats') {
    const stats = cacheStats(dir);
    if (json) {
      out(`${JSON.stringify(stats, null, 2)}\n`);
      return 0;
    }
    const last = stats.last_run;
    const lastLine = last
      ? `${last.hits} hits, ${last.misses} misses` + (last.hit_ratio === null ? '' : ` (hit ratio ${(last.hit_ratio * 100).toFixed(1)} %)`) + `, ${last.stored} stored, ${last.evicted} evicted, at ${last.finished_at}`
      : 'none recorded';
    out(`cache:    ${dir}\nentries:  ${stats.entries}\nsize:     ${formatBytes(stats.bytes)} in ${stats.shards} shard file(s)\nlast run: ${lastLine}\n`);
    return 0;
  }
  if (command === 'clear') {
    const removed = clearCache(dir);
    out(json ? `${JSON.stringify({ dir, removed_entries: removed })}\n` : `removed ${removed} cached result(s) from ${dir}\n`);
    return 0;
  }
  const evicted = evictStale(dir, (io.now ?? Date.now)(), days * DAY_MS);
  out(json ? `${JSON.stringify({ dir, evicted })}\n` : `evicted ${evicted} result(s) unused for ${days} day(s) from ${dir}\n`);
  return 0;
}
