/**
 * Runs the probe tasks of one Nx batch: schedules them (heavy first, runsLast after siblings,
 * one concurrency bound), runs each in a worker thread with a deadline, and writes each
 * successful envelope atomically. A failed task writes nothing, so the previous artifacts stay.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactPaths } from '../artifact-paths';
import { canonicalJson } from '../canonical-json';
import { toEnvelope, type Envelope } from '../envelope';
import { writeFileAtomic } from '../atomic-write';
import { DEFAULT_MAX_FILE_BYTES } from '../probe-context';
import type { ProbeResult } from '../probe-api';
import type { RegisteredProbe } from '../registry';
import { scrub } from '../scrub';
import type { ProbeJob } from './job';
import { schedule, type ScheduledTask } from './scheduler';
import { WorkerPool } from './worker-pool';

/**
 * What one task of a batch does. Besides probes, a batch runs a scope's two support steps: the
 * file index (batched with the first wave of probes) and the gather step (batched with the last
 * probes). Each shares a probe executor so that Nx forks one process less for it.
 */
export type BatchStep = { kind: 'probe'; probe: RegisteredProbe } | { kind: 'file-index' } | { kind: 'gather' };

export interface BatchTask {
  id: string;
  project: string;
  /** `''` for the repository scope, else the package root. */
  scopeRoot: string;
  step: BatchStep;
  /** Ids of tasks in this batch it depends on. */
  dependsOn: string[];
  /** Nx's hash of the task (the fingerprint of its inputs), when known. */
  hash?: string;
}

export interface BatchSettings {
  workspaceRoot: string;
  jobs: number;
  timeoutMs: number;
  /** The plugin option: when set, the file size limit of every probe. */
  maxFileBytes?: number;
  /** `ctx.options` for every probe. */
  probeOptions: Record<string, unknown>;
  /** Every registered probe (runsLast probes read the envelopes of their in-scope siblings). */
  allProbes: readonly RegisteredProbe[];
  /** Nx's listing of files matching a probe's inputs, relative to the scope root. */
  listFiles(probe: RegisteredProbe, scopeRoot: string): Promise<string[]>;
  /** Runs the gather step of a scope in this process; returns its one-line summary. */
  gather?(scopeRoot: string): string;
  /** Writes the file index of a scope in this process; returns its one-line summary. */
  fileIndex?(scopeRoot: string): Promise<string>;
  /** Private cache folder for probes (absolute), e.g. `<workspace>/.nx/cache/codegenie`. */
  cacheDir?: string;
  /**
   * Identifies one `nx` invocation across its batches (see run-id.ts), so a runsLast probe can
   * tell siblings recomputed in this run from siblings replayed from cache.
   */
  runId?: string;
  pool?: WorkerPool;
}

export interface BatchTaskResult {
  success: boolean;
  status: 'success' | 'failure' | 'skipped';
  terminalOutput: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function defaultJobs(cpus: number): number {
  return Math.max(1, Math.min(cpus, 8));
}

/** `CODEGENIE_JOBS` beats the plugin option, which beats min(cpus, 8). */
export function resolveJobs(option: number | undefined, env: NodeJS.ProcessEnv, cpus: number): number {
  const fromEnv = env.CODEGENIE_JOBS !== undefined && env.CODEGENIE_JOBS !== '' ? Number(env.CODEGENIE_JOBS) : undefined;
  const chosen = fromEnv ?? option;
  if (chosen === undefined || !Number.isFinite(chosen) || chosen <= 0) return defaultJobs(cpus);
  return Math.floor(chosen);
}

export function resolveTimeout(option: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = env.CODEGENIE_TIMEOUT_MS ? Number(env.CODEGENIE_TIMEOUT_MS) : undefined;
  const chosen = fromEnv ?? option;
  return chosen !== undefined && Number.isFinite(chosen) && chosen > 0 ? chosen : DEFAULT_TIMEOUT_MS;
}

function readStats(path: string): { run_id?: string; hash?: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { run_id?: string; hash?: string };
  } catch {
    return undefined;
  }
}

function summary(env: Envelope): string {
  return `codegenie ${env.probe}@${env.version}: confidence ${env.confidence}, ${env.errors.length} error(s), ${env.warnings.length} warning(s)\n`;
}

export async function runProbeBatch(tasks: readonly BatchTask[], settings: BatchSettings): Promise<Map<string, BatchTaskResult>> {
  const pool = settings.pool ?? new WorkerPool();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const scheduled: ScheduledTask[] = tasks.map((t) => {
    const probe = t.step.kind === 'probe' ? t.step.probe : undefined;
    return {
      id: t.id,
      project: t.project,
      probe: probe?.name ?? t.step.kind,
      heaviness: probe?.heaviness ?? 'light',
      runsLast: probe?.runsLast ?? false,
      supportStep: probe === undefined,
      dependsOn: t.dependsOn,
    };
  });

  const runOne = async (s: ScheduledTask): Promise<string> => {
    const task = byId.get(s.id)!;
    const { step, scopeRoot } = task;
    if (step.kind === 'gather') {
      if (!settings.gather) throw new Error(`task ${task.id} is a gather step, but this batch cannot gather`);
      return settings.gather(scopeRoot);
    }
    if (step.kind === 'file-index') {
      if (!settings.fileIndex) throw new Error(`task ${task.id} is a file index, but this batch cannot write one`);
      return settings.fileIndex(scopeRoot);
    }
    const { probe } = step;
    const paths = artifactPaths(scopeRoot);
    const started = Date.now();
    const job: ProbeJob = {
      probeFolder: probe.folder,
      probeName: probe.name,
      workspaceRoot: settings.workspaceRoot,
      scopeRoot,
      files: await settings.listFiles(probe, scopeRoot),
      options: settings.probeOptions,
      maxFileBytes: settings.maxFileBytes ?? probe.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      cacheDir: settings.cacheDir,
    };
    if (probe.usesFileIndex) job.fileIndexPath = join(settings.workspaceRoot, paths.raw('file-index'));
    if (probe.runsLast) {
      const siblings = settings.allProbes.filter((p) => p.name !== probe.name && !p.runsLast && (scopeRoot === '' || !p.repoOnly));
      job.siblingPaths = siblings.map((p) => join(settings.workspaceRoot, paths.raw(p.name)));
      // A sibling recomputed in this run (in this batch or an earlier one) left stats stamped
      // with this run's id; every other sibling was replayed from cache.
      const recomputed: Record<string, string> = {};
      for (const p of siblings) {
        const stats = readStats(join(settings.workspaceRoot, paths.statsDir, `${p.name}.json`));
        if (settings.runId && stats?.run_id === settings.runId) recomputed[p.name] = stats.hash ?? '';
      }
      job.runMetadata = { recomputed, replayed: siblings.map((p) => p.name).filter((n) => !(n in recomputed)) };
    }
    const reply = await pool.run(job, settings.timeoutMs);
    if (reply.type === 'crash') throw new Error(`probe ${probe.name} crashed: ${reply.message}`);
    const result: ProbeResult =
      reply.type === 'result' ? reply.result : { slice: {}, errors: [reply.issue], confidence: 'low' };
    const envelope = scrub(toEnvelope(probe, result), { workspaceRoot: settings.workspaceRoot }).value;
    writeFileAtomic(join(settings.workspaceRoot, paths.raw(probe.name)), canonicalJson(envelope));
    // Run statistics go beside the context, never into it: they differ from run to run.
    const statsDir = join(settings.workspaceRoot, paths.statsDir);
    mkdirSync(statsDir, { recursive: true });
    writeFileAtomic(
      join(statsDir, `${probe.name}.json`),
      canonicalJson({ probe: probe.name, run_id: settings.runId, hash: task.hash, started_ms: started, ended_ms: Date.now(), stats: result.stats ?? {} }),
    );
    return summary(envelope);
  };

  try {
    const outcomes = await schedule(scheduled, settings.jobs, runOne);
    const results = new Map<string, BatchTaskResult>();
    for (const task of tasks) {
      const outcome = outcomes.get(task.id)!;
      if (outcome.status === 'success') {
        results.set(task.id, { success: true, status: 'success', terminalOutput: outcome.value });
      } else if (outcome.status === 'failure') {
        results.set(task.id, {
          success: false,
          status: 'failure',
          terminalOutput: `codegenie: ${outcome.error.message} (task ${task.id}: nothing cached, previous artifacts left as they were)\n`,
        });
      } else {
        results.set(task.id, { success: false, status: 'skipped', terminalOutput: `codegenie: ${task.id} skipped: ${outcome.reason}\n` });
      }
    }
    return results;
  } finally {
    if (!settings.pool) await pool.close();
  }
}
