/**
 * Orders and bounds the probe tasks of one batch (ADR-0003): one concurrency bound, heavy probes
 * first, a `runsLast` probe only after every sibling of its project has finished, and in-batch
 * dependencies honoured. Pure scheduling — how a task runs is the caller's `run`.
 */
import type { Heaviness } from '../probe-api';

export interface ScheduledTask {
  id: string;
  /** Tasks of the same project are siblings (for `runsLast`). */
  project: string;
  probe: string;
  heaviness: Heaviness;
  runsLast: boolean;
  /**
   * A file index or gather step: not a sibling probe, so runsLast probes do not wait for it (the
   * gather step itself depends on every probe, runsLast ones included).
   */
  supportStep?: boolean;
  /** Ids of tasks in this batch that must succeed first. */
  dependsOn: readonly string[];
}

export type TaskOutcome<R> = { status: 'success'; value: R } | { status: 'failure'; error: Error } | { status: 'skipped'; reason: string };

const RANK: Record<Heaviness, number> = { heavy: 0, medium: 1, light: 2 };

/** Dispatch order among ready tasks: heavy first, then by project and probe name (stable, deterministic). */
export function dispatchOrder(a: ScheduledTask, b: ScheduledTask): number {
  return RANK[a.heaviness] - RANK[b.heaviness] || cmp(a.project, b.project) || cmp(a.probe, b.probe) || cmp(a.id, b.id);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function schedule<R>(
  tasks: readonly ScheduledTask[],
  jobs: number,
  run: (task: ScheduledTask) => Promise<R>,
): Promise<Map<string, TaskOutcome<R>>> {
  const bound = Math.max(1, Math.floor(jobs));
  const outcomes = new Map<string, TaskOutcome<R>>();
  const ids = new Set(tasks.map((t) => t.id));
  const pending = [...tasks].sort(dispatchOrder);
  let running = 0;

  return new Promise((resolvePromise) => {
    const blockers = (task: ScheduledTask): ScheduledTask[] => {
      const deps = task.dependsOn.filter((d) => ids.has(d)).map((d) => tasks.find((t) => t.id === d)!);
      if (!task.runsLast) return deps;
      const siblings = tasks.filter((t) => t.project === task.project && t.id !== task.id && !t.runsLast && !t.supportStep);
      return [...deps, ...siblings];
    };

    const pump = (): void => {
      // Settle tasks whose in-batch dependencies failed: they are skipped, like Nx would.
      let changed = true;
      while (changed) {
        changed = false;
        for (let i = 0; i < pending.length; i++) {
          const task = pending[i];
          const failed = task.dependsOn.find((d) => {
            const o = outcomes.get(d);
            return o !== undefined && o.status !== 'success';
          });
          if (failed) {
            outcomes.set(task.id, { status: 'skipped', reason: `dependency ${failed} did not succeed` });
            pending.splice(i, 1);
            changed = true;
            break;
          }
        }
      }
      for (let i = 0; i < pending.length && running < bound; ) {
        const task = pending[i];
        if (blockers(task).every((b) => outcomes.has(b.id))) {
          pending.splice(i, 1);
          running++;
          run(task).then(
            (value) => outcomes.set(task.id, { status: 'success', value }),
            (error: unknown) => outcomes.set(task.id, { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) }),
          ).finally(() => {
            running--;
            pump();
          });
        } else {
          i++;
        }
      }
      if (running === 0 && pending.length === 0) resolvePromise(outcomes);
      else if (running === 0) {
        // Nothing runs and nothing can start: a dependency cycle or a missing task. Fail the rest loudly.
        for (const task of pending.splice(0)) {
          outcomes.set(task.id, { status: 'failure', error: new Error(`task ${task.id} can never start (dependency cycle?)`) });
        }
        resolvePromise(outcomes);
      }
    };
    pump();
  });
}
