import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import probe from './index';
import { runScan } from './scan';
import { ResultCache, cacheStats, DAY_MS } from './result-cache';
import { main as cacheCli, defaultCacheDir } from './cache-cli';
import { createProbeContext } from '../../tools/probe-context';
import { memorySource } from '../../tools/testing';
import type { ProbeResult } from '../../tools/probe-api';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'codegenie-scan-cache-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A scan cache folder as the probe uses it: the `scan` subfolder of the coordinator's cache folder. */
function scanCacheDir(): string {
  return join(tempDir(), 'scan');
}

async function scan(tree: Record<string, string>, cacheDir: string | undefined, opts: { jobs?: number; now?: number; cache?: boolean } = {}): Promise<ProbeResult> {
  const ctx = createProbeContext({ probe, files: Object.keys(tree), source: memorySource(tree), options: { scan: { jobs: opts.jobs ?? 1, cache: opts.cache ?? true } } });
  const now = opts.now ?? Date.UTC(2026, 0, 1);
  if (cacheDir !== undefined) expect(basename(cacheDir)).toBe('scan');
  return runScan({ ...ctx, cacheDir: cacheDir === undefined ? undefined : dirname(cacheDir) }, { env: {}, minFilesPerWorker: 1, now: () => now });
}

function service(n: number): Record<string, string> {
  const tree: Record<string, string> = {};
  for (let i = 0; i < n; i++) tree[`src/handlers/h${i}.js`] = `const { exec } = require('child_process');\nexports.run${i} = (arg) => exec(\`tool --id ${i} \${arg}\`);\n`;
  tree['src/util.ts'] = 'export const add = (a: number, b: number) => a + b;\n';
  return tree;
}

describe('per-file result cache', () => {
  it.each([1, 2])('hits on an unchanged re-run and re-parses exactly one file after a one-file change (jobs %i)', async (jobs) => {
    const dir = scanCacheDir();
    const tree = service(6);
    const cold = await scan(tree, dir, { jobs });
    expect(cold.stats?.cache).toMatchObject({ enabled: true, hits: 0, misses: 6, stored: 6 });
    expect(cold.stats?.parsed_files).toBe(6);

    const warm = await scan(tree, dir, { jobs });
    expect(warm.stats?.cache).toMatchObject({ hits: 6, misses: 0, stored: 0, hit_ratio: 1 });
    expect(warm.stats?.parsed_files).toBe(0);
    expect(JSON.stringify(warm.slice)).toBe(JSON.stringify(cold.slice));

    const changed = { ...tree, 'src/handlers/h3.js': tree['src/handlers/h3.js'].replace('tool --id', 'tool --verbose --id') };
    const after = await scan(changed, dir, { jobs });
    expect(after.stats?.cache).toMatchObject({ hits: 5, misses: 1, stored: 1 });
    expect(after.stats?.parsed_files).toBe(1);
    const excerpts = (after.slice.findings as Array<{ file: string; excerpt: string }>).filter((f) => f.file === 'src/handlers/h3.js').map((f) => f.excerpt);
    expect(excerpts[0]).toContain('--verbose');
    expect(cacheStats(dir)).toMatchObject({ entries: 7, last_run: { hits: 5, misses: 1 } });
  });

  it('is bypassed with cache: false and absent without a cache folder', async () => {
    const dir = scanCacheDir();
    const off = await scan(service(2), dir, { cache: false });
    expect(off.stats?.cache).toMatchObject({ enabled: false, hits: 0, misses: 0 });
    expect(existsSync(dir)).toBe(false);
    const none = await scan(service(2), undefined);
    expect(none.stats?.cache).toMatchObject({ enabled: false });
  });

  it('keys on the path-dependent rule set too: the same text in .js and .mjs files keeps its own findings', async () => {
    const dir = scanCacheDir();
    const tree = { 'a.js': 'module.exports = { start };\n', 'b.mjs': 'module.exports = { start };\n' };
    for (let run = 0; run < 2; run++) {
      const result = await scan(tree, dir);
      expect((result.slice.findings as Array<{ file: string; rule: string }>).map((f) => `${f.file} ${f.rule}`)).toEqual(['b.mjs cjs-globals-in-esm']);
    }
  });

  it('evicts entries unused for 30 days (injected clock) and keeps those used since', async () => {
    const dir = scanCacheDir();
    const t0 = Date.UTC(2026, 0, 1);
    const tree = service(2);
    await scan(tree, dir, { now: t0 });
    expect(cacheStats(dir).entries).toBe(2);
    // Day 20: only h0 is still in the repository, so only its entry is used (and its time refreshed).
    const later = await scan({ 'src/handlers/h0.js': tree['src/handlers/h0.js'] }, dir, { now: t0 + 20 * DAY_MS });
    expect(later.stats?.cache).toMatchObject({ hits: 1, evicted: 0 });
    // Day 31: h1's entry is 31 days old and goes; h0's is 11 days old and stays.
    const swept = await scan({}, dir, { now: t0 + 31 * DAY_MS });
    expect(swept.stats?.cache).toMatchObject({ evicted: 1 });
    expect(cacheStats(dir).entries).toBe(1);
    const back = await scan({ 'src/handlers/h0.js': tree['src/handlers/h0.js'] }, dir, { now: t0 + 31 * DAY_MS });
    expect(back.stats?.cache).toMatchObject({ hits: 1, misses: 0 });
  });

  it('reads a torn or foreign shard as empty instead of failing', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'v1', 'shards'), { recursive: true });
    writeFileSync(join(dir, 'v1', 'shards', 'ab.json'), '{"v":1,"entries":{"ab12":{"t":1,"f":[["x",1');
    writeFileSync(join(dir, 'v1', 'shards', 'cd.json'), JSON.stringify({ v: 1, entries: { cd1: { t: 1, f: [['x', 'not a line']] }, cd2: { t: 5, f: [] } } }));
    const cache = new ResultCache(dir, { now: () => 10 });
    expect(cache.get('ab12')).toBeUndefined();
    expect(cache.get('cd1')).toBeUndefined();
    expect(cache.get('cd2')).toEqual([]);
    cache.set('ab34', [['rule', 1, 2, 1, 9, 'x']]);
    expect(cache.flush()).toMatchObject({ hits: 1, misses: 2, stored: 1 });
    expect(new ResultCache(dir, { now: () => 10 }).get('ab34')).toEqual([['rule', 1, 2, 1, 9, 'x']]);
  });

  it('does not rewrite a shard for hits within a day of the last use', () => {
    const dir = tempDir();
    let now = 1_000_000;
    const first = new ResultCache(dir, { now: () => now });
    first.set('ee01', []);
    first.flush();
    const shard = join(dir, 'v1', 'shards', 'ee.json');
    const before = readFileSync(shard, 'utf8');
    now += DAY_MS / 2;
    const second = new ResultCache(dir, { now: () => now });
    expect(second.get('ee01')).toEqual([]);
    second.flush();
    expect(readFileSync(shard, 'utf8')).toBe(before);
    now += DAY_MS;
    const third = new ResultCache(dir, { now: () => now });
    third.get('ee01');
    third.flush();
    expect(JSON.parse(readFileSync(shard, 'utf8')).entries.ee01.t).toBe(now);
  });
});

describe('codegenie cache', () => {
  function capture() {
    const lines = { out: '', err: '' };
    return { lines, io: { out: (t: string) => (lines.out += t), err: (t: string) => (lines.err += t) } };
  }

  it('stats reports entries, size and the last run; clear empties it', async () => {
    const dir = scanCacheDir();
    await scan(service(3), dir);
    await scan(service(3), dir);
    const s = capture();
    expect(await cacheCli(['stats', '--dir', dir], s.io)).toBe(0);
    expect(s.lines.out).toMatch(/entries:\s+3/);
    expect(s.lines.out).toMatch(/3 hits, 0 misses \(hit ratio 100\.0 %\)/);
    const j = capture();
    expect(await cacheCli(['cache', 'stats', `--dir=${dir}`, '--json'], j.io)).toBe(0);
    expect(JSON.parse(j.lines.out)).toMatchObject({ entries: 3, last_run: { hits: 3, misses: 0, hit_ratio: 1 } });
    expect(JSON.parse(j.lines.out).bytes).toBeGreaterThan(0);

    const c = capture();
    expect(await cacheCli(['clear', '--dir', dir], c.io)).toBe(0);
    expect(c.lines.out).toMatch(/removed 3 cached result/);
    expect(cacheStats(dir)).toMatchObject({ entries: 0, shards: 0, last_run: null });
    expect(existsSync(join(dir, 'v1'))).toBe(false);
  });

  it('evict drops results older than --days; bad usage exits 2; --dir defaults under .nx/cache', async () => {
    const dir = scanCacheDir();
    await scan(service(2), dir, { now: Date.UTC(2020, 0, 1) });
    const e = capture();
    expect(await cacheCli(['evict', '--dir', dir, '--days', '30'], { ...e.io, now: () => Date.UTC(2020, 0, 20) })).toBe(0);
    expect(cacheStats(dir).entries).toBe(2);
    expect(await cacheCli(['evict', '--dir', dir], { ...e.io, now: () => Date.UTC(2020, 3, 1) })).toBe(0);
    expect(e.lines.out).toMatch(/evicted 2 result/);
    const bad = capture();
    expect(await cacheCli(['frobnicate'], bad.io)).toBe(2);
    expect(await cacheCli(['stats', '--dir'], bad.io)).toBe(2);
    expect(await cacheCli(['stats', '--bogus'], bad.io)).toBe(2);
    expect(bad.lines.err).toMatch(/usage: codegenie cache/);
    expect(defaultCacheDir('/work/repo')).toBe(join('/work/repo', '.nx', 'cache', 'codegenie', 'scan'));
    const cwd = tempDir();
    const s = capture();
    expect(await cacheCli(['stats'], { ...s.io, cwd })).toBe(0);
    expect(s.lines.out).toContain(join(cwd, '.nx', 'cache', 'codegenie', 'scan'));
    expect(s.lines.out).toMatch(/entries:\s+0/);
  });
});
