/**
 * An id for the current `nx` invocation, the same in every batch and task process it forks. Used
 * only for run statistics (which siblings a runsLast probe saw recomputed in this run).
 *
 * Nx passes `NX_INVOCATION_ANCESTOR_PIDS` (the pids of the nx processes a task is nested in,
 * outermost first) to every task it forks; its last entry is the nx process that runs this task
 * graph. The parent pid is only a fallback: with Nx's terminal UI, or through a wrapper, the
 * parent of a batch process need not be the orchestrator, and two batches of one run then got
 * different ids. The pid's start time (from /proc on Linux) guards against pid reuse across runs.
 */
import { readFileSync } from 'node:fs';

/** The orchestrating nx process's pid: the last of Nx's ancestor list, else the parent. */
export function invokingPid(env: NodeJS.ProcessEnv = process.env, ppid: number = process.ppid): number {
  const ancestors = (env.NX_INVOCATION_ANCESTOR_PIDS ?? '')
    .split(',')
    .map((p) => Number(p.trim()))
    .filter((p) => Number.isInteger(p) && p > 0);
  return ancestors.length > 0 ? ancestors[ancestors.length - 1] : ppid;
}

export function runIdForPid(pid: number): string {
  try {
    // Field 22 of /proc/<pid>/stat is the start time in clock ticks; the command name (field 2)
    // may contain spaces, so count from the closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${pid}-${fields[19]}`;
  } catch {
    return String(pid);
  }
}

export function currentRunId(env: NodeJS.ProcessEnv = process.env, ppid: number = process.ppid): string {
  return runIdForPid(invokingPid(env, ppid));
}
