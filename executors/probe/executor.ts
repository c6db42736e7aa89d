/** Non-batched path (`--batch=false`): one probe task, through the same coordinator. */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runNxProbeTasks, type ProbeExecutorOptions } from './nx-adapter';

export default async function probeExecutor(options: ProbeExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const id = `${context.projectName}:${context.targetName}${context.configurationName ? `:${context.configurationName}` : ''}`;
  const project = context.projectName ?? '';
  const target = context.targetName ?? '';
  const taskGraph: TaskGraph = {
    roots: [id],
    tasks: { [id]: { id, target: { project, target }, overrides: {}, outputs: [], parallelism: true } as unknown as TaskGraph['tasks'][string] },
    dependencies: { [id]: [] },
    continuousDependencies: { [id]: [] },
  } as TaskGraph;
  const result = (await runNxProbeTasks(taskGraph, { [id]: options }, context)).get(id)!;
  process.stdout.write(result.terminalOutput);
  return { success: result.success };
}
