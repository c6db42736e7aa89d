/**
 * Worker-thread entry, in one of two modes (`workerData.mode`):
 * - `disk`: receives scans (`DiskJob`) one at a time and runs the whole per-file pipeline (read,
 *   triage, prefilter, cache lookup, parse, match) over the scan's file list, taking chunks of
 *   files from a counter shared with the probe's thread and the other workers; outcomes go back in
 *   batches, then `{ done: true }`. It keeps its scanner between scans with the same setup.
 * - otherwise (contexts without files on disk): receives the rules once, then batches of texts
 *   the probe's thread read, and answers with their findings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DiskAccess } from '../../tools/probe-context';
import { FileScanner, type FileOutcome, type ScanSetup } from './file-scan';
import { matchSource, type MatchRule } from './match-file';
import type { ParseBatch, ParseReply } from './worker-pool';

export interface DiskJob {
  /** Identifies the scanner setup; `setup` comes along only when this worker may not have it yet. */
  setupKey: string;
  setup?: ScanSetup;
  /** The owner's clock for this scan. */
  now: number;
  access: DiskAccess;
  files: string[];
  /** Int32 at index 0: the next file index nobody has taken. */
  counter: SharedArrayBuffer;
  chunk: number;
}

export interface DiskReply {
  outcomes: FileOutcome[];
  /** Files scanned and ruled out by the prefilter, nothing else to say (most of them): indexes only. */
  quiet?: Int32Array;
  /** Their prefilter time, summed (ms). */
  quietMs?: number;
  done?: boolean;
  /** The scan failed in this worker; what it did not report, the probe's thread scans. */
  failed?: string;
}

/** Outcomes sent per message. */
const BATCH = 32;

let scanner: FileScanner | undefined;
let scannerKey: string | undefined;

async function runDisk(data: DiskJob): Promise<void> {
  if (data.setup) {
    scanner = await FileScanner.create(data.setup);
    scannerKey = data.setupKey;
  }
  const current = scanner;
  if (!current || scannerKey !== data.setupKey) throw new Error('scan worker has no setup for this scan');
  current.readCacheAsOf(data.now);
  const next = new Int32Array(data.counter);
  let batch: FileOutcome[] = [];
  let quiet: number[] = [];
  let quietMs = 0;
  const send = (done: boolean) => {
    parentPort?.postMessage({ outcomes: batch, quiet: Int32Array.from(quiet), quietMs, ...(done ? { done } : {}) } satisfies DiskReply);
    batch = [];
    quiet = [];
    quietMs = 0;
  };
  for (;;) {
    const start = Atomics.add(next, 0, data.chunk);
    if (start >= data.files.length) break;
    for (let i = start; i < Math.min(start + data.chunk, data.files.length); i++) {
      let o: FileOutcome;
      try {
        o = current.scanPath(i, data.files[i], data.access);
      } catch (err) {
        o = { i, err: err instanceof Error ? err.message : String(err), early: 1, ms: 0 };
      }
      if (!o.p && !o.s && o.err === undefined && o.k === undefined && o.f?.length === 0) {
        quiet.push(i);
        quietMs += o.ms;
      } else batch.push(o);
    }
    if (batch.length + quiet.length >= BATCH * 8) send(false);
  }
  send(true);
}

if ((workerData as { mode?: string }).mode === 'disk') {
  parentPort?.on('message', (job: DiskJob) => {
    runDisk(job).catch((err: unknown) => {
      parentPort?.postMessage({ outcomes: [], failed: err instanceof Error ? err.message : String(err) } satisfies DiskReply);
    });
  });
} else {
  const rules = new Map((workerData as { rules: MatchRule[] }).rules.map((r) => [r.id, r]));
  parentPort?.on('message', (batch: ParseBatch) => {
    const reply: ParseReply = {
      batch: batch.batch,
      results: batch.jobs.map((job) => {
        try {
          return { id: job.id, findings: matchSource(job.lang, job.text, job.rules.map((id) => rules.get(id)!)) };
        } catch (err) {
          return { id: job.id, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    };
    parentPort?.postMessage(reply);
  });
}
