/**
 * A small pool of probe worker threads. Each job gets a deadline; a worker that misses it is
 * terminated (the only way to stop a synchronous loop) and replaced on demand.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root';
import type { ProbeJob, WorkerReply } from './job';

export class ProbeTimeoutError extends Error {
  constructor(probe: string, ms: number) {
    super(`probe ${probe} timed out after ${ms} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

export class ProbeCrashError extends Error {
  constructor(probe: string, detail: string) {
    super(`probe ${probe} crashed: ${detail}`);
    this.name = 'ProbeCrashError';
  }
}

/** The compiled worker entry. From TypeScript sources (tests), the built copy in `dist/` is used. */
export function workerEntry(): string {
  const beside = join(__dirname, 'probe-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), 'dist', 'tools', 'coordinator', 'probe-worker.js');
  if (existsSync(built)) return built;
  throw new Error('codegenie: probe-worker.js not found; run the build (npm run build) first');
}

/** Heap cap per worker: a runaway probe fails alone instead of taking the batch process down. */
const WORKER_HEAP_MB = 1024;

export class WorkerPool {
  private idle: Worker[] = [];
  private live = new Set<Worker>();

  constructor(private readonly entry: string = workerEntry()) {}

  private acquire(): Worker {
    const worker = this.idle.pop() ?? new Worker(this.entry, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.live.add(worker);
    return worker;
  }

  run(job: ProbeJob, timeoutMs: number): Promise<WorkerReply> {
    const worker = this.acquire();
    return new Promise<WorkerReply>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void, reusable: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (reusable) this.idle.push(worker);
        else {
          this.live.delete(worker);
          void worker.terminate();
        }
        fn();
      };
      const onMessage = (reply: WorkerReply) => finish(() => resolve(reply), true);
      const onError = (err: Error) => finish(() => reject(new ProbeCrashError(job.probeName, err.message)), false);
      const onExit = (code: number) => finish(() => reject(new ProbeCrashError(job.probeName, `worker exited with code ${code}`)), false);
      const timer = setTimeout(() => finish(() => reject(new ProbeTimeoutError(job.probeName, timeoutMs)), false), timeoutMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const all = [...this.live];
    this.idle = [];
    this.live.clear();
    await Promise.all(all.map((w) => w.terminate()));
  }
}
