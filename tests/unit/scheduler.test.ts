import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { schedule, type ScheduledTask } from '../../tools/coordinator/scheduler';
import type { Heaviness } from '../../tools/probe-api';

function task(id: string, heaviness: Heaviness = 'light', extra: Partial<ScheduledTask> = {}): ScheduledTask {
  return { id, project: 'repo', probe: id, heaviness, runsLast: false, dependsOn: [], ...extra };
}

/** Runs tasks with a fake clock of recorded events; each task "takes" `ms` real milliseconds. */
async function record(tasks: ScheduledTask[], jobs: number, ms: Record<string, number> = {}) {
  const events: Array<{ id: string; kind: 'start' | 'end'; at: number }> = [];
  let active = 0;
  let maxActive = 0;
  const t0 = Date.now();
  const outcomes = await schedule(tasks, jobs, async (t) => {
    active++;
    maxActive = Math.max(maxActive, active);
    events.push({ id: t.id, kind: 'start', at: Date.now() - t0 });
    await new Promise((r) => setTimeout(r, ms[t.id] ?? 5));
    if (t.id.startsWith('fail')) {
      active--;
      events.push({ id: t.id, kind: 'end', at: Date.now() - t0 });
      throw new Error(`${t.id} failed`);
    }
    active--;
    events.push({ id: t.id, kind: 'end', at: Date.now() - t0 });
    return t.id;
  });
  const starts = events.filter((e) => e.kind === 'start').map((e) => e.id);
  return { events, starts, outcomes, maxActive };
}

describe('scheduler', () => {
  it('starts heavy, then medium, then light probes', async () => {
    const { starts } = await record([task('a'), task('b', 'medium'), task('c', 'heavy'), task('d')], 1);
    expect(starts).toEqual(['c', 'b', 'a', 'd']);
  });

  it('holds a runsLast probe until every sibling of its project has finished', async () => {
    const tasks = [task('last', 'heavy', { runsLast: true }), task('slow', 'light'), task('quick', 'light'), task('other', 'light', { project: 'pkg' })];
    const { events } = await record(tasks, 4, { slow: 40, quick: 5 });
    const lastStart = events.find((e) => e.id === 'last' && e.kind === 'start')!.at;
    for (const id of ['slow', 'quick']) expect(lastStart).toBeGreaterThanOrEqual(events.find((e) => e.id === id && e.kind === 'end')!.at);
  });

  it('does not make a runsLast probe wait for the gather step that depends on it', async () => {
    const tasks = [task('probe-a'), task('last', 'light', { runsLast: true }), task('gather', 'light', { supportStep: true, dependsOn: ['probe-a', 'last'] })];
    const { outcomes, starts } = await record(tasks, 2);
    expect([...outcomes.values()].every((o) => o.status === 'success')).toBe(true);
    expect(starts).toEqual(['probe-a', 'last', 'gather']);
  });

  it('never exceeds the concurrency bound, and jobs=1 is strictly sequential', async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => task(`t${i}`, i % 3 === 0 ? 'heavy' : 'light'));
    expect((await record(tasks, 3)).maxActive).toBe(3);
    const seq = await record(tasks, 1);
    expect(seq.maxActive).toBe(1);
    for (let i = 1; i < seq.events.length; i++) expect(seq.events[i].kind).toBe(i % 2 === 0 ? 'start' : 'end');
  });

  it('skips tasks whose in-batch dependency failed, and runs the rest', async () => {
    const tasks = [task('fail-dep'), task('child', 'light', { dependsOn: ['fail-dep'] }), task('grandchild', 'light', { dependsOn: ['child'] }), task('free')];
    const { outcomes } = await record(tasks, 2);
    expect(outcomes.get('fail-dep')!.status).toBe('failure');
    expect(outcomes.get('child')!.status).toBe('skipped');
    expect(outcomes.get('grandchild')!.status).toBe('skipped');
    expect(outcomes.get('free')!.status).toBe('success');
  });

  it('settles every task exactly once for any mix of annotations and bounds', async () => {
    const arb = fc.array(
      fc.record({ heaviness: fc.constantFrom<Heaviness>('light', 'medium', 'heavy'), runsLast: fc.boolean(), project: fc.constantFrom('a', 'b') }),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(arb, fc.integer({ min: 1, max: 4 }), async (specs, jobs) => {
        const tasks = specs.map((s, i) => task(`t${i}`, s.heaviness, { runsLast: s.runsLast, project: s.project }));
        const { outcomes, maxActive, events } = await record(tasks, jobs, Object.fromEntries(tasks.map((t) => [t.id, 1])));
        expect(outcomes.size).toBe(tasks.length);
        expect(maxActive).toBeLessThanOrEqual(jobs);
        for (const t of tasks.filter((x) => x.runsLast)) {
          const start = events.find((e) => e.id === t.id && e.kind === 'start')!.at;
          for (const s of tasks.filter((x) => x.project === t.project && !x.runsLast)) {
            expect(start).toBeGreaterThanOrEqual(events.find((e) => e.id === s.id && e.kind === 'end')!.at);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
