/**
 * The scan probe's body. Per file, in this order: read, skip huge / binary / minified / generated
 * files, choose candidate rules (the literal prefilter), look the file up in the per-file cache,
 * and only then parse and match (file-scan.ts).
 *
 * With a disk-backed context (`diskAccess`) every parsing thread runs that whole pipeline: the
 * probe's thread and `jobs - 1` workers take files from one shared counter and read them
 * themselves (disk-scan.ts). Otherwise (in-memory contexts) this thread reads through the context
 * and prefilters, and workers only parse the texts it hands them.
 * Findings are sorted at the end, so the slice is the same for any job count, cache state or
 * prefilter setting; timings and hit ratios go to `stats`, never to the slice.
 */
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBLAKE3 } from 'hash-wasm';
import { byCodeUnit } from '../../tools/parse';
import { ProbeInputError, type ProbeContext, type ProbeIssue, type ProbeResult } from '../../tools/probe-api';
import { diskAccess } from '../../tools/probe-context';
import { scanFromDisk } from './disk-scan';
import { FileScanner, type FileOutcome, type ScanSetup } from './file-scan';
import { loadSkipSettings, type SkipReason, type SkipSettings } from './file-triage';
import { languageOf, type ScanLanguage } from './languages';
import { compareRaw, matchSource, type MatchRule, type RawFinding } from './match-file';
import { readScanOptions } from './options';
import { deriveSelectorPlan, type SelectorPlan } from './prefilter';
import { ResultCache } from './result-cache';
import { loadScanRules, SEVERITIES, type ScanRule } from './rules';
import { WorkerPool, type ParseJob } from './worker-pool';

/** Files read concurrently through the context. */
const READ_CONCURRENCY = 64;
/** Workers start only once this many files per parsing thread wait; smaller scans stay in-thread. */
const DEFAULT_MIN_FILES_PER_WORKER = 16;
/** Queued files per worker beyond which this thread parses too, even while still reading. */
const QUEUE_HIGH_WATER = 48;
/** Workers start up front when the scan has this many times the files that would start them anyway. */
const EAGER_START_FACTOR = 8;

export interface ScanDeps {
  /** Rule set to use instead of the catalog (tests). */
  rules?: readonly ScanRule[];
  skip?: SkipSettings;
  /** Clock for the cache's ages (tests inject one). */
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  minFilesPerWorker?: number;
}

export interface ScanFinding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  excerpt: string;
}

let parserVersion: string | undefined;
export function napiVersion(): string {
  return (parserVersion ??= (createRequire(__filename)('@ast-grep/napi/package.json') as { version: string }).version);
}

/** Rule-set hashes per rule list (lists are loaded once per process, so is their hash). */
const ruleHashes = new WeakMap<readonly ScanRule[], string>();

async function ruleSetHash(rules: readonly ScanRule[]): Promise<string> {
  const known = ruleHashes.get(rules);
  if (known) return known;
  const hasher = await createBLAKE3();
  hasher.init();
  hasher.update(
    JSON.stringify(
      rules.map((r) => [r.id, r.languages, r.severity, r.message, r.files ?? null, r.ignores ?? null, r.maskStrings, r.matcher]),
    ),
  );
  const hash = hasher.digest('hex');
  ruleHashes.set(rules, hash);
  return hash;
}

/** The read loop lets the event loop turn at least this often (ms), so worker replies get handled. */
const YIELD_AFTER_MS = 8;

/** Bounded-concurrency loop over `items`, in order of start. */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  // Reads that resolve at once (a cached file source) would keep every lane in microtasks and
  // starve the event loop, where the workers' replies wait. All lanes pass one gate instead.
  let gate: Promise<void> | undefined;
  let lastTurn = performance.now();
  const lane = async () => {
    while (next < items.length) {
      if (gate) {
        await gate;
        // Other lanes may have taken the last items while this one waited at the gate.
        if (next >= items.length) break;
      }
      await fn(items[next++]);
      if (!gate && performance.now() - lastTurn > YIELD_AFTER_MS) {
        gate = new Promise((resolve) =>
          setImmediate(() => {
            gate = undefined;
            lastTurn = performance.now();
            resolve();
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Receives a file's findings (or the error) and whether a worker parsed it. */
type ParseDone = (found: RawFinding[] | Error, byWorker: boolean) => void;

/**
 * Parses files with `jobs` threads: this one plus `jobs - 1` workers. Workers start once enough
 * files wait (small scans stay in this thread) and parse while this thread is still reading;
 * when reading is done, this thread takes queued files too.
 */
class Parser {
  private pool?: WorkerPool;
  private readonly waiting: Array<{ job: ParseJob; done: ParseDone }> = [];
  private readonly inFlight: Promise<void>[] = [];
  private nextId = 0;
  workerFailures = 0;

  constructor(
    private readonly jobs: number,
    private readonly minFilesPerWorker: number,
    private readonly rules: ReadonlyMap<string, MatchRule>,
  ) {}

  get workers(): number {
    return this.pool?.size ?? 0;
  }

  private inThread(job: ParseJob): RawFinding[] | Error {
    try {
      return matchSource(job.lang, job.text, job.rules.map((id) => this.rules.get(id)!));
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  private viaPool(pool: WorkerPool, job: ParseJob, done: ParseDone): void {
    this.inFlight.push(
      pool.submit(job).then((result) => {
        if (result.findings) done(result.findings, !result.stolen);
        else if (result.error !== undefined && result.error.startsWith('scan worker failed')) {
          // The worker died: parse here instead, so one crash costs time, not findings.
          this.workerFailures++;
          done(this.inThread(job), false);
        } else done(new Error(result.error ?? 'no result'), !result.stolen);
      }),
    );
  }

  /**
   * Starts the workers now when the scan is big enough to need them for sure, so their start-up
   * (loading the parser) overlaps with reading files instead of following it.
   */
  prestart(files: number): void {
    if (this.jobs > 1 && !this.pool && files >= this.minFilesPerWorker * this.jobs * EAGER_START_FACTOR) {
      this.pool = new WorkerPool(this.jobs - 1, [...this.rules.values()]);
    }
  }

  add(lang: ScanLanguage, text: string, rules: string[], done: ParseDone): void {
    const job: ParseJob = { id: this.nextId++, lang, text, rules };
    if (this.jobs <= 1) return done(this.inThread(job), false);
    if (this.pool) {
      this.viaPool(this.pool, job, done);
      // Workers falling behind: this thread parses queued files too instead of only reading.
      while (this.pool.queued > QUEUE_HIGH_WATER * this.pool.size) this.runStolen(this.pool);
      return;
    }
    this.waiting.push({ job, done });
    if (this.waiting.length >= this.minFilesPerWorker * this.jobs) {
      const pool = (this.pool = new WorkerPool(this.jobs - 1, [...this.rules.values()]));
      for (const w of this.waiting.splice(0)) this.viaPool(pool, w.job, w.done);
    }
  }

  /** Parses one queued file in this thread; false when none was waiting. */
  private runStolen(pool: WorkerPool): boolean {
    const stolen = pool.steal();
    if (!stolen) return false;
    const result = this.inThread(stolen.job);
    stolen.done(result instanceof Error ? { id: stolen.job.id, error: result.message } : { id: stolen.job.id, findings: result, stolen: true });
    return true;
  }

  async finish(): Promise<void> {
    for (const w of this.waiting.splice(0)) w.done(this.inThread(w.job), false);
    if (this.pool) {
      // Reading is over: this thread becomes one more parser until the queue is empty.
      while (this.runStolen(this.pool));
    }
    await Promise.all(this.inFlight);
    await this.pool?.close();
  }
}

/** The derived prefilter data per rule list: rule sets are loaded once per process, so is this. */
const plans = new WeakMap<readonly ScanRule[], SelectorPlan>();

export type SkipCounts = Record<SkipReason | 'unreadable' | 'language_filter', number>;

/**
 * Collects the outcomes of every thread in the probe's thread: counts, findings, issues, and the
 * result cache's bookkeeping (other threads only read the cache; its owner books their hits and
 * misses and stores what they parsed).
 */
export class ScanTally {
  readonly skipped: SkipCounts = { too_large: 0, binary: 0, minified: 0, generated: 0, unreadable: 0, language_filter: 0 };
  readonly results = new Map<string, RawFinding[]>();
  readonly errors: ProbeIssue[] = [];
  private readonly seen: Uint8Array;
  scanned = 0;
  passed = 0;
  prefilterMs = 0;
  parsed = 0;
  parsedByWorkers = 0;

  constructor(
    readonly files: readonly string[],
    private readonly cache: ResultCache | undefined,
  ) {
    this.seen = new Uint8Array(files.length);
  }

  has(i: number): boolean {
    return this.seen[i] === 1;
  }

  /** Files scanned and ruled out by the prefilter in another thread, with their summed prefilter time. */
  absorbQuiet(indexes: Int32Array, ms: number): void {
    for (const i of indexes) {
      if (this.seen[i]) continue;
      this.seen[i] = 1;
      this.scanned++;
    }
    this.prefilterMs += ms;
  }

  absorb(o: FileOutcome, byWorker: boolean): void {
    if (this.seen[o.i]) return;
    this.seen[o.i] = 1;
    const path = this.files[o.i];
    if (o.s) {
      this.skipped[o.s]++;
      // The error's own message may hold an absolute path; its code is enough.
      if (o.e !== undefined) this.errors.push({ code: 'read-error', file: path, message: `${path}: could not be read${o.e ? ` (${o.e})` : ''}` });
      return;
    }
    if (o.early) {
      // The pipeline itself failed before the prefilter (an unexpected error).
      this.errors.push({ code: 'scan-error', file: path, message: `${path}: ${o.err}` });
      return;
    }
    this.scanned++;
    this.prefilterMs += o.ms;
    if (o.p) this.passed++;
    if (o.parsed) {
      this.parsed++;
      if (byWorker) this.parsedByWorkers++;
    }
    if (this.cache && o.k !== undefined) {
      if (o.h !== undefined) this.cache.noteHit(o.k, o.h);
      else {
        this.cache.noteMiss(o.k, o.x === 1);
        if (o.f && o.err === undefined) this.cache.set(o.k, o.f);
      }
    }
    if (o.err !== undefined) {
      this.errors.push({ code: 'scan-error', file: path, message: `${path}: ${o.err}` });
      return;
    }
    this.results.set(path, o.f ?? []);
  }
}

/** Contexts without files on disk: this thread reads and prefilters; workers (if any) parse. */
async function scanThroughContext(ctx: ProbeContext, scanner: FileScanner, tally: ScanTally, parser: Parser): Promise<void> {
  const scanFile = async (i: number) => {
    const path = tally.files[i];
    const lang = languageOf(path)!;
    let text: string;
    try {
      text = await ctx.readText(path);
    } catch (err) {
      if (err instanceof ProbeInputError && err.code === 'file-too-large') tally.absorb({ i, s: 'too_large', ms: 0 }, false);
      else if (err instanceof ProbeInputError && err.code === 'not-a-file') tally.absorb({ i, s: 'unreadable', ms: 0 }, false);
      else tally.absorb({ i, s: 'unreadable', e: (err as NodeJS.ErrnoException)?.code ?? '', ms: 0 }, false);
      return;
    }
    const { outcome, rules } = scanner.prepare(i, path, lang, text);
    if (!rules) return tally.absorb(outcome, false);
    outcome.parsed = 1;
    parser.add(lang, text, rules, (found, byWorker) => {
      if (found instanceof Error) outcome.err = found.message;
      else outcome.f = found;
      tally.absorb(outcome, byWorker);
    });
  };
  await forEachConcurrently(
    tally.files.map((_, i) => i),
    READ_CONCURRENCY,
    async (i) => {
      try {
        await scanFile(i);
      } catch (err) {
        tally.absorb({ i, err: err instanceof Error ? err.message : String(err), early: 1, ms: 0 }, false);
      }
    },
  );
  await parser.finish();
}

export async function runScan(ctx: ProbeContext, deps: ScanDeps = {}): Promise<ProbeResult> {
  const started = performance.now();
  const { options, warnings } = readScanOptions(ctx.options, deps.env);
  const rules = deps.rules ?? loadScanRules();
  const skip = deps.skip ?? loadSkipSettings();
  const maxFileBytes = options.maxFileBytes ?? skip.maxFileBytes;
  let plan: SelectorPlan | undefined;
  if (options.prefilter) {
    plan = plans.get(rules);
    if (!plan) plans.set(rules, (plan = deriveSelectorPlan(rules)));
  }
  const rulesById = new Map(rules.map((r) => [r.id, r]));
  const ruleHash = await ruleSetHash(rules);
  // The coordinator's cache folder is shared by all probes; ours is its `scan` subfolder (the
  // default of `codegenie cache`).
  const cache = options.cache && ctx.cacheDir ? new ResultCache(join(ctx.cacheDir, 'scan'), { now: deps.now }) : undefined;
  const setup: ScanSetup = {
    rules: [...rules],
    prefilter: options.prefilter,
    plan,
    skip,
    maxFileBytes,
    ruleHash,
    napiVersion: napiVersion(),
    cacheDir: cache?.dir,
    now: (deps.now ?? Date.now)(),
  };
  const scanner = await FileScanner.create(setup, cache);

  let filteredOut = 0;
  const candidates = ctx.files.filter((f) => {
    if (languageOf(f) === undefined) return false;
    if (options.only && !options.only.has(posix.extname(f))) {
      filteredOut++;
      return false;
    }
    return true;
  });
  const tally = new ScanTally(candidates, cache);
  tally.skipped.language_filter = filteredOut;
  const minFilesPerWorker = deps.minFilesPerWorker ?? DEFAULT_MIN_FILES_PER_WORKER;
  let workers = 0;
  let workerFailures = 0;
  const access = diskAccess(ctx);
  if (access) {
    const run = await scanFromDisk({ scanner, setup, access, tally, jobs: options.jobs, minFilesPerWorker });
    workers = run.workers;
    workerFailures = run.redone;
  } else {
    const parser = new Parser(options.jobs, minFilesPerWorker, new Map(rules.map((r) => [r.id, scanner.rule(r.id)])));
    parser.prestart(candidates.length);
    await scanThroughContext(ctx, scanner, tally, parser);
    workers = parser.workers;
    workerFailures = parser.workerFailures;
  }
  if (workerFailures > 0) {
    warnings.push({ code: 'worker-failed', message: `scan: ${workerFailures} file(s) were re-parsed in the probe thread after a worker failed` });
  }
  let lastRun;
  if (cache) {
    try {
      lastRun = cache.flush();
    } catch (err) {
      warnings.push({ code: 'cache-write-failed', message: `scan: the result cache could not be written (${err instanceof Error ? err.message : String(err)})` });
    }
  }
  const { results, errors, skipped, scanned, passed, prefilterMs } = tally;

  const findings: ScanFinding[] = [];
  for (const [file, raw] of [...results.entries()].sort(([a], [b]) => byCodeUnit(a, b))) {
    for (const [rule, line, column, endLine, endColumn, excerpt] of [...raw].sort(compareRaw)) {
      findings.push({ rule, severity: rulesById.get(rule)?.severity ?? 'info', file, line, column, end_line: endLine, end_column: endColumn, excerpt });
    }
  }
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]));
  const byRule: Record<string, { count: number; severity: string; category: string; message: string }> = {};
  for (const f of findings) {
    const rule = rulesById.get(f.rule)!;
    (byRule[f.rule] ??= { count: 0, severity: rule.severity, category: rule.category, message: rule.message }).count++;
  }

  const lookups = cache ? cache.hits + cache.misses : 0;
  errors.sort((a, b) => byCodeUnit(a.file ?? '', b.file ?? '') || byCodeUnit(a.code, b.code));
  return {
    slice: {
      parser: { name: '@ast-grep/napi', version: napiVersion() },
      rule_set: { hash: `blake3:${ruleHash.slice(0, 16)}`, rules: rules.map((r) => r.id) },
      language_filter: options.onlyValues,
      files: { total: candidates.length + skipped.language_filter, scanned, skipped },
      summary: {
        total: findings.length,
        by_severity: bySeverity,
        by_rule: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => byCodeUnit(a, b))),
      },
      findings,
    },
    errors,
    warnings,
    stats: {
      jobs: options.jobs,
      workers,
      parsed_files: tally.parsed,
      parsed_by_workers: tally.parsedByWorkers,
      prefilter: {
        enabled: options.prefilter,
        total_files: scanned,
        passed,
        skipped: scanned - passed,
        time_ms: Math.round(prefilterMs * 10) / 10,
      },
      cache: {
        enabled: cache !== undefined,
        hits: cache?.hits ?? 0,
        misses: cache?.misses ?? 0,
        hit_ratio: lookups === 0 ? null : (cache!.hits / lookups),
        stored: cache?.stored ?? 0,
        evicted: lastRun?.evicted ?? 0,
      },
      time_ms: Math.round(performance.now() - started),
    },
  };
}
