/** Nx batch implementation (`preferBatch`): every probe task that missed the cache, in one process. */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runNxProbeTasks, type ProbeExecutorOptions } from './nx-adapter';

export default async function probeBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ProbeExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): Promise<Record<string, { success: boolean; terminalOutput: string; status: 'success' | 'failure' | 'skipped' }>> {
  const results = await runNxProbeTasks(taskGraph, inputs, context);
  // Nx does not print a failed batch task's terminalOutput; say what failed ourselves, once.
  for (const result of results.values()) if (result.status === 'failure') process.stderr.write(result.terminalOutput);
  return Object.fromEntries(results);
}
