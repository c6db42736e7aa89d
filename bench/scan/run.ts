/**
 * Scan bench (not a test): on a generated 5,000-file JavaScript/TypeScript repository with the
 * full rule set, measures the prefilter (skip ratio, time), cold scans with 1 and 2 jobs, warm
 * runs (every file a cache hit) and one-file-changed runs, and times `ast-grep scan` with the
 * same rules on the same tree, side by side. Medians and p95 over `--runs` runs (default 10).
 * See README.md for how to run it on Node 20.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import probe from '../../probes/scan/index';
import { runScan } from '../../probes/scan/scan';
import { closeScanWorkers } from '../../probes/scan/disk-scan';
import { loadScanRules } from '../../probes/scan/rules';
import { RuleSelector } from '../../probes/scan/prefilter';
import { loadSkipSettings, skipReason } from '../../probes/scan/file-triage';
import { languageOf } from '../../probes/scan/languages';
import type { ScanFinding } from '../../probes/scan/scan';
import type { RawFinding } from '../../probes/scan/match-file';
import { ResultCache } from '../../probes/scan/result-cache';
import { createProbeContext, diskFileSource, type FileSource } from '../../tools/probe-context';
import { packageRoot } from '../../tools/package-root';
import type { ProbeResult } from '../../tools/probe-api';
import { generateRepo, writeRepo } from './generate-repo';
import { SG_ID_SEPARATOR, writeSgProject } from './to-sgconfig';

interface Args {
  files: number;
  runs: number;
  /** Runs of the (slow) every-file-parsed comparison; 0 skips it. */
  unfilteredRuns: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { files: 5000, runs: 10, unfilteredRuns: 3, keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--files') args.files = Number(argv[++i]);
    else if (argv[i] === '--runs') args.runs = Number(argv[++i]);
    else if (argv[i] === '--unfiltered-runs') args.unfilteredRuns = Number(argv[++i]);
    else if (argv[i] === '--keep') args.keep = true;
    else throw new Error(`unknown argument ${argv[i]} (use --files N --runs N --unfiltered-runs N --keep)`);
  }
  if (!(args.runs >= 5)) throw new Error('--runs must be at least 5');
  return args;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function astGrepBinary(): string {
  const root = packageRoot();
  for (const candidate of [join(root, 'node_modules/@ast-grep/cli-linux-x64-gnu/ast-grep'), join(root, 'node_modules/.bin/ast-grep')]) {
    if (existsSync(candidate) && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  throw new Error('ast-grep binary not found (devDependency @ast-grep/cli)');
}

interface Stats {
  prefilter: { total_files: number; passed: number; skipped: number; time_ms: number };
  cache: { hits: number; misses: number; hit_ratio: number | null };
  parsed_files: number;
  workers: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'codegenie-scan-bench-'));
  const repoDir = join(work, 'repo');
  const { files, triggered } = generateRepo(args.files);
  writeRepo(repoDir, files);
  const paths = Object.keys(files).sort();
  // Disk-backed like the coordinator's source (regular files under the root, symlinks not
  // followed), so parsing threads read the files themselves.
  const source: FileSource = diskFileSource(repoDir);
  // The same files already in memory: isolates the scanner's CPU work from this machine's file system.
  const memory: FileSource = {
    size: async (p) => (p in files ? Buffer.byteLength(files[p]) : undefined),
    read: async (p) => Buffer.from(files[p], 'utf8'),
  };
  const scan = async (options: Record<string, unknown>, cacheDir?: string, from: FileSource = source): Promise<{ ms: number; result: ProbeResult; stats: Stats }> => {
    const ctx = createProbeContext({ probe, files: paths, source: from, options: { scan: options }, cacheDir });
    const t = performance.now();
    const result = await runScan(ctx, { env: {} });
    return { ms: performance.now() - t, result, stats: result.stats as unknown as Stats };
  };
  const rules = loadScanRules();
  const sgConfig = writeSgProject(join(work, 'sg'), rules);
  const sg = astGrepBinary();
  const astGrep = (threads: number): { ms: number; stdout: string } => {
    const t = performance.now();
    const r = spawnSync(sg, ['scan', '--config', sgConfig, '--json=compact', '--threads', String(threads), '.'], { cwd: repoDir, maxBuffer: 1 << 28, encoding: 'utf8' });
    const ms = performance.now() - t;
    if (r.status !== 0 && r.status !== 1) throw new Error(`ast-grep failed (${r.status}): ${r.stderr}`);
    return { ms, stdout: r.stdout };
  };

  console.error(`repo: ${paths.length - 1} JS/TS files (+ package.json), ${triggered.length} with a trigger; ${rules.length} rules; ${cpus().length} CPUs (${availableParallelism()} available); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  // Warm-up: native modules, catalogs, JIT, page cache.
  await scan({ jobs: 1, cache: false });
  await scan({ jobs: 2, cache: false });
  astGrep(2);

  // Prefilter on its own, over texts already in memory (what it costs without I/O).
  const selector = new RuleSelector(rules, true);
  const skip = loadSkipSettings();
  const texts = paths.filter((p) => languageOf(p)).map((p) => [p, files[p]] as const).filter(([p, t]) => !skipReason(p, t, skip));
  const standalone: number[] = [];
  let standalonePassed = 0;
  for (let r = 0; r < args.runs; r++) {
    const t = performance.now();
    standalonePassed = 0;
    for (const [p, text] of texts) if (selector.candidates(p, languageOf(p)!, text).length > 0) standalonePassed++;
    standalone.push(performance.now() - t);
  }
  // Which rules keep files in: per rule, files it is a candidate for, and files only it keeps.
  const keptBy = new Map<string, { any: number; sole: number }>();
  for (const [p, text] of texts) {
    const chosen = selector.candidates(p, languageOf(p)!, text);
    for (const r of chosen) {
      const k = keptBy.get(r.id) ?? { any: 0, sole: 0 };
      k.any++;
      if (chosen.length === 1) k.sole++;
      keptBy.set(r.id, k);
    }
  }
  const keptLines = [...keptBy.entries()].sort((a, b) => b[1].any - a[1].any).slice(0, 8).map(([id, k]) => `  ${id}: ${k.any} files (${k.sole} kept by it alone)`);

  // Cold scans, interleaved so drift affects all sides alike.
  const cold1: number[] = [];
  const cold2: number[] = [];
  const fresh2: number[] = [];
  const mem1: number[] = [];
  const mem2: number[] = [];
  const sg1: number[] = [];
  const sg2: number[] = [];
  const prefilterMs: number[] = [];
  let coldStats: Stats | undefined;
  let ours: ScanFinding[] = [];
  let sgOut = '';
  for (let r = 0; r < args.runs; r++) {
    const a = await scan({ jobs: 1, cache: false });
    const b = await scan({ jobs: 2, cache: false });
    cold1.push(a.ms);
    cold2.push(b.ms);
    prefilterMs.push(a.stats.prefilter.time_ms, b.stats.prefilter.time_ms);
    coldStats = a.stats;
    ours = a.result.slice.findings as ScanFinding[];
    if (JSON.stringify(a.result.slice) !== JSON.stringify(b.result.slice)) throw new Error('jobs 1 and jobs 2 disagree');
    mem1.push((await scan({ jobs: 1, cache: false }, undefined, memory)).ms);
    mem2.push((await scan({ jobs: 2, cache: false }, undefined, memory)).ms);
    sg1.push(astGrep(1).ms);
    const s2 = astGrep(2);
    sg2.push(s2.ms);
    sgOut = s2.stdout;
  }

  // The first scan of a process: its worker starts (loads the parser, prepares the rules) during
  // the scan. Apart from the loop above, whose jobs-2 runs reuse a worker that has scanned before.
  for (let r = 0; r < args.runs; r++) {
    await closeScanWorkers();
    fresh2.push((await scan({ jobs: 2, cache: false })).ms);
  }

  // Cold without the prefilter (every file parsed), fewer runs: it only frames the prefilter's effect.
  const noPre1: number[] = [];
  const noPre2: number[] = [];
  for (let r = 0; r < args.unfilteredRuns; r++) {
    noPre1.push((await scan({ jobs: 1, cache: false, prefilter: false })).ms);
    noPre2.push((await scan({ jobs: 2, cache: false, prefilter: false })).ms);
  }

  // Warm: every scanned file a cache hit.
  const cacheDir = join(work, 'cache');
  await scan({ jobs: 2, cache: true }, cacheDir);
  const warm: number[] = [];
  const warmRatio: number[] = [];
  for (let r = 0; r < args.runs; r++) {
    const w = await scan({ jobs: 2, cache: true }, cacheDir);
    warm.push(w.ms);
    warmRatio.push(w.stats.cache.hit_ratio ?? 0);
  }

  // One file changed before each run (a different file each time, one the prefilter lets through).
  const changed: number[] = [];
  const changedRatio: number[] = [];
  const changedParsed: number[] = [];
  const passing = triggered.slice(0, args.runs);
  for (let r = 0; r < args.runs; r++) {
    const file = passing[r % passing.length];
    writeFileSync(join(repoDir, file), `${files[file]}\n// touched by bench run ${r}\n`);
    const c = await scan({ jobs: 2, cache: true }, cacheDir);
    changed.push(c.ms);
    changedRatio.push(c.stats.cache.hit_ratio ?? 0);
    changedParsed.push(c.stats.parsed_files);
  }

  // Cache layout: the shard files the probe uses vs one file per entry, for as many entries as a cold run stores.
  const entries = coldStats?.parsed_files ?? 2000;
  const sampleFindings: RawFinding[] = [['eval-call', 12, 5, 12, 19, 'eval(expr)']];
  const keys = Array.from({ length: entries }, (_, i) => createHash('sha256').update(String(i)).digest('hex'));
  const layout = { shardWrite: [] as number[], shardRead: [] as number[], fileWrite: [] as number[], fileRead: [] as number[] };
  for (let r = 0; r < 5; r++) {
    const shardDir = join(work, `layout-shards-${r}`);
    let t = performance.now();
    const writer = new ResultCache(shardDir);
    for (const k of keys) writer.set(k, sampleFindings);
    writer.flush();
    layout.shardWrite.push(performance.now() - t);
    t = performance.now();
    const reader = new ResultCache(shardDir);
    for (const k of keys) reader.get(k);
    layout.shardRead.push(performance.now() - t);
    const fileDir = join(work, `layout-files-${r}`);
    mkdirSync(fileDir, { recursive: true });
    t = performance.now();
    for (const k of keys) {
      const temp = join(fileDir, `${k}.tmp`);
      writeFileSync(temp, JSON.stringify({ t: Date.now(), f: sampleFindings }));
      renameSync(temp, join(fileDir, `${k}.json`));
    }
    layout.fileWrite.push(performance.now() - t);
    t = performance.now();
    for (const k of keys) JSON.parse(readFileSync(join(fileDir, `${k}.json`), 'utf8'));
    layout.fileRead.push(performance.now() - t);
  }

  // Cross-check: the same rules should find the same things in the files both engines parse.
  const scannedFiles = new Set(texts.map(([p]) => p));
  const key = (file: string, line: number, column: number, rule: string) => `${file}:${line}:${column} ${rule}`;
  const oursSet = new Set(ours.map((f) => key(f.file, f.line, f.column, f.rule)));
  const sgMatches = JSON.parse(sgOut || '[]') as Array<{ ruleId: string; file: string; range: { start: { line: number; column: number } } }>;
  const sgSet = new Set(
    sgMatches
      .map((m) => ({ ...m, file: m.file.replace(/^\.\//, '') }))
      .filter((m) => scannedFiles.has(m.file))
      .map((m) => key(m.file, m.range.start.line + 1, m.range.start.column + 1, m.ruleId.split(SG_ID_SEPARATOR)[0])),
  );
  const onlyOurs = [...oursSet].filter((k) => !sgSet.has(k));
  const onlySg = [...sgSet].filter((k) => !oursSet.has(k));

  const s = coldStats!;
  const rows: Array<[string, string, string, string]> = [
    ['prefilter: files skipped (of scanned)', `${s.prefilter.skipped} / ${s.prefilter.total_files} = ${pct(s.prefilter.skipped / s.prefilter.total_files)}`, '', 'bar ≥ 90 %'],
    ['prefilter: time inside the probe', fmt(median(prefilterMs)), fmt(quantile(prefilterMs, 0.95)), 'bar < 1 s'],
    ['prefilter: time on in-memory texts', fmt(median(standalone)), fmt(quantile(standalone, 0.95)), `${standalonePassed} passed`],
    ['cold scan, jobs 1 (no cache)', fmt(median(cold1)), fmt(quantile(cold1, 0.95)), `${s.parsed_files} files parsed`],
    ['cold scan, jobs 2 (no cache)', fmt(median(cold2)), fmt(quantile(cold2, 0.95)), `jobs1/jobs2 = ${(median(cold1) / median(cold2)).toFixed(2)}× (bar ≥ 1.7×)`],
    ['cold scan, jobs 2, worker started by the scan', fmt(median(fresh2)), fmt(quantile(fresh2, 0.95)), `jobs1/jobs2 = ${(median(cold1) / median(fresh2)).toFixed(2)}× (first scan of a process)`],
    ['cold scan, files in memory, jobs 1', fmt(median(mem1)), fmt(quantile(mem1, 0.95)), 'CPU only: no file-system reads'],
    ['cold scan, files in memory, jobs 2', fmt(median(mem2)), fmt(quantile(mem2, 0.95)), `jobs1/jobs2 = ${(median(mem1) / median(mem2)).toFixed(2)}×`],
    ...(args.unfilteredRuns > 0
      ? ([
          ['cold scan, prefilter off, jobs 1', fmt(median(noPre1)), fmt(quantile(noPre1, 0.95)), `${args.unfilteredRuns} runs`],
          ['cold scan, prefilter off, jobs 2', fmt(median(noPre2)), fmt(quantile(noPre2, 0.95)), `jobs1/jobs2 = ${(median(noPre1) / median(noPre2)).toFixed(2)}×`],
        ] as Array<[string, string, string, string]>)
      : []),
    ['warm (all cache hits), jobs 2', fmt(median(warm)), fmt(quantile(warm, 0.95)), `hit ratio ${pct(median(warmRatio))}`],
    ['one file changed, jobs 2', fmt(median(changed)), fmt(quantile(changed, 0.95)), `hit ratio ${pct(median(changedRatio))}, ${median(changedParsed)} parsed (bar ≥ 95 %)`],
    ['cache store, 256 JSON shards', fmt(median(layout.shardWrite)), fmt(quantile(layout.shardWrite, 0.95)), `${entries} entries written; all read back in ${fmt(median(layout.shardRead))}`],
    ['cache store, one file per entry', fmt(median(layout.fileWrite)), fmt(quantile(layout.fileWrite, 0.95)), `${entries} entries written; all read back in ${fmt(median(layout.fileRead))}`],
    ['ast-grep scan --threads 1', fmt(median(sg1)), fmt(quantile(sg1, 0.95)), `ours jobs 1 / ast-grep = ${(median(cold1) / median(sg1)).toFixed(2)}×`],
    ['ast-grep scan --threads 2', fmt(median(sg2)), fmt(quantile(sg2, 0.95)), `ours jobs 2 / ast-grep = ${(median(cold2) / median(sg2)).toFixed(2)}×; warm ours / ast-grep = ${(median(warm) / median(sg2)).toFixed(2)}×`],
  ];
  const table = [
    `| measure (${paths.length - 1} files, ${rules.length} rules, ${args.runs} runs) | median | p95 | notes |`,
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const cross = `findings: ours ${oursSet.size}, ast-grep ${sgSet.size} on the same files; only ours ${onlyOurs.length}, only ast-grep ${onlySg.length}`;
  console.log(table);
  console.log(`\n${cross}`);
  console.log(`\nfiles the prefilter lets through, by rule:\n${keptLines.join('\n')}`);
  if (onlyOurs.length + onlySg.length > 0) console.log([...onlyOurs.slice(0, 10).map((k) => `  ours only: ${k}`), ...onlySg.slice(0, 10).map((k) => `  ast-grep only: ${k}`)].join('\n'));

  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'scan.json'),
    JSON.stringify({ args, loadavg: loadavg(), table, cross, keptBy: Object.fromEntries(keptBy), layout, raw: { cold1, cold2, fresh2, mem1, mem2, noPre1, noPre2, warm, changed, sg1, sg2, prefilterMs, standalone, warmRatio, changedRatio, changedParsed }, stats: s }, null, 2),
  );
  await closeScanWorkers();
  if (!args.keep) rmSync(work, { recursive: true, force: true });
  else console.error(`kept ${work}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
