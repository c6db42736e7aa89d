/**
 * Wires Nx's batch API to the coordinator: Nx task graph → coordinator tasks (probes, file index,
 * gather), plugin options from nx.json → jobs/timeout/probe options, Nx workspace context → file
 * listings. Nothing else. Both probe executors (`probe`, `probe-wave-2`) come here.
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runProbeBatch, resolveJobs, resolveTimeout, type BatchStep, type BatchTask, type BatchTaskResult } from '../../tools/coordinator/run-batch';
import { artifactPaths, REPOSITORY_LISTING_FILE } from '../../tools/artifact-paths';
import { writeFileAtomic } from '../../tools/atomic-write';
import { canonicalJson } from '../../tools/canonical-json';
import { buildFileIndex } from '../../tools/file-index';
import { currentRunId } from '../../tools/coordinator/run-id';
import { gather } from '../../tools/gather/gather';
import { codegenieVersion } from '../../tools/package-root';
import { listScopeFiles, nestedProjectRoots } from '../../tools/nx-files';
import { optionsFromNxJson, probeOptions } from '../../tools/plugin/options';
import { loadProbes, type RegisteredProbe } from '../../tools/registry';

export interface ProbeExecutorOptions {
  /** The probe to run; absent for the file index and the gather step. */
  probe?: string;
  scope: string;
  /** This task merges the scope's probe outputs (the `gather` target). */
  gather?: boolean;
  /** This task writes the scope's file index (the `file-index` target). */
  fileIndex?: boolean;
}

/** The state workspace's git listing of the repository (see REPOSITORY_LISTING_FILE). */
function readRepositoryListing(workspaceRoot: string): string[] {
  return readFileSync(join(workspaceRoot, REPOSITORY_LISTING_FILE), 'utf8').split('\0').filter(Boolean);
}

function stepOf(taskId: string, options: ProbeExecutorOptions | undefined, byName: ReadonlyMap<string, RegisteredProbe>): BatchStep {
  if (options?.gather) return { kind: 'gather' };
  if (options?.fileIndex) return { kind: 'file-index' };
  const probe = byName.get(options?.probe ?? '');
  if (probe === undefined) throw new Error(`codegenie: task ${taskId} names unknown probe ${JSON.stringify(options?.probe)}`);
  return { kind: 'probe', probe };
}

export async function runNxProbeTasks(
  taskGraph: TaskGraph,
  inputs: Record<string, ProbeExecutorOptions>,
  context: ExecutorContext,
): Promise<Map<string, BatchTaskResult>> {
  const probes = loadProbes();
  const byName = new Map(probes.map((p) => [p.name, p]));
  const pluginOptions = optionsFromNxJson(context.nxJsonConfiguration);
  const tasks: BatchTask[] = Object.values(taskGraph.tasks).map((task) => {
    const options = inputs[task.id];
    return {
      id: task.id,
      project: task.target.project,
      scopeRoot: options?.scope ?? '',
      step: stepOf(task.id, options, byName),
      // Edges are objects in Nx 24 (`{ id }`); older versions used plain ids.
      dependsOn: (taskGraph.dependencies[task.id] ?? [])
        .map((edge) => (typeof edge === 'string' ? edge : edge.id))
        .filter((id) => id in taskGraph.tasks),
      hash: task.hash,
    };
  });
  const nested = new Map<string, string[]>();
  const nestedRoots = (scopeRoot: string): string[] => {
    if (!nested.has(scopeRoot)) nested.set(scopeRoot, nestedProjectRoots(context.projectGraph, scopeRoot));
    return nested.get(scopeRoot)!;
  };
  // In a state workspace the repository sits in a subfolder: probes, the file index and the gather
  // step work relative to it, so every artifact path is relative to the repository root.
  const base = pluginOptions.repositoryRoot ?? '';
  const repoRoot = base ? join(context.root, base) : context.root;
  const inBase = (scopeRoot: string): string => (base ? (scopeRoot ? `${base}/${scopeRoot}` : base) : scopeRoot);
  const scopeFiles = (scopeRoot: string, globs: readonly string[]): Promise<string[]> =>
    listScopeFiles(context.root, inBase(scopeRoot), globs, nestedRoots(inBase(scopeRoot)));
  return runProbeBatch(tasks, {
    workspaceRoot: repoRoot,
    jobs: resolveJobs(pluginOptions.jobs, process.env, cpus().length),
    timeoutMs: resolveTimeout(pluginOptions.timeoutMs, process.env),
    maxFileBytes: pluginOptions.maxFileBytes,
    probeOptions: probeOptions(pluginOptions),
    allProbes: probes,
    cacheDir: join(context.root, '.nx', 'cache', 'codegenie'),
    runId: currentRunId(),
    gather: (scopeRoot) => {
      const { views } = gather({ workspaceRoot: repoRoot, scopeRoot, probes, codegenieVersion: codegenieVersion() });
      const paths = artifactPaths(scopeRoot);
      return (
        `codegenie gather: wrote ${paths.contextFile} and ${paths.viewsFile} ` +
        `(confidence ${views.confidence_summary.overall}, ${views.risk_flags.length} risk flag(s), ${views.available_skills.length} skill(s))\n`
      );
    },
    fileIndex: async (scopeRoot) => {
      const listed = base && scopeRoot === '' ? readRepositoryListing(context.root) : await scopeFiles(scopeRoot, ['**/*']);
      const index = buildFileIndex(listed);
      writeFileAtomic(join(repoRoot, artifactPaths(scopeRoot).raw('file-index')), canonicalJson(index));
      return `codegenie file-index: ${index.files.length} files (${index.excludedCount} noise files excluded)\n`;
    },
    listFiles: async (probe, scopeRoot) => scopeFiles(scopeRoot, probe.inputs),
  });
}
