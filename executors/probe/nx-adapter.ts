/**
 * Wires Nx's batch API to the coordinator: Nx task graph → coordinator tasks, plugin options from
 * nx.json → jobs/timeout/probe options, Nx workspace context → file listings. Nothing else.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runProbeBatch, resolveJobs, resolveTimeout, type BatchTask, type BatchTaskResult } from '../../tools/coordinator/run-batch';
import { artifactPaths } from '../../tools/artifact-paths';
import { currentRunId } from '../../tools/coordinator/run-id';
import { gather } from '../../tools/gather/gather';
import { codegenieVersion } from '../../tools/package-root';
import { listScopeFiles, nestedProjectRoots } from '../../tools/nx-files';
import { optionsFromNxJson, probeOptions } from '../../tools/plugin/options';
import { loadProbes } from '../../tools/registry';

export interface ProbeExecutorOptions {
  /** The probe to run; absent for the gather step. */
  probe?: string;
  scope: string;
  /** This task merges the scope's probe outputs (the `gather` target). */
  gather?: boolean;
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
    const probe = options?.gather ? null : byName.get(options?.probe ?? '');
    if (probe === undefined) throw new Error(`codegenie: task ${task.id} names unknown probe ${JSON.stringify(options?.probe)}`);
    return {
      id: task.id,
      project: task.target.project,
      scopeRoot: options.scope ?? '',
      probe,
      // Edges are objects in Nx 24 (`{ id }`); older versions used plain ids.
      dependsOn: (taskGraph.dependencies[task.id] ?? [])
        .map((edge) => (typeof edge === 'string' ? edge : edge.id))
        .filter((id) => id in taskGraph.tasks),
      hash: task.hash,
    };
  });
  const nested = new Map<string, string[]>();
  return runProbeBatch(tasks, {
    workspaceRoot: context.root,
    jobs: resolveJobs(pluginOptions.jobs, process.env, cpus().length),
    timeoutMs: resolveTimeout(pluginOptions.timeoutMs, process.env),
    maxFileBytes: pluginOptions.maxFileBytes,
    probeOptions: probeOptions(pluginOptions),
    allProbes: probes,
    cacheDir: join(context.root, '.nx', 'cache', 'codegenie'),
    runId: currentRunId(),
    gather: (scopeRoot) => {
      const { views } = gather({ workspaceRoot: context.root, scopeRoot, probes, codegenieVersion: codegenieVersion() });
      const paths = artifactPaths(scopeRoot);
      return (
        `codegenie gather: wrote ${paths.contextFile} and ${paths.viewsFile} ` +
        `(confidence ${views.confidence_summary.overall}, ${views.risk_flags.length} risk flag(s), ${views.available_skills.length} skill(s))\n`
      );
    },
    listFiles: async (probe, scopeRoot) => {
      if (!nested.has(scopeRoot)) nested.set(scopeRoot, nestedProjectRoots(context.projectGraph, scopeRoot));
      return listScopeFiles(context.root, scopeRoot, probe.inputs, nested.get(scopeRoot));
    },
  });
}
