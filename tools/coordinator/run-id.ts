/**
 * An id for the current `nx` invocation. Nx forks each batch (and each non-batched task) from the
 * task orchestrator, so the parent process is the same for every batch of one run; its start time
 * (from /proc on Linux) guards against pid reuse across runs. Used only for run statistics.
 */
import { readFileSync } from 'node:fs';

export function currentRunId(ppid: number = process.ppid): string {
  try {
    // Field 22 of /proc/<pid>/stat is the start time in clock ticks; the command name (field 2)
    // may contain spaces, so count from the closing parenthesis.
    const stat = readFileSync(`/proc/${ppid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${ppid}-${fields[19]}`;
  } catch {
    return String(ppid);
  }
}
