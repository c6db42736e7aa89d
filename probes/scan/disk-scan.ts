/**
 * Scans the files of a disk-backed context with `jobs` parsing threads, each running the whole
 * per-file pipeline (file-scan.ts): this thread and `jobs - 1` workers take chunks of the file
 * list from one counter in shared memory, so whichever thread is free takes the next files and
 * nothing is decided up front. Workers send outcomes back in batches; this thread collects them
 * (ScanTally) once it has run out of files itself. A worker that fails loses nothing: every file
 * without an outcome at the end is scanned here.
 *
 * Workers outlive a scan: the coordinator runs the probe once per project in the same process,
 * and a worker that has scanned before has its parser loaded, its rules prepared and its code
 * compiled. Idle workers do not keep the process alive and end after `IDLE_MS`.
 */
import { Worker } from 'node:worker_threads';
import type { DiskAccess } from '../../tools/probe-context';
import { setupKey, type FileScanner, type ScanSetup } from './file-scan';
import type { ScanTally } from './scan';
import type { DiskJob, DiskReply } from './scan-worker';
import { workerScript } from './worker-pool';

/** Files taken from the counter at a time: small, so the threads finish together. */
const CHUNK = 4;
/** Idle workers end after this long without a scan. */
const IDLE_MS = 30_000;
/** Workers start only when there are at least `minFilesPerWorker` times this many files per parsing thread. */
const FILES_PER_WORKER_FACTOR = 4;

export interface DiskScanRun {
  workers: number;
  /** Files a failed worker left over, scanned in this thread. */
  redone: number;
}

interface DiskScanParts {
  scanner: FileScanner;
  setup: ScanSetup;
  access: DiskAccess;
  tally: ScanTally;
  jobs: number;
  minFilesPerWorker: number;
}

interface PooledWorker {
  worker: Worker;
  /** Setup key of the scanner the worker holds. */
  key?: string;
  /** Receives the current scan's replies and failures. */
  onReply?: (reply: DiskReply) => void;
  onFailure?: () => void;
}

const idle: PooledWorker[] = [];
let idleTimer: NodeJS.Timeout | undefined;

function createWorker(): PooledWorker {
  const script = workerScript();
  const entry: PooledWorker = { worker: new Worker(script.filename, { eval: script.evalCode, workerData: { mode: 'disk' } }) };
  entry.worker.on('message', (reply: DiskReply) => entry.onReply?.(reply));
  const fail = () => {
    const i = idle.indexOf(entry);
    if (i >= 0) idle.splice(i, 1);
    entry.onFailure?.();
  };
  entry.worker.on('error', fail);
  entry.worker.on('exit', fail);
  return entry;
}

function release(entry: PooledWorker): void {
  entry.onReply = undefined;
  entry.onFailure = undefined;
  entry.worker.unref();
  idle.push(entry);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closeScanWorkers(), IDLE_MS);
  idleTimer.unref();
}

/** Ends the idle scan workers (tests; the process may also just exit). */
export async function closeScanWorkers(): Promise<void> {
  clearTimeout(idleTimer);
  const ending = idle.splice(0);
  await Promise.all(ending.map((e) => e.worker.terminate()));
}

/** Runs one scan in a worker; resolves true when it reported every file it took, false when it failed. */
function runInWorker(entry: PooledWorker, job: DiskJob, setup: ScanSetup, tally: ScanTally): Promise<boolean> {
  return new Promise((resolve) => {
    entry.worker.ref();
    entry.onReply = (reply) => {
      for (const o of reply.outcomes) tally.absorb(o, o.parsed === 1);
      if (reply.quiet) tally.absorbQuiet(reply.quiet, reply.quietMs ?? 0);
      if (reply.failed !== undefined) {
        entry.onReply = entry.onFailure = undefined;
        void entry.worker.terminate();
        resolve(false);
      } else if (reply.done) {
        entry.key = job.setupKey;
        release(entry);
        resolve(true);
      }
    };
    entry.onFailure = () => {
      entry.onReply = entry.onFailure = undefined;
      resolve(false);
    };
    entry.worker.postMessage(entry.key === job.setupKey ? job : { ...job, setup });
  });
}

export async function scanFromDisk(parts: DiskScanParts): Promise<DiskScanRun> {
  const { scanner, setup, access, tally, jobs } = parts;
  const files = tally.files;
  const counter = new SharedArrayBuffer(4);
  const next = new Int32Array(counter);
  const workerCount = jobs > 1 && files.length >= parts.minFilesPerWorker * jobs * FILES_PER_WORKER_FACTOR ? jobs - 1 : 0;
  const job: DiskJob = { setupKey: setupKey(setup) + setup.ruleHash, now: setup.now, access, files: [...files], counter, chunk: CHUNK };
  // Workers get their share first so that their start-up overlaps with this thread's own scanning.
  const entries = idle.splice(0, workerCount);
  try {
    while (entries.length < workerCount) entries.push(createWorker());
  } catch {
    // No worker threads here (a restricted environment): the threads that exist take every file.
  }
  const finished = entries.map((entry) => runInWorker(entry, job, setup, tally));
  const scanOne = (i: number) => {
    try {
      tally.absorb(scanner.scanPath(i, files[i], access), false);
    } catch (err) {
      tally.absorb({ i, err: err instanceof Error ? err.message : String(err), early: 1, ms: 0 }, false);
    }
  };
  for (;;) {
    const start = Atomics.add(next, 0, CHUNK);
    if (start >= files.length) break;
    for (let i = start; i < Math.min(start + CHUNK, files.length); i++) scanOne(i);
  }
  // Worker outcomes arrive while waiting here (this thread's event loop was busy until now).
  const ok = await Promise.all(finished);
  let redone = 0;
  for (let i = 0; i < files.length; i++) {
    if (!tally.has(i)) {
      scanOne(i);
      redone++;
    }
  }
  return { workers: entries.length, redone: ok.every(Boolean) ? 0 : redone };
}
