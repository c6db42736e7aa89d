import { describe, expect, it } from 'vitest';
import { currentRunId, invokingPid, runIdForPid } from '../../tools/coordinator/run-id';

describe('run id', () => {
  it('names the nx process that runs the task graph: the last of NX_INVOCATION_ANCESTOR_PIDS', () => {
    expect(invokingPid({ NX_INVOCATION_ANCESTOR_PIDS: '100,2345' }, 7)).toBe(2345);
    expect(invokingPid({ NX_INVOCATION_ANCESTOR_PIDS: '2345' }, 7)).toBe(2345);
  });

  it('falls back to the parent pid when Nx did not say (or said nonsense)', () => {
    expect(invokingPid({}, 7)).toBe(7);
    expect(invokingPid({ NX_INVOCATION_ANCESTOR_PIDS: '' }, 7)).toBe(7);
    expect(invokingPid({ NX_INVOCATION_ANCESTOR_PIDS: 'abc,-3,0' }, 7)).toBe(7);
  });

  it('is the same for two batches of one invocation whatever their parents, and differs across invocations', () => {
    const batchOne = currentRunId({ NX_INVOCATION_ANCESTOR_PIDS: String(process.pid) }, 11);
    const batchTwo = currentRunId({ NX_INVOCATION_ANCESTOR_PIDS: String(process.pid) }, 12);
    expect(batchOne).toBe(batchTwo);
    // The process start time (Linux /proc) guards against pid reuse.
    if (process.platform === 'linux') expect(batchOne).toMatch(new RegExp(`^${process.pid}-\\d+$`));
    expect(runIdForPid(process.ppid)).not.toBe(batchOne);
  });
});
