/**
 * The scan probe's body. Per file, in this order: read (through the context), skip huge /
 * binary / minified / generated files, choose candidate rules (the literal prefilter), look the
 * file up in the per-file cache, and only then parse and match — in this thread (`jobs: 1`) or
 * in a worker pool. Findings are sorted at the end, so the slice is the same for any job count,
 * cache state or prefilter setting; timings and hit ratios go to `stats`, never to the slice.
 */
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { byCodeUnit } from '../../tools/parse';
import { ProbeInputError, type ProbeContext, type ProbeIssue, type ProbeResult } from '../../tools/probe-api';
import { loadSkipSettings, skipReason, type SkipReason, type SkipSettings } from './file-triage';
import { languageOf, type ScanLanguage } from './languages';
import { compareRaw, matchSource, type MatchRule, type RawFinding } from './match-file';
import { readScanOptions } from './options';
import { RuleSelector } from './prefilter';
import { ResultCache } from './result-cache';
import { loadScanRules, SEVERITIES, type ScanRule } from './rules';
import { WorkerPool, type ParseJob } from './worker-pool';

/** Bump when matching or excerpts change in a way that makes cached findings stale. */
const ENGINE_VERSION = 1;
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

async function ruleSetHash(rules: readonly ScanRule[]): Promise<string> {
  const hasher = await createBLAKE3();
  hasher.init();
  hasher.update(
    JSON.stringify(
      rules.map((r) => [r.id, r.languages, r.severity, r.message, r.files ?? null, r.ignores ?? null, r.maskStrings, r.matcher]),
    ),
  );
  return hasher.digest('hex');
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

/**
 * Parses files with `jobs` threads: this one plus `jobs - 1` workers. Workers start once enough
 * files wait (small scans stay in this thread) and parse while this thread is still reading;
 * when reading is done, this thread takes queued files too.
 */
class Parser {
  private pool?: WorkerPool;
  private readonly waiting: Array<{ job: ParseJob; done: (f: RawFinding[] | Error) => void }> = [];
  private readonly inFlight: Promise<void>[] = [];
  private nextId = 0;
  parsed = 0;
  /** Files the workers parsed (the rest were parsed in this thread). */
  parsedByWorkers = 0;
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

  private viaPool(pool: WorkerPool, job: ParseJob, done: (f: RawFinding[] | Error) => void): void {
    this.inFlight.push(
      pool.submit(job).then((result) => {
        if (result.findings && !result.stolen) this.parsedByWorkers++;
        if (result.findings) done(result.findings);
        else if (result.error !== undefined && result.error.startsWith('scan worker failed')) {
          // The worker died: parse here instead, so one crash costs time, not findings.
          this.workerFailures++;
          done(this.inThread(job));
        } else done(new Error(result.error ?? 'no result'));
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

  add(lang: ScanLanguage, text: string, rules: string[], done: (f: RawFinding[] | Error) => void): void {
    this.parsed++;
    const job: ParseJob = { id: this.nextId++, lang, text, rules };
    if (this.jobs <= 1) return done(this.inThread(job));
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
    for (const w of this.waiting.splice(0)) w.done(this.inThread(w.job));
    if (this.pool) {
      // Reading is over: this thread becomes one more parser until the queue is empty.
      while (this.runStolen(this.pool));
    }
    await Promise.all(this.inFlight);
    await this.pool?.close();
  }
}

export async function runScan(ctx: ProbeContext, deps: ScanDeps = {}): Promise<ProbeResult> {
  const started = performance.now();
  const { options, warnings } = readScanOptions(ctx.options, deps.env);
  const errors: ProbeIssue[] = [];
  const rules = deps.rules ?? loadScanRules();
  const skip = deps.skip ?? loadSkipSettings();
  const maxFileBytes = options.maxFileBytes ?? skip.maxFileBytes;
  const selector = new RuleSelector(rules, options.prefilter);
  const rulesById = new Map(rules.map((r) => [r.id, r]));
  const matchRules = new Map<string, MatchRule>(rules.map((r) => [r.id, { id: r.id, matcher: r.matcher, maskStrings: r.maskStrings }]));
  const ruleHash = await ruleSetHash(rules);
  // The coordinator's cache folder is shared by all probes; ours is its `scan` subfolder (the
  // default of `codegenie cache`).
  const cache = options.cache && ctx.cacheDir ? new ResultCache(join(ctx.cacheDir, 'scan'), { now: deps.now }) : undefined;
  const hasher: IHasher | undefined = cache ? await createBLAKE3() : undefined;
  const parser = new Parser(options.jobs, deps.minFilesPerWorker ?? DEFAULT_MIN_FILES_PER_WORKER, matchRules);

  const skipped: Record<SkipReason | 'unreadable' | 'language_filter', number> = {
    too_large: 0, binary: 0, minified: 0, generated: 0, unreadable: 0, language_filter: 0,
  };
  const candidates = ctx.files.filter((f) => {
    if (languageOf(f) === undefined) return false;
    if (options.only && !options.only.has(posix.extname(f))) {
      skipped.language_filter++;
      return false;
    }
    return true;
  });
  parser.prestart(candidates.length);
  const results = new Map<string, RawFinding[]>();
  let scanned = 0;
  let passed = 0;
  let prefilterMs = 0;

  const scanFile = async (path: string) => {
    const lang = languageOf(path)!;
    let text: string;
    try {
      text = await ctx.readText(path);
    } catch (err) {
      if (err instanceof ProbeInputError && err.code === 'file-too-large') skipped.too_large++;
      else if (err instanceof ProbeInputError && err.code === 'not-a-file') skipped.unreadable++;
      else {
        skipped.unreadable++;
        // The error's own message may hold an absolute path; its code is enough.
        const code = (err as NodeJS.ErrnoException)?.code;
        errors.push({ code: 'read-error', file: path, message: `${path}: could not be read${code ? ` (${code})` : ''}` });
      }
      return;
    }
    const reason = skipReason(path, text, skip, maxFileBytes);
    if (reason) {
      skipped[reason]++;
      return;
    }
    scanned++;
    const filterStart = performance.now();
    const chosen = selector.candidates(path, lang, text);
    prefilterMs += performance.now() - filterStart;
    if (chosen.length === 0) {
      results.set(path, []);
      return;
    }
    passed++;
    let key: string | undefined;
    if (cache && hasher) {
      // Rules limited by `files` globs make the applicable set depend on the path, so it is part of the key.
      const applicable = selector.applicable(path, lang).map((r) => r.id).join(',');
      hasher.init();
      hasher.update(`${ENGINE_VERSION}\0${lang}\0${napiVersion()}\0${ruleHash}\0${applicable}\0`);
      hasher.update(text);
      key = hasher.digest('hex');
      const hit = cache.get(key);
      if (hit) {
        results.set(path, hit);
        return;
      }
    }
    parser.add(lang, text, chosen.map((r) => r.id), (found) => {
      if (found instanceof Error) {
        errors.push({ code: 'scan-error', file: path, message: `${path}: ${found.message}` });
        return;
      }
      results.set(path, found);
      if (cache && key) cache.set(key, found);
    });
  };
  await forEachConcurrently(candidates, READ_CONCURRENCY, async (path) => {
    try {
      await scanFile(path);
    } catch (err) {
      errors.push({ code: 'scan-error', file: path, message: `${path}: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  await parser.finish();
  if (parser.workerFailures > 0) {
    warnings.push({ code: 'worker-failed', message: `scan: ${parser.workerFailures} file(s) were re-parsed in the probe thread after a worker failed` });
  }
  let lastRun;
  if (cache) {
    try {
      lastRun = cache.flush();
    } catch (err) {
      warnings.push({ code: 'cache-write-failed', message: `scan: the result cache could not be written (${err instanceof Error ? err.message : String(err)})` });
    }
  }

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
      workers: parser.workers,
      parsed_files: parser.parsed,
      parsed_by_workers: parser.parsedByWorkers,
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
