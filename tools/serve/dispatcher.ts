/**
 * The dispatcher: N worker loops take jobs from the durable store under a lease, make the commit
 * present in the mirror, run the gather with a timeout, and record the outcome. A failed attempt
 * is retried with exponential backoff, then recorded as failed with its error. A worker loop that
 * throws is restarted (supervised); stopping releases running jobs back to the queue.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { GatherFunction, GatherOutcome } from './gather-port';
import { ensureCommit } from './mirror';
import type { Job, ServiceStore } from './queue/types';

export interface DispatcherOptions {
  store: ServiceStore;
  gather: GatherFunction;
  stateDir: string;
  workers: number;
  leaseMs: number;
  timeoutMs: number;
  retryBaseMs: number;
  pollMs: number;
  log: (entry: Record<string, unknown>) => void;
  onFinished?: (job: Job, result: { state: 'done' | 'retry' | 'failed'; seconds: number; outcome?: GatherOutcome; error?: string }) => void;
  now?: () => number;
}

interface Running {
  job: Job;
  abort: AbortController;
  done: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class Dispatcher {
  private readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly running = new Map<number, Running>();
  private wake: (() => void) | undefined;
  private reclaimTimer: NodeJS.Timeout | undefined;
  readonly now: () => number;
  restarts = 0;

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  get runningJobs(): Job[] {
    return [...this.running.values()].map((r) => r.job);
  }

  start(): void {
    const reclaim = async (): Promise<void> => {
      const n = await this.opts.store.reclaimExpired(this.now());
      if (n > 0) this.opts.log({ event: 'leases-reclaimed', jobs: n });
    };
    void reclaim();
    this.reclaimTimer = setInterval(() => void reclaim().catch(() => undefined), Math.max(200, Math.floor(this.opts.leaseMs / 2)));
    for (let i = 0; i < this.opts.workers; i++) this.loops.push(this.supervise(i));
  }

  /** Called after an enqueue so an idle worker does not wait for its next poll. */
  notify(): void {
    this.wake?.();
  }

  private async supervise(worker: number): Promise<void> {
    while (!this.stopping) {
      try {
        await this.loop(worker);
      } catch (err) {
        this.restarts++;
        this.opts.log({ event: 'worker-restarted', worker, error: (err as Error).message });
        await sleep(200);
      }
    }
  }

  private async loop(worker: number): Promise<void> {
    while (!this.stopping) {
      const job = await this.opts.store.claim({ owner: this.owner, leaseMs: this.opts.leaseMs, now: this.now() });
      if (!job) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        continue;
      }
      const abort = new AbortController();
      const done = this.runJob(worker, job, abort);
      this.running.set(job.id, { job, abort, done });
      try {
        await done;
      } finally {
        this.running.delete(job.id);
      }
    }
  }

  private async runJob(worker: number, job: Job, abort: AbortController): Promise<void> {
    const { store, log } = this.opts;
    const started = this.now();
    log({ event: 'job-start', job_id: job.id, repo: job.repo, rev: job.rev, reason: job.reason, attempt: job.attempts, worker });
    const renewEvery = Math.max(100, Math.floor(this.opts.leaseMs / 3));
    const renewTimer = setInterval(() => {
      void store.renew(job.id, this.owner, this.now() + this.opts.leaseMs).then((ours) => {
        if (!ours) abort.abort(new Error('lease lost'));
      });
    }, renewEvery);
    const timeout = setTimeout(() => abort.abort(new Error(`gather timed out after ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      const repo = await store.getRepo(job.repo);
      if (!repo) throw new Error(`repository ${job.repo} is no longer watched`);
      const commit = await ensureCommit(repo.mirror, job.rev, repo.managed);
      const outcome = await abortable(
        this.opts.gather({
          path: repo.mirror,
          rev: commit,
          mode: job.mode,
          stateDir: join(this.opts.stateDir, 'gather'),
          timeoutMs: this.opts.timeoutMs,
          signal: abort.signal,
        }),
        abort.signal,
      );
      if (outcome.status === 'failed') throw new Error(outcome.errors[0] ?? 'gather failed');
      const seconds = (this.now() - started) / 1000;
      await store.complete(job.id, this.owner, outcome.rev ?? commit, outcome, this.now());
      log({ event: 'job-done', job_id: job.id, repo: job.repo, commit: outcome.rev ?? commit, seconds, replayed: outcome.probes.replayed.length, recomputed: outcome.probes.recomputed.length });
      this.opts.onFinished?.(job, { state: 'done', seconds, outcome });
    } catch (err) {
      const seconds = (this.now() - started) / 1000;
      if (this.stopping) {
        // Shutting down: the attempt does not count; another process (or the restart) takes it.
        await store.release(job.id, this.owner);
        log({ event: 'job-released', job_id: job.id, repo: job.repo });
        return;
      }
      const message = (abort.signal.aborted ? (abort.signal.reason as Error)?.message : undefined) ?? (err as Error).message ?? String(err);
      const retryAt = job.attempts < job.max_attempts ? this.now() + this.opts.retryBaseMs * 2 ** (job.attempts - 1) : null;
      await store.fail(job.id, this.owner, message.slice(0, 500), this.now(), retryAt);
      const state = retryAt === null ? 'failed' : 'retry';
      log({ event: state === 'failed' ? 'job-failed' : 'job-retry', job_id: job.id, repo: job.repo, attempt: job.attempts, error: message.slice(0, 300), retry_at: retryAt });
      this.opts.onFinished?.(job, { state, seconds, error: message });
    } finally {
      clearInterval(renewTimer);
      clearTimeout(timeout);
    }
  }

  /** Stops taking jobs; lets running gathers finish for `graceMs`, then aborts and releases them. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.reclaimTimer) clearInterval(this.reclaimTimer);
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const timer = setTimeout(() => {
      for (const r of this.running.values()) r.abort.abort(new Error('service shutting down'));
    }, graceMs);
    await all;
    clearTimeout(timer);
    await Promise.all(this.loops);
  }
}

/** Settles as soon as the signal aborts, whether or not the gather honours it. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e as Error)),
    );
  });
}
