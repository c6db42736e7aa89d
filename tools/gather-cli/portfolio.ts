/**
 * `codegenie gather --repos FILE [--jobs N] [--json]`: gathers many repositories, N at a time.
 *
 * How the gather CLI calls it, after parsing its own flags (`--mode`, `--state-dir`,
 * `--remote-cache`/`--token`, `--timeout` are shared with the single-repository form; `--out`
 * and `--rev` are rejected with `--repos`, since every repository needs its own output and rev):
 *
 *     import { runReposCommand } from './portfolio';
 *     if (values.repos !== undefined) {
 *       return runReposCommand({
 *         reposFile: values.repos, jobs: values.jobs, json: values.json === true,
 *         request: { mode, stateDir, remoteCache, timeoutMs },
 *         gatherOne: gatherRepository,
 *       });
 *     }
 *
 * It resolves to the exit code: 0 when every repository succeeded, 1 when one or more failed,
 * 2 for a usage error (unreadable or invalid list, bad `--jobs`), 3 when none failed but some
 * are stale (`--mode cached-only`). Stale repositories count as `ok` in the JSON totals: their
 * artifacts were answered, only older than the tree.
 *
 * What it guarantees:
 *   - one repository failing, throwing or returning nonsense never stops the others: it becomes
 *     a `failed` outcome with a one-line error;
 *   - never more than N gathers at once (`--jobs`, default `os.availableParallelism()`);
 *   - memory bounded by the number of repositories times one short summary row: full outcomes
 *     go to a temporary NDJSON spool as they finish and are streamed back, in list order, only
 *     for `--json`;
 *   - progress on stderr: on a TTY a live display (log-update: one line per running repository,
 *     counts, elapsed), otherwise one plain line per start and per finish; the summary table
 *     (or, with `--json`, `{ "repositories": GatherOutcome[], "ok": n, "failed": n }`) on stdout;
 *   - an aborted run (signal, or Ctrl-C through `runReposCommand`) passes the abort to the
 *     running gathers and reports the repositories it never started as failed ("not started").
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { GatherFunction, GatherOutcome, GatherRequest } from './contract';
import { ReposFileError, parseReposFile, type RepoEntry } from './repos-file';

export { ReposFileError, parseReposFile, formatReposLine, splitRev, type RepoEntry } from './repos-file';

/** What the summary table keeps per repository (the outcome itself is spooled to disk). */
export interface SummaryRow {
  repository: string;
  status: GatherOutcome['status'];
  seconds: number;
  replayed: number;
  recomputed: number;
  /** The first error, shortened, and how many more there were. */
  error: string;
}

export interface PortfolioResult {
  ok: number;
  failed: number;
  stale: number;
  rows: SummaryRow[];
  exitCode: 0 | 1 | 3;
}

export interface PortfolioOptions {
  /** How many gathers run at once (default `os.availableParallelism()`). */
  jobs?: number;
  gatherOne: GatherFunction;
  /** Shared by every request: mode, state folder, remote cache, timeout. */
  request?: Omit<GatherRequest, 'path' | 'rev' | 'signal' | 'outDir'>;
  /** Where progress goes (stderr in the CLI). */
  stream: Writable;
  /** Live display (true) or one plain line per event (false). Default: `stream.isTTY`. */
  isTTY?: boolean;
  signal?: AbortSignal;
  /** Where the summary table or the JSON goes (stdout in the CLI). Omitted: nothing is written. */
  out?: Writable;
  json?: boolean;
  /** Elapsed-time source for the display and for thrown gathers' `seconds` (tests pin it). */
  now?: () => number;
}

export const OK_STATUSES: ReadonlySet<GatherOutcome['status']> = new Set(['ok', 'fresh', 'stale']);

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** `--jobs` as given on the command line: a positive integer, or undefined for the default. */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return defaultJobs();
  if (!/^[1-9][0-9]{0,3}$/.test(value.trim())) throw new UsageError(`--jobs must be a whole number from 1 to 9999, got ${JSON.stringify(value)}`);
  return Number(value.trim());
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function errorMessage(err: unknown): string {
  return oneLine(err instanceof Error ? err.message || err.name : String(err)) || 'unknown error';
}

function isOutcome(value: unknown): value is GatherOutcome {
  const v = value as Partial<GatherOutcome> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.status === 'string' &&
    ['ok', 'failed', 'stale', 'fresh'].includes(v.status) &&
    typeof v.seconds === 'number' &&
    Array.isArray(v.errors) &&
    typeof v.probes === 'object' &&
    v.probes !== null &&
    Array.isArray(v.probes.replayed) &&
    Array.isArray(v.probes.recomputed)
  );
}

function failedOutcome(entry: RepoEntry, seconds: number, error: string): GatherOutcome {
  return { repository: entry.path, rev: null, status: 'failed', fast_path: false, seconds, out: '', probes: { replayed: [], recomputed: [] }, errors: [error] };
}

function rowOf(entry: RepoEntry, outcome: GatherOutcome): SummaryRow {
  const [first, ...more] = outcome.errors;
  const error = first === undefined ? '' : `${oneLine(String(first), 120)}${more.length ? ` (+${more.length} more)` : ''}`;
  return {
    repository: entry.label,
    status: outcome.status,
    seconds: Math.round(outcome.seconds * 100) / 100,
    replayed: outcome.probes.replayed.length,
    recomputed: outcome.probes.recomputed.length,
    error,
  };
}

/**
 * Full outcomes, one JSON line each in a temporary file, with their offsets kept in two typed
 * arrays: read back in list order for `--json` without holding them in memory.
 */
class OutcomeSpool {
  private readonly dir = mkdtempSync(join(tmpdir(), 'codegenie-portfolio-'));
  private readonly fd = openSync(join(this.dir, 'outcomes.ndjson'), 'w+');
  private readonly offsets: Float64Array;
  private readonly lengths: Float64Array;
  private end = 0;

  constructor(count: number) {
    this.offsets = new Float64Array(count);
    this.lengths = new Float64Array(count);
  }

  put(index: number, outcome: GatherOutcome): void {
    const bytes = Buffer.from(`${JSON.stringify(outcome)}\n`);
    writeSync(this.fd, bytes, 0, bytes.length, this.end);
    this.offsets[index] = this.end;
    this.lengths[index] = bytes.length - 1;
    this.end += bytes.length;
  }

  get(index: number): string {
    const buffer = Buffer.alloc(this.lengths[index]);
    readSync(this.fd, buffer, 0, buffer.length, this.offsets[index]);
    return buffer.toString('utf8');
  }

  dispose(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(1)}s`;
}

function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

interface Progress {
  started(entry: RepoEntry): void;
  finished(entry: RepoEntry, row: SummaryRow): void;
  close(): void;
}

interface Counts {
  total: number;
  done: number;
  failed: number;
  running: Map<number, { entry: RepoEntry; since: number }>;
}

function countsLine(c: Counts, jobs: number, elapsedMs: number): string {
  const waiting = c.total - c.done - c.running.size;
  return `${c.done}/${c.total} done, ${c.failed} failed, ${c.running.size} running, ${waiting} waiting (jobs ${jobs}) ${formatElapsed(elapsedMs)} elapsed`;
}

function finishLine(row: SummaryRow): string {
  const what = `${row.replayed} replayed, ${row.recomputed} recomputed`;
  return `${row.status.padEnd(6)} ${row.repository} ${formatSeconds(row.seconds)} (${what})${row.error ? `: ${row.error}` : ''}`;
}

/** Plain logs: one line per start and per finish, nothing rewritten (CI logs, pipes). */
function lineProgress(stream: Writable, counts: Counts, jobs: number, now: () => number, t0: number): Progress {
  return {
    started(entry) {
      stream.write(`start  ${entry.label}\n`);
    },
    finished(_entry, row) {
      stream.write(`${finishLine(row)} [${countsLine(counts, jobs, now() - t0)}]\n`);
    },
    close() {},
  };
}

type LogUpdate = ((...text: string[]) => void) & { clear(): void; done(): void };

/** The live display: finished repositories scroll above, the running ones and the counts below. */
function ttyProgress(stream: Writable, counts: Counts, jobs: number, now: () => number, t0: number): Progress {
  // A pseudo-terminal without a size (script, some CI runners) reports 0 rows, and log-update
  // keeps only the last `rows` lines of a frame: nothing would show. Plain lines instead.
  if (!((stream as Writable & { rows?: number }).rows! > 0)) return lineProgress(stream, counts, jobs, now, t0);
  // log-update is ESM-only; Node ≥ 20.19 loads it through require() (engines say so).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLogUpdate } = require('log-update') as { createLogUpdate(stream: Writable, options?: { showCursor?: boolean }): LogUpdate };
  const render = createLogUpdate(stream);
  const reported = (stream as Writable & { columns?: number }).columns ?? 0;
  const columns = reported >= 20 ? reported : 80;
  const fit = (line: string) => (line.length > columns - 1 ? `${line.slice(0, Math.max(1, columns - 2))}…` : line);
  const frame = () => {
    const t = now();
    const lines = [...counts.running.values()].map(({ entry, since }) => fit(`  … ${entry.label} ${formatSeconds((t - since) / 1000)}`));
    render([fit(countsLine(counts, jobs, t - t0)), ...lines].join('\n'));
  };
  const timer = setInterval(frame, 250);
  timer.unref();
  return {
    started() {
      frame();
    },
    finished(_entry, row) {
      render.clear();
      stream.write(`${fit(`${row.status === 'failed' ? '✖' : '✔'} ${finishLine(row)}`)}\n`);
      frame();
    },
    close() {
      clearInterval(timer);
      frame();
      render.done();
    },
  };
}

/** The summary table, columns padded to their widest cell. */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const header = ['repository', 'status', 'seconds', 'replayed', 'recomputed', 'errors'];
  const cells = rows.map((r) => [r.repository, r.status, r.seconds.toFixed(2), String(r.replayed), String(r.recomputed), r.error]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const rightAligned = new Set([2, 3, 4]);
  const line = (c: string[]) =>
    c
      .map((cell, i) => (i === c.length - 1 ? cell : rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

function exitCodeOf(failed: number, stale: number): 0 | 1 | 3 {
  if (failed > 0) return 1;
  return stale > 0 ? 3 : 0;
}

/** Writes a string to a stream and waits for it to drain when it is backed up. */
function writeAll(stream: Writable, text: string): Promise<void> {
  return new Promise((done) => {
    if (stream.write(text)) done();
    else stream.once('drain', done);
  });
}

/**
 * Gathers every entry with at most `jobs` at once, in list order of starting. Resolves (never
 * rejects for a repository's failure) with the totals, the summary rows and the exit code;
 * writes the table or the JSON to `out` when given.
 */
export async function runPortfolio(entries: readonly RepoEntry[], options: PortfolioOptions): Promise<PortfolioResult> {
  const jobs = options.jobs ?? defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`jobs must be a positive integer, got ${jobs}`);
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const counts: Counts = { total: entries.length, done: 0, failed: 0, running: new Map() };
  const live = options.isTTY ?? (options.stream as Writable & { isTTY?: boolean }).isTTY === true;
  const progress = (live ? ttyProgress : lineProgress)(options.stream, counts, jobs, now, t0);
  const rows: SummaryRow[] = new Array(entries.length);
  const spool = options.json && options.out ? new OutcomeSpool(entries.length) : undefined;
  let stale = 0;
  let next = 0;

  const settle = (index: number, outcome: GatherOutcome) => {
    const entry = entries[index];
    const row = rowOf(entry, outcome);
    rows[index] = row;
    spool?.put(index, outcome);
    counts.running.delete(index);
    counts.done++;
    if (!OK_STATUSES.has(outcome.status)) counts.failed++;
    if (outcome.status === 'stale') stale++;
    progress.finished(entry, row);
  };

  const gather = async (index: number): Promise<GatherOutcome> => {
    const entry = entries[index];
    const since = now();
    const request: GatherRequest = { ...options.request, path: entry.path, ...(entry.rev !== undefined ? { rev: entry.rev } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    try {
      const outcome: unknown = await options.gatherOne(request);
      if (!isOutcome(outcome)) return failedOutcome(entry, (now() - since) / 1000, 'the gather returned no valid outcome');
      return outcome;
    } catch (err) {
      return failedOutcome(entry, (now() - since) / 1000, errorMessage(err));
    }
  };

  const worker = async () => {
    while (next < entries.length && !options.signal?.aborted) {
      const index = next++;
      counts.running.set(index, { entry: entries[index], since: now() });
      progress.started(entries[index]);
      settle(index, await gather(index));
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(jobs, entries.length) }, worker));
    // Entries never started because the run was aborted: reported, not silently dropped.
    for (let index = next; index < entries.length; index++) settle(index, failedOutcome(entries[index], 0, 'not started: the run was aborted'));
  } finally {
    progress.close();
  }

  const failed = counts.failed;
  const ok = entries.length - failed;
  const result: PortfolioResult = { ok, failed, stale, rows, exitCode: exitCodeOf(failed, stale) };
  try {
    if (options.out && spool) {
      await writeAll(options.out, '{\n  "repositories": [');
      for (let index = 0; index < entries.length; index++) await writeAll(options.out, `${index ? ',' : ''}\n    ${spool.get(index)}`);
      await writeAll(options.out, `${entries.length ? '\n  ' : ''}],\n  "ok": ${ok},\n  "failed": ${failed}\n}\n`);
    } else if (options.out) {
      await writeAll(options.out, formatSummaryTable(rows));
      await writeAll(options.out, `${ok} ok, ${failed} failed${stale ? ` (${stale} stale)` : ''} of ${entries.length} in ${formatElapsed(now() - t0)}\n`);
    }
  } finally {
    spool?.dispose();
  }
  return result;
}

export interface ReposCommandOptions {
  reposFile: string;
  /** `--jobs` as typed (a string), or a number, or undefined for the default. */
  jobs?: string | number;
  json?: boolean;
  request?: PortfolioOptions['request'];
  gatherOne: GatherFunction;
  stdout?: Writable;
  stderr?: Writable;
  /** Abort on the first SIGINT/SIGTERM (the CLI); tests leave it off. */
  handleSignals?: boolean;
  signal?: AbortSignal;
}

/** The `--repos` form of the gather CLI, start to exit code. User errors are one line on stderr. */
export async function runReposCommand(options: ReposCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let entries: RepoEntry[];
  let jobs: number;
  try {
    jobs = typeof options.jobs === 'number' ? options.jobs : parseJobs(options.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive integer, got ${jobs}`);
    const file = resolve(options.reposFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a list' : code === 'EACCES' ? 'not readable' : errorMessage(err);
      throw new UsageError(`--repos ${options.reposFile}: ${why}`);
    }
    entries = parseReposFile(text, dirname(file), options.reposFile);
  } catch (err) {
    if (err instanceof ReposFileError || err instanceof UsageError) {
      stderr.write(`codegenie gather: ${err.message.split('\n').join('\ncodegenie gather: ')}\n`);
      return 2;
    }
    throw err;
  }

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  const relay = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', relay, { once: true });
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    const result = await runPortfolio(entries, {
      jobs,
      gatherOne: options.gatherOne,
      request: options.request,
      stream: stderr,
      signal: controller.signal,
      out: stdout,
      json: options.json === true,
    });
    return result.exitCode;
  } finally {
    options.signal?.removeEventListener('abort', relay);
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
