/**
 * What the scanner does with one file, the same in the probe's thread and in every worker:
 * read it (disk-backed contexts), skip huge / binary / minified / generated files, choose the
 * candidate rules (prefilter), look the file up in the result cache, and parse and match.
 * The outcome is plain data, so a worker can send it to the probe's thread, which keeps every
 * count and writes the cache (`ScanTally`).
 */
import { performance } from 'node:perf_hooks';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { readRegularFileSync, type DiskAccess } from '../../tools/probe-context';
import { skipReason, type SkipReason, type SkipSettings } from './file-triage';
import { languageOf, type ScanLanguage } from './languages';
import { matchSource, type MatchRule, type RawFinding } from './match-file';
import { RuleSelector, type SelectorPlan } from './prefilter';
import { ResultCache } from './result-cache';
import type { ScanRule } from './rules';

/** Bump when matching or excerpts change in a way that makes cached findings stale. */
export const ENGINE_VERSION = 1;

/** Everything a thread needs to scan files like every other thread. JSON and structured-clone safe. */
export interface ScanSetup {
  rules: ScanRule[];
  prefilter: boolean;
  /** The prefilter's derived data (with the prefilter on). */
  plan?: SelectorPlan;
  skip: SkipSettings;
  maxFileBytes: number;
  ruleHash: string;
  napiVersion: string;
  /** The result cache's folder, when the cache is on; threads other than the owner only read it. */
  cacheDir?: string;
  /** The owner's clock, read once: whether an entry is past its age is decided with it. */
  now: number;
  maxAgeMs?: number;
}

/** The parts of a setup that decide how files are scanned (not the clock): equal keys, interchangeable scanners. */
export function setupKey(setup: ScanSetup): string {
  const { rules: _rules, plan: _plan, now: _now, ...rest } = setup;
  return JSON.stringify(rest);
}

/** One file's outcome. Short keys: thousands of these cross from workers to the probe's thread. */
export interface FileOutcome {
  /** Index of the file in the scan's list. */
  i: number;
  /** Skipped: too large, binary, minified, generated, or unreadable. */
  s?: SkipReason | 'unreadable';
  /** Unreadable for a reason worth an error: the error code, or '' when there was none. */
  e?: string;
  /** Passed the prefilter. */
  p?: 1;
  /** Cache key (cache on, file passed the prefilter). */
  k?: string;
  /** Cache hit: the entry's last use (ms since the epoch). */
  h?: number;
  /** The cache held an entry past its age (counts as a miss). */
  x?: 1;
  /** Parsed in this thread. */
  parsed?: 1;
  f?: RawFinding[];
  /** Parsing or matching failed with this message. */
  err?: string;
  /** The pipeline failed before the prefilter ran (`err` says why): the file was not scanned. */
  early?: 1;
  /** Prefilter time (ms). */
  ms: number;
}

let threadHasher: Promise<IHasher> | undefined;
/**
 * Rule selectors per prefilter plan (or rule list without the prefilter): building one compiles
 * every clause's regexes, and the same rules come back for every scan of the process. A selector
 * is used synchronously, one file at a time, so scans in the same thread may share it.
 */
const selectors = new WeakMap<object, RuleSelector>();

export class FileScanner {
  readonly selector: RuleSelector;
  private readonly matchRules: Map<string, MatchRule>;
  private cache?: ResultCache;

  private constructor(
    readonly setup: ScanSetup,
    private readonly hasher: IHasher | undefined,
    cache: ResultCache | undefined,
    selector: RuleSelector,
  ) {
    this.selector = selector;
    this.matchRules = new Map(setup.rules.map((r) => [r.id, { id: r.id, matcher: r.matcher, maskStrings: r.maskStrings }]));
    if (cache) this.cache = cache;
    else this.readCacheAsOf(setup.now);
  }

  /**
   * Starts a new scan with the same setup: a fresh read-only view of the cache (shards change
   * between scans) judged by the owner's clock `now`.
   */
  readCacheAsOf(now: number): void {
    const { cacheDir, maxAgeMs } = this.setup;
    this.cache = cacheDir ? new ResultCache(cacheDir, { now: () => now, maxAgeMs }) : undefined;
  }

  /**
   * `cache`: the owner's own cache object (the probe's thread reads through it, so shards load
   * once); other threads open a read-only view of `setup.cacheDir`.
   */
  static async create(setup: ScanSetup, cache?: ResultCache): Promise<FileScanner> {
    // One hasher per thread: it is used synchronously, one file at a time, and creating one
    // instantiates WebAssembly (work the engine may queue behind others).
    const hasher = setup.cacheDir ? await (threadHasher ??= createBLAKE3()) : undefined;
    const key = setup.plan ?? setup.rules;
    let selector = selectors.get(key);
    if (!selector || selector.prefilter !== setup.prefilter) selectors.set(key, (selector = new RuleSelector(setup.rules, setup.prefilter, setup.plan)));
    return new FileScanner(setup, hasher, cache, selector);
  }

  rule(id: string): MatchRule {
    return this.matchRules.get(id)!;
  }

  /**
   * Everything before parsing: triage, prefilter, cache lookup. Returns the outcome when the file
   * needs no parsing, else the rules to run (`outcome` is filled in by `finish`).
   */
  prepare(i: number, path: string, lang: ScanLanguage, text: string): { outcome: FileOutcome; rules?: string[] } {
    const reason = skipReason(path, text, this.setup.skip, this.setup.maxFileBytes);
    if (reason) return { outcome: { i, s: reason, ms: 0 } };
    const started = performance.now();
    const chosen = this.selector.candidates(path, lang, text);
    const outcome: FileOutcome = { i, ms: performance.now() - started };
    if (chosen.length === 0) {
      outcome.f = [];
      return { outcome };
    }
    outcome.p = 1;
    if (this.cache && this.hasher) {
      // Rules limited by `files` globs make the applicable set depend on the path, so it is part of the key.
      const applicable = this.selector.applicable(path, lang).map((r) => r.id).join(',');
      this.hasher.init();
      this.hasher.update(`${ENGINE_VERSION}\0${lang}\0${this.setup.napiVersion}\0${this.setup.ruleHash}\0${applicable}\0`);
      this.hasher.update(text);
      outcome.k = this.hasher.digest('hex');
      const entry = this.cache.peek(outcome.k);
      if (entry && !this.cache.isExpired(entry.t)) {
        outcome.h = entry.t;
        outcome.f = entry.f;
        return { outcome };
      }
      if (entry) outcome.x = 1;
    }
    return { outcome, rules: chosen.map((r) => r.id) };
  }

  /** Parses and matches in this thread. */
  match(lang: ScanLanguage, text: string, rules: readonly string[]): RawFinding[] {
    return matchSource(lang, text, rules.map((id) => this.rule(id)));
  }

  /** The whole pipeline for one file already read. */
  scanText(i: number, path: string, lang: ScanLanguage, text: string): FileOutcome {
    const { outcome, rules } = this.prepare(i, path, lang, text);
    if (!rules) return outcome;
    outcome.parsed = 1;
    try {
      outcome.f = this.match(lang, text, rules);
    } catch (err) {
      outcome.err = err instanceof Error ? err.message : String(err);
    }
    return outcome;
  }

  /** The whole pipeline for one file of a disk-backed context, read synchronously in this thread. */
  scanPath(i: number, path: string, access: DiskAccess): FileOutcome {
    const read = readRegularFileSync(access, path);
    if (!read.ok) {
      if (read.code === 'file-too-large') return { i, s: 'too_large', ms: 0 };
      if (read.code === 'not-a-file') return { i, s: 'unreadable', ms: 0 };
      return { i, s: 'unreadable', e: read.errno ?? '', ms: 0 };
    }
    return this.scanText(i, path, languageOf(path)!, read.text);
  }
}
