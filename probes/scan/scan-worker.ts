/**
 * Worker-thread entry: receives the rules once (`workerData`), then batches of files (text, not
 * paths: the probe thread read them through its context) and answers with their findings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { matchSource, type MatchRule } from './match-file';
import type { ParseBatch, ParseReply } from './worker-pool';

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
