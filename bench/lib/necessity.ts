/**
 * Which tasks of a churn step had to re-run: a task whose inputs did not change and still ran is
 * an avoidable miss. Decided from the targets Nx shows (`nx show project --json`), the paths the
 * commit changed and the bytes of the outputs the tasks read from each other — independently of
 * Nx's hashing, so the bench checks the plugin's inputs rather than trusting them.
 */
import picomatch from 'picomatch';

export interface ShownTarget {
  inputs?: Array<string | { dependentTasksOutputFiles?: string; externalDependencies?: string[] }>;
  dependsOn?: Array<string | { target?: string }>;
  outputs?: string[];
}

export interface TaskInputs {
  /** Task id, `repo:probe-language`. */
  id: string;
  /** Matches a repository-relative path against the task's file inputs. */
  readsPath: (path: string) => boolean;
  /** Output files (repository-relative) of the tasks whose outputs this one reads. */
  readsOutputs: string[];
}

const ANCHOR = '{workspaceRoot}/';

function outputPaths(target: ShownTarget): string[] {
  return (target.outputs ?? []).map((o) => o.replace(ANCHOR, ''));
}

/** The repository project's codegenie tasks and what each reads. */
export function taskInputs(project: string, targets: Record<string, ShownTarget>, taskIds: readonly string[]): TaskInputs[] {
  return taskIds.map((id) => {
    const target = targets[id.slice(project.length + 1)];
    const globs = (target.inputs ?? []).filter((i): i is string => typeof i === 'string').map((g) => g.replace(ANCHOR, ''));
    const positive = globs.filter((g) => !g.startsWith('!'));
    const negative = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
    const yes = positive.length > 0 ? picomatch(positive, { dot: true }) : () => false;
    const no = negative.length > 0 ? picomatch(negative, { dot: true }) : () => false;
    const readsDependents = (target.inputs ?? []).some((i) => typeof i === 'object' && i.dependentTasksOutputFiles);
    const deps = (target.dependsOn ?? []).map((d) => (typeof d === 'string' ? d : d.target ?? '')).filter(Boolean);
    return {
      id,
      readsPath: (path) => yes(path) && !no(path),
      readsOutputs: readsDependents ? deps.flatMap((d) => outputPaths(targets[d] ?? {})) : [],
    };
  });
}

/**
 * Tasks whose inputs changed in one step: a changed path matches their file inputs, or an output
 * they read has different bytes than before the step.
 */
export function tasksThatHadToRun(tasks: readonly TaskInputs[], changedPaths: readonly string[], changedOutputs: ReadonlySet<string>): Set<string> {
  const needed = new Set<string>();
  for (const task of tasks) {
    if (changedPaths.some(task.readsPath) || task.readsOutputs.some((o) => changedOutputs.has(o))) needed.add(task.id);
  }
  return needed;
}
