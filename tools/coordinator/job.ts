/** What the batch process sends a probe worker, and what comes back. Plain JSON: it crosses threads. */
import type { ProbeIssue, ProbeResult, RunMetadata } from '../probe-api';

export interface ProbeJob {
  /** Absolute folder of the probe (its `index.js` default-exports the registration). */
  probeFolder: string;
  probeName: string;
  workspaceRoot: string;
  /** `''` for the repository, else the package root relative to the workspace root. */
  scopeRoot: string;
  /** Candidate files relative to the scope root (Nx's listing of the probe's inputs). */
  files: string[];
  /** Absolute path of the scope's file index, for `usesFileIndex` probes. */
  fileIndexPath?: string;
  /** Absolute paths of sibling envelopes, for `runsLast` probes. */
  siblingPaths?: string[];
  /** For `runsLast` probes: which siblings this run recomputed or replayed. */
  runMetadata?: RunMetadata;
  options: Record<string, unknown>;
  maxFileBytes: number;
  cacheDir?: string;
}

export type WorkerReply =
  | { type: 'result'; result: ProbeResult }
  /** The probe hit bad input it did not handle itself (a file too large, not a regular file): deterministic. */
  | { type: 'input-error'; issue: ProbeIssue }
  | { type: 'crash'; message: string };
