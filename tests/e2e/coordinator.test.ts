/**
 * The coordinator under real Nx: scheduling annotations observed through the recorded start/end
 * times in `.codegenie/stats/`, the concurrency bound, and failure isolation.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, createWorkspace, executedTasks, type TempWorkspace } from '../helpers/nx-workspace';

interface Timing {
  probe: string;
  started_ms: number;
  ended_ms: number;
}

function timings(ws: TempWorkspace): Map<string, Timing> {
  const dir = ws.path('.codegenie/stats');
  return new Map(
    readdirSync(dir).map((f) => {
      const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Timing;
      return [t.probe, t];
    }),
  );
}

const SCHEDULING = { CODEGENIE_PROBE_PATH: join(FIXTURES, 'probes', 'scheduling') };

describe('coordinator scheduling', () => {
  let ws: TempWorkspace | undefined;
  afterEach(() => ws?.dispose());

  it('starts heavy probes first and the runsLast probe after every sibling ended', () => {
    ws = createWorkspace('workspaces/single-package');
    const run = ws.nx(['run', 'repo:gather', '--skip-nx-cache'], { ...SCHEDULING, CODEGENIE_JOBS: '2' });
    expect(run.status, run.output).toBe(0);
    const t = timings(ws);
    const heavy = t.get('slow-heavy')!;
    for (const light of ['light-one', 'light-two']) expect(heavy.started_ms).toBeLessThanOrEqual(t.get(light)!.started_ms);
    // The runsLast probes (the fixture's and the built-in index-health and vulnerabilities) start after every other sibling ended.
    const runsLast = ['summary-last', 'index-health', 'vulnerabilities'];
    for (const lastName of runsLast) {
      const last = t.get(lastName)!;
      expect(last, lastName).toBeDefined();
      for (const [name, other] of t) if (!runsLast.includes(name)) expect(last.started_ms, `${lastName} vs ${name}`).toBeGreaterThanOrEqual(other.ended_ms);
    }
    // Which siblings were recomputed is run metadata: in index-health's stats, not its envelope.
    const health = JSON.parse(ws.read('.codegenie/stats/index-health.json'));
    expect(Object.keys(health.stats.freshness.recomputed)).toEqual(expect.arrayContaining(['slow-heavy', 'light-one', 'language']));
    expect(ws.read('.codegenie/context/raw/index-health.json')).not.toContain('recomputed');
    // With two slots another probe runs while the heavy one does (the other heavy one, scan, is
    // dispatched beside it; which light probe comes next depends on which heavy ends first).
    const overlapping = [...t.values()].filter((o) => o.probe !== 'slow-heavy' && o.started_ms < heavy.ended_ms && o.ended_ms > heavy.started_ms);
    expect(overlapping.length, JSON.stringify([...t.values()])).toBeGreaterThan(0);
    const summary = JSON.parse(ws.read('.codegenie/context/raw/summary-last.json'));
    expect(summary.slice.siblings).toEqual(expect.arrayContaining(['language', 'light-one', 'light-two', 'slow-heavy']));
    expect(summary.slice.siblings).not.toContain('summary-last');
  });

  it('runs one probe at a time with CODEGENIE_JOBS=1', () => {
    ws = createWorkspace('workspaces/single-package');
    const run = ws.nx(['run', 'repo:gather', '--skip-nx-cache'], { ...SCHEDULING, CODEGENIE_JOBS: '1' });
    expect(run.status, run.output).toBe(0);
    const intervals = [...timings(ws).values()].sort((a, b) => a.started_ms - b.started_ms);
    expect(intervals.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i].started_ms, `${intervals[i].probe} overlaps ${intervals[i - 1].probe}`).toBeGreaterThanOrEqual(intervals[i - 1].ended_ms);
    }
    // Heavy first also when strictly sequential.
    const batchOne = intervals.filter((i) => ['slow-heavy', 'light-one', 'light-two'].includes(i.probe)).map((i) => i.probe);
    expect(batchOne[0]).toBe('slow-heavy');
  });
});

describe('coordinator failures', () => {
  let ws: TempWorkspace | undefined;
  afterEach(() => ws?.dispose());

  it('fails a throwing and a hanging probe, names them, caches nothing for them and keeps the previous artifacts', () => {
    ws = createWorkspace('workspaces/single-package');
    expect(ws.nx(['run', 'repo:gather']).status).toBe(0);
    const before = ws.read('.codegenie/context/repo-context.yaml');
    const beforeViews = ws.read('.codegenie/context/views.json');

    const env = { CODEGENIE_PROBE_PATH: join(FIXTURES, 'probes', 'failing'), CODEGENIE_TIMEOUT_MS: '1500' };
    const tasks = ws.codegenieTasks('repo', env);
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('probe throws-always crashed');
    expect(run.output).toContain('boom from throws-always');
    expect(run.output).toContain('probe loops-forever timed out after 1500 ms');
    expect(ws.read('.codegenie/context/repo-context.yaml')).toBe(before);
    expect(ws.read('.codegenie/context/views.json')).toBe(beforeViews);
    expect(existsSync(ws.path('.codegenie/context/raw/throws-always.json'))).toBe(false);
    expect(existsSync(ws.path('.codegenie/context/raw/loops-forever.json'))).toBe(false);

    // Nothing was cached for the failed tasks: they run (and fail) again.
    const again = ws.nx(['run', 'repo:gather'], env);
    expect(again.status).not.toBe(0);
    const executed = executedTasks(again.output, tasks);
    expect(executed).toContain('repo:probe-throws-always');
    expect(executed).toContain('repo:probe-loops-forever');
    expect(executed).not.toContain('repo:probe-language');
  });
});
