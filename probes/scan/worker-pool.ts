/**
 * A small pool of worker threads that parse and match files. Files are handed out in small
 * batches to whichever worker is idle, so a slow file does not hold up the rest; the owner may
 * also steal queued files to parse in its own thread. A worker that dies fails only its own
 * batch; the caller re-runs those files in its own thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MatchRule, RawFinding } from './match-file';

export interface ParseJob {
  id: number;
  lang: string;
  text: string;
  /** Ids of the candidate rules for this file. */
  rules: string[];
}

export interface ParseResult {
  id: number;
  findings?: RawFinding[];
  error?: string;
  /** Parsed by the pool's owner after `steal()`, not by a worker. */
  stolen?: boolean;
}

export interface ParseBatch {
  batch: number;
  jobs: ParseJob[];
}

export interface ParseReply {
  batch: number;
  results: ParseResult[];
}

/** A batch closes at this many files or this much text, whichever comes first. */
const BATCH_FILES = 8;
const BATCH_CHARS = 256 * 1024;
/**
 * Batches handed to one worker before its first reply: a worker never idles while the owning
 * thread is busy (replies are only read when that thread's event loop turns).
 */
const BATCHES_IN_FLIGHT = 4;

/** Modules the worker loads from this folder, transpiled up front (others are transpiled when met). */
const WORKER_MODULES = [
  'scan-worker.ts', 'match-file.ts', 'file-scan.ts', 'prefilter.ts', 'code-shapes.ts', 'constraint-eval.ts', 'js-tokens.ts',
  'literal-clauses.ts', 'rule-literals.ts', 'regex-literals.ts', 'languages.ts', 'file-triage.ts', 'result-cache.ts', 'worker-pool.ts',
];
let sourceWorkerCode: string | undefined;

/**
 * The worker script. Built packages run `scan-worker.js`. From TypeScript sources (tests, a bench
 * run from source) Node 20 cannot load `.ts`, so this thread transpiles the worker's modules once
 * with the TypeScript compiler of the development setup and the worker installs them as a `.ts`
 * loader; any other `.ts` module it meets is transpiled there.
 */
export function workerScript(): { filename: string; evalCode: boolean } {
  const built = join(__dirname, 'scan-worker.js');
  if (existsSync(built)) return { filename: built, evalCode: false };
  if (!sourceWorkerCode) {
    const typescriptPath = createRequire(join(__dirname, 'worker-pool.ts')).resolve('typescript');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require(typescriptPath) as typeof import('typescript');
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    const compiled: Record<string, string> = {};
    // Worker threads load the files of the package next to this one (the tools folder and more)
    // through the same loader, transpiled when first required.
    for (const name of WORKER_MODULES) {
      const file = join(__dirname, name);
      compiled[file] = ts.transpileModule(readFileSync(file, 'utf8'), { fileName: file, compilerOptions }).outputText;
    }
    sourceWorkerCode = `
      const Module = require('node:module');
      const compiled = ${JSON.stringify(compiled)};
      Module._extensions['.ts'] = (module, filename) => {
        let code = compiled[filename];
        if (code === undefined) {
          const ts = require(${JSON.stringify(typescriptPath)});
          const source = require('node:fs').readFileSync(filename, 'utf8');
          code = ts.transpileModule(source, { fileName: filename, compilerOptions: ${JSON.stringify(compilerOptions)} }).outputText;
        }
        module._compile(code, filename);
      };
      require(${JSON.stringify(join(__dirname, 'scan-worker.ts'))});
    `;
  }
  return { filename: sourceWorkerCode, evalCode: true };
}

interface PoolWorker {
  worker: Worker;
  inFlight: ParseBatch[];
  dead: boolean;
}

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: ParseJob[] = [];
  private readonly waiting = new Map<number, (result: ParseResult) => void>();
  private nextBatch = 0;

  constructor(size: number, rules: readonly MatchRule[]) {
    const script = workerScript();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script.filename, { eval: script.evalCode, workerData: { rules } });
      const entry: PoolWorker = { worker, inFlight: [], dead: false };
      worker.on('message', (reply: ParseReply) => {
        entry.inFlight = entry.inFlight.filter((b) => b.batch !== reply.batch);
        for (const result of reply.results) this.settle(result);
        this.pump();
      });
      const fail = (reason: string) => {
        if (entry.dead) return;
        entry.dead = true;
        const lost = entry.inFlight.flatMap((b) => b.jobs);
        entry.inFlight = [];
        for (const job of lost) this.settle({ id: job.id, error: `scan worker failed: ${reason}` });
        if (this.workers.every((w) => w.dead)) for (const job of this.queue.splice(0)) this.settle({ id: job.id, error: `scan worker failed: ${reason}` });
        this.pump();
      };
      worker.on('error', (err) => fail(err.message));
      worker.on('exit', (code) => fail(`exited with code ${code}`));
      this.workers.push(entry);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Jobs waiting for a worker (not yet handed out). */
  get queued(): number {
    return this.queue.length;
  }

  private settle(result: ParseResult): void {
    const resolve = this.waiting.get(result.id);
    if (!resolve) return;
    this.waiting.delete(result.id);
    resolve(result);
  }

  private pump(): void {
    for (const w of this.workers) {
      while (!w.dead && w.inFlight.length < BATCHES_IN_FLIGHT && this.queue.length > 0) {
        const jobs: ParseJob[] = [];
        let chars = 0;
        while (this.queue.length > 0 && jobs.length < BATCH_FILES && (jobs.length === 0 || chars + this.queue[0].text.length <= BATCH_CHARS)) {
          const job = this.queue.shift()!;
          chars += job.text.length;
          jobs.push(job);
        }
        const batch: ParseBatch = { batch: this.nextBatch++, jobs };
        w.inFlight.push(batch);
        w.worker.postMessage(batch);
      }
    }
  }

  /**
   * Takes a queued job that no worker has started, for the caller to run itself (the probe's
   * thread joins in once it has read every file); `done` settles the job's promise.
   */
  steal(): { job: ParseJob; done: (result: ParseResult) => void } | undefined {
    const job = this.queue.shift();
    return job && { job, done: (result) => this.settle(result) };
  }

  submit(job: ParseJob): Promise<ParseResult> {
    return new Promise((resolve) => {
      this.waiting.set(job.id, resolve);
      if (this.workers.every((w) => w.dead)) {
        this.settle({ id: job.id, error: 'scan worker failed: no live worker' });
        return;
      }
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.dead = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
