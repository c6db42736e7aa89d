/**
 * The scan over a disk-backed context, where every parsing thread reads, triages, prefilters,
 * hashes and parses files itself (disk-scan.ts): the slice must be what the in-memory path
 * (today's reference) gives, for any job count, prefilter and cache setting.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import probe from './index';
import { runScan, type ScanDeps } from './scan';
import { closeScanWorkers } from './disk-scan';
import { createProbeContext, diskAccess, diskFileSource, readRegularFileSync } from '../../tools/probe-context';
import { memorySource } from '../../tools/testing';
import type { ProbeResult } from '../../tools/probe-api';

const REPOS = join(__dirname, '../../fixtures/scan-rules/repos');
const work = mkdtempSync(join(tmpdir(), 'codegenie-scan-disk-'));
afterAll(async () => {
  await closeScanWorkers();
  rmSync(work, { recursive: true, force: true });
});

function readTree(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p);
    }
  };
  walk(dir);
  return out;
}

let folders = 0;
function writeTree(tree: Record<string, string | Buffer>): string {
  const root = join(work, `tree-${folders++}`);
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const deps: ScanDeps = { env: {}, minFilesPerWorker: 1 };

function fromDisk(root: string, files: string[], scan: Record<string, unknown>, extra: { cacheDir?: string; maxFileBytes?: number } = {}, with_: ScanDeps = deps): Promise<ProbeResult> {
  const ctx = createProbeContext({ probe, files, source: diskFileSource(root), options: { scan }, ...extra });
  expect(diskAccess(ctx)).toEqual({ root, maxFileBytes: extra.maxFileBytes ?? 8 * 1024 * 1024 });
  return runScan(ctx, with_);
}

function fromMemory(tree: Record<string, string | Buffer>, scan: Record<string, unknown>, extra: { maxFileBytes?: number } = {}): Promise<ProbeResult> {
  const ctx = createProbeContext({ probe, files: Object.keys(tree), source: memorySource(tree), options: { scan }, ...extra });
  expect(diskAccess(ctx)).toBeUndefined();
  return runScan(ctx, deps);
}

describe.each(readdirSync(REPOS).filter((n) => statSync(join(REPOS, n)).isDirectory()).sort())('fixture repository %s from disk', (name) => {
  const tree = readTree(join(REPOS, name));
  const root = join(REPOS, name);
  const files = Object.keys(tree);

  it('gives the in-memory slice with 1, 2 and 3 jobs, with and without the prefilter', async () => {
    const reference = JSON.stringify((await fromMemory(tree, { jobs: 1 })).slice);
    for (const scan of [{ jobs: 1 }, { jobs: 2 }, { jobs: 3 }, { jobs: 2, prefilter: false }]) {
      // Workers start whatever the number of files.
      const result = await fromDisk(root, files, scan, {}, { ...deps, minFilesPerWorker: 0 });
      expect(JSON.stringify(result.slice), JSON.stringify(scan)).toBe(reference);
      expect(result.errors).toEqual([]);
      expect(result.stats?.workers).toBe(scan.jobs - 1);
    }
  });
});

describe('disk-backed scans', () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 120; i++) {
    many[`src/m${String(i).padStart(3, '0')}.ts`] = i % 7 === 0 ? `export const run${i} = (code: string) => eval(code);\n` : `export const v${i} = ${i};\nsetTimeout(() => tick(${i}), 10);\n`;
  }
  const manyFiles = Object.keys(many);

  it('spreads the files over every parsing thread, and workers are reused by the next scan', async () => {
    const root = writeTree(many);
    const one = await fromDisk(root, manyFiles, { jobs: 1, cache: false });
    const two = await fromDisk(root, manyFiles, { jobs: 2, cache: false });
    const again = await fromDisk(root, manyFiles, { jobs: 2, cache: false });
    expect(JSON.stringify(two.slice)).toBe(JSON.stringify(one.slice));
    expect(JSON.stringify(again.slice)).toBe(JSON.stringify(one.slice));
    expect((one.slice.summary as { total: number }).total).toBe(18);
    expect(one.stats).toMatchObject({ workers: 0, parsed_files: 18, parsed_by_workers: 0, prefilter: { total_files: 120, passed: 18, skipped: 102 } });
    expect(two.stats).toMatchObject({ workers: 1, parsed_files: 18, prefilter: { total_files: 120, passed: 18 } });
    expect(two.warnings).toEqual([]);
  });

  it('counts unreadable, oversized, binary and skipped files as the in-memory path does', async () => {
    const tree: Record<string, string | Buffer> = {
      'a.js': 'eval(a)',
      'b.js': '\uFEFFeval(b)\r\n',
      'c.js': Buffer.from([0x65, 0x76, 0x61, 0x6c, 0x28, 0xff, 0xfe, 0x29]), // invalid UTF-8 becomes U+FFFD
      'big.js': `// big\n${'eval(x);\n'.repeat(300)}`,
      'huge.js': 'eval(y);\n'.repeat(500),
      'bin.js': 'eval(z)\u0000',
      'x.min.js': 'eval(m)',
    };
    const root = writeTree(tree);
    // A symlink and a folder named like a source file: not regular files, so unreadable without an error.
    symlinkSync(join(root, 'a.js'), join(root, 'link.js'));
    mkdirSync(join(root, 'dir.js'));
    const files = [...Object.keys(tree), 'link.js', 'dir.js'];
    for (const jobs of [1, 2]) {
      const disk = await fromDisk(root, files, { jobs, maxFileBytes: 2000 }, { maxFileBytes: 4000 });
      const memory = await fromMemory({ ...tree }, { jobs, maxFileBytes: 2000 }, { maxFileBytes: 4000 });
      expect(disk.slice.files).toEqual({ total: 9, scanned: 3, skipped: { too_large: 2, binary: 1, minified: 1, generated: 0, unreadable: 2, language_filter: 0 } });
      expect((memory.slice.files as { skipped: { unreadable: number } }).skipped.unreadable).toBe(0); // memory has no link.js / dir.js
      expect(disk.slice.findings).toEqual(memory.slice.findings);
      expect(disk.errors).toEqual([]);
    }
  });

  it('reads a file exactly as the context does (BOM, CRLF, invalid UTF-8, limits, links)', async () => {
    const contents = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.string({ unit: 'binary', maxLength: 100 }).map((s) => Buffer.from(s, 'utf8')),
      fc.constantFrom(Buffer.from('\uFEFF\uFEFFx\r\n'), Buffer.from([0xef, 0xbb]), Buffer.alloc(0), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])),
    );
    await fc.assert(
      fc.asyncProperty(contents, fc.integer({ min: 0, max: 150 }), async (bytes, limit) => {
        const root = writeTree({ 'f.js': bytes });
        const ctx = createProbeContext({ probe, files: ['f.js'], source: diskFileSource(root), maxFileBytes: limit });
        const sync = readRegularFileSync({ root, maxFileBytes: limit }, 'f.js');
        try {
          const text = await ctx.readText('f.js');
          expect(sync).toEqual({ ok: true, text });
        } catch (err) {
          expect(sync).toMatchObject({ ok: false, code: (err as { code: string }).code });
        }
        rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
    const root = writeTree({ 'a.js': 'x' });
    symlinkSync(join(root, 'a.js'), join(root, 'l.js'));
    expect(readRegularFileSync({ root, maxFileBytes: 10 }, 'l.js')).toEqual({ ok: false, code: 'not-a-file' });
    expect(readRegularFileSync({ root, maxFileBytes: 10 }, 'missing.js')).toEqual({ ok: false, code: 'not-a-file' });
  });

  it('books cache hits and misses of every thread: a warm scan hits everything, one change costs one parse', async () => {
    const root = writeTree(many);
    const cacheDir = join(work, 'cache-a');
    const cold = await fromDisk(root, manyFiles, { jobs: 2 }, { cacheDir });
    expect(cold.stats?.cache).toMatchObject({ enabled: true, hits: 0, misses: 18, stored: 18 });
    for (const jobs of [1, 2]) {
      const warm = await fromDisk(root, manyFiles, { jobs }, { cacheDir });
      expect(warm.stats?.cache).toMatchObject({ hits: 18, misses: 0, stored: 0 });
      expect(warm.stats?.parsed_files).toBe(0);
      expect(JSON.stringify(warm.slice)).toBe(JSON.stringify(cold.slice));
    }
    writeFileSync(join(root, 'src/m007.ts'), `${many['src/m007.ts']}// touched\n`);
    const changed = await fromDisk(root, manyFiles, { jobs: 2 }, { cacheDir });
    expect(changed.stats?.cache).toMatchObject({ hits: 17, misses: 1, stored: 1 });
    expect(changed.stats?.parsed_files).toBe(1);
    // The same slice as a scan without the cache.
    const uncached = await fromDisk(root, manyFiles, { jobs: 1, cache: false });
    expect(JSON.stringify(changed.slice)).toBe(JSON.stringify(uncached.slice));
  });

  it('treats an entry past its age as a miss in workers too', async () => {
    const root = writeTree(many);
    const cacheDir = join(work, 'cache-b');
    let now = Date.UTC(2025, 0, 1);
    const at = (scan: Record<string, unknown>) => runScan(createProbeContext({ probe, files: manyFiles, source: diskFileSource(root), options: { scan }, cacheDir }), { ...deps, now: () => now });
    await at({ jobs: 2 });
    now += 31 * 86_400_000;
    const late = await at({ jobs: 2 });
    expect(late.stats?.cache).toMatchObject({ hits: 0, misses: 18, stored: 18 });
    expect(late.stats?.parsed_files).toBe(18);
  });

  it('reports a file it may not read, without the absolute path, and scans the rest', async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const root = writeTree({ 'a.js': 'eval(a)', 'b.js': 'eval(b)' });
    chmodSync(join(root, 'b.js'), 0o000);
    const result = await fromDisk(root, ['a.js', 'b.js'], { jobs: 1 });
    expect(result.errors).toEqual([{ code: 'read-error', file: 'b.js', message: 'b.js: could not be read (EACCES)' }]);
  });
});
