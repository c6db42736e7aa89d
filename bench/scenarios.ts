/**
 * The benchmark scenarios of issue 5 (SPEC §6). Each returns samples; run.ts summarizes and prints.
 * Timings are measured here and only reported — no test asserts a time. The churn trace's
 * byte-identity check is a correctness check and does fail the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyChangeDetailed, churnTrace, Rng, type ChangeKind } from './generator';
import { BenchWorkspace, cacheLine, cachedTasks, codegenieTasks, shownTargets } from './lib/workspace';
import { taskInputs, tasksThatHadToRun } from './lib/necessity';
import type { Measured } from './lib/process-tree';

export interface Sample {
  ms: number;
  peakRssMb: number;
}

export interface ScenarioResult {
  name: string;
  samples: Sample[];
  notes: Record<string, unknown>;
  /** Name of the result measured side by side as Nx's own cost of the same kind of run. */
  floor?: string;
}

function ok(m: Measured, what: string): Sample {
  if (m.status !== 0) throw new Error(`${what} failed (exit ${m.status}):\n${m.output.slice(-4000)}`);
  return { ms: m.ms, peakRssMb: m.peakRssMb };
}

/**
 * Cold: no Nx cache, no daemon, no previous artifacts — interleaved with Nx's own cold floor (a
 * no-op target after the same reset), since most of a cold run is Nx computing its project graph.
 */
export async function cold(ws: BenchWorkspace, runs: number): Promise<ScenarioResult[]> {
  ws.stopDaemon();
  const samples: Sample[] = [];
  const floor: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    ws.resetCaches();
    samples.push(ok(await ws.nx(['run', 'repo:gather'], false), 'cold gather'));
    ws.resetCaches();
    floor.push(ok(await ws.nx(['run', 'floor:noop'], false), 'cold floor'));
  }
  return [
    { name: 'cold (no cache, no daemon)', samples, notes: {}, floor: 'cold floor (nx:noop, no cache, no daemon)' },
    { name: 'cold floor (nx:noop, no cache, no daemon)', samples: floor, notes: {} },
  ];
}

/**
 * Warm: daemon running, cache skipped — every probe executes. Interleaved with Nx's floor for the
 * same shape of run: two batched waves of no-op tasks, cache skipped.
 */
export async function warm(ws: BenchWorkspace, runs: number): Promise<ScenarioResult[]> {
  ok(await ws.nx(['run', 'repo:gather'], true), 'warm-up');
  ok(await ws.nx(['run', 'floor:wave2', '--skip-nx-cache'], true), 'warm-up of the floor');
  const samples: Sample[] = [];
  const floor: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    samples.push(ok(await ws.nx(['run', 'repo:gather', '--skip-nx-cache'], true), 'warm gather'));
    floor.push(ok(await ws.nx(['run', 'floor:wave2', '--skip-nx-cache'], true), 'warm floor'));
  }
  return [
    { name: 'warm (daemon, --skip-nx-cache)', samples, notes: {}, floor: 'warm floor (two batched no-op waves, daemon, --skip-nx-cache)' },
    { name: 'warm floor (two batched no-op waves, daemon, --skip-nx-cache)', samples: floor, notes: {} },
  ];
}

/**
 * Zero-change and floor, interleaved so machine drift hits both alike: a cached gather with
 * nothing changed vs a cached no-op target in the same workspace.
 */
export async function zeroChangeAndFloor(ws: BenchWorkspace, runs: number): Promise<ScenarioResult[]> {
  ok(await ws.nx(['run', 'repo:gather'], true), 'warm-up');
  ok(await ws.nx(['run', 'floor:noop'], true), 'warm-up');
  const zero: Sample[] = [];
  const floor: Sample[] = [];
  let allCached = true;
  let tasks = 0;
  for (let i = 0; i < runs; i++) {
    const z = await ws.nx(['run', 'repo:gather'], true);
    zero.push(ok(z, 'zero-change gather'));
    const line = cacheLine(z.output);
    tasks = line?.total ?? 0;
    if (!line || line.hit !== line.total) allCached = false;
    floor.push(ok(await ws.nx(['run', 'floor:noop'], true), 'floor'));
  }
  return [
    { name: 'zero-change (daemon, cached)', samples: zero, notes: { tasks, all_from_cache: allCached }, floor: 'floor (daemon, cached nx:noop)' },
    { name: 'floor (daemon, cached nx:noop)', samples: floor, notes: {} },
  ];
}

/** One change of each kind, separately: which probes re-ran, and how long the gather took. */
export async function oneChange(ws: BenchWorkspace, runs: number, seed: number): Promise<ScenarioResult[]> {
  const all = codegenieTasks(ws, 'repo');
  const results: ScenarioResult[] = [];
  const kinds: ChangeKind[] = ['bump-dependency', 'edit-source', 'edit-workflow'];
  ok(await ws.nx(['run', 'repo:gather'], true), 'warm-up');
  for (const kind of kinds) {
    const samples: Sample[] = [];
    const rerun = new Map<string, number>();
    let touched: string[] = [];
    for (let i = 0; i < runs; i++) {
      const change = applyChangeDetailed(ws.root, kind, new Rng(`${seed}:${kind}:${i}`));
      touched = change.touched;
      const m = await ws.nx(['run', 'repo:gather'], true);
      samples.push(ok(m, `gather after ${kind}`));
      const cached = cachedTasks(m.output);
      for (const t of all) if (!cached.has(t)) rerun.set(t, (rerun.get(t) ?? 0) + 1);
      // Back to the committed state, and let the cache see it again.
      ws.git('checkout', '-q', '--', '.');
      ws.git('clean', '-qfd', '--exclude=.codegenie-bench.json');
      ok(await ws.nx(['run', 'repo:gather'], true), 'restore');
    }
    results.push({
      name: `one-change: ${kind}`,
      samples,
      notes: { touched_example: touched, re_ran: Object.fromEntries([...rerun].map(([t, n]) => [t.replace(/^repo:/, ''), `${n}/${runs}`])) },
    });
  }
  return results;
}

/** Monorepo: one package changed and committed, `nx affected -t gather`. */
export async function affected(ws: BenchWorkspace, runs: number, seed: number): Promise<ScenarioResult> {
  ok(await ws.nx(['run-many', '-t', 'gather'], true), 'warm-up');
  const samples: Sample[] = [];
  let gathers: string[] = [];
  for (let i = 0; i < runs; i++) {
    applyChangeDetailed(ws.root, 'edit-source', new Rng(`${seed}:affected:${i}`));
    ws.commitAll(`bench: affected ${i}`);
    const m = await ws.nx(['affected', '-t', 'gather', '--base=HEAD~1', '--head=HEAD'], true);
    samples.push(ok(m, 'affected gather'));
    gathers = [...new Set([...m.output.matchAll(/nx run (\S+:gather)/g)].map((x) => x[1]))].sort();
  }
  return { name: 'monorepo affected (one package changed)', samples, notes: { gathers_in_last_run: gathers } };
}

/**
 * The churn trace: ≥ 100 commits; after each, an incremental gather here and a from-scratch
 * gather in a clean clone. Per-probe cache hit rate over the trace, and byte identity at every step.
 */
export async function churn(ws: BenchWorkspace, length: number, seed: number): Promise<ScenarioResult> {
  const all = codegenieTasks(ws, 'repo');
  const inputs = taskInputs('repo', shownTargets(ws, 'repo'), all);
  const hits = new Map(all.map((t) => [t, 0]));
  // Steps at which a task's inputs were unchanged, and how many of those it was replayed.
  const unchanged = new Map(all.map((t) => [t, 0]));
  const unchangedHits = new Map(all.map((t) => [t, 0]));
  const avoidable: string[] = [];
  const samples: Sample[] = [];
  const divergences: string[] = [];
  ok(await ws.nx(['run', 'repo:gather'], true), 'warm-up');
  let before = ws.artifacts();
  const scratch = mkdtempSync(join(tmpdir(), 'codegenie-churn-'));
  try {
    let step = 0;
    for (const change of churnTrace(seed, length)) {
      step++;
      const applied = applyChangeDetailed(ws.root, change.kind, change.rng);
      ws.commitAll(`churn ${step}: ${applied.description}`);
      const changedPaths = ws.git('diff', '--name-only', 'HEAD~1', 'HEAD').split('\n').filter(Boolean);
      const m = await ws.nx(['run', 'repo:gather'], true);
      samples.push(ok(m, `incremental gather at step ${step}`));
      const cached = cachedTasks(m.output);
      const after = ws.artifacts();
      const changedOutputs = new Set(
        [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).map((k) => `.codegenie/context/${k}`),
      );
      const needed = tasksThatHadToRun(inputs, changedPaths, changedOutputs);
      for (const t of all) {
        if (cached.has(t)) hits.set(t, hits.get(t)! + 1);
        if (needed.has(t)) continue;
        unchanged.set(t, unchanged.get(t)! + 1);
        if (cached.has(t)) unchangedHits.set(t, unchangedHits.get(t)! + 1);
        else avoidable.push(`step ${step} (${change.kind}): ${t} re-ran with unchanged inputs`);
      }
      before = after;

      // From scratch: a clean clone of the same commit, no cache, no daemon.
      rmSync(scratch, { recursive: true, force: true });
      execFileSync('git', ['clone', '-q', ws.root, scratch]);
      execFileSync('ln', ['-s', join(ws.root, 'node_modules'), join(scratch, 'node_modules')]);
      const fresh = new BenchWorkspace(scratch);
      ok(await fresh.nx(['run', 'repo:gather', '--skip-nx-cache'], false), `from-scratch gather at step ${step}`);
      const b = fresh.artifacts();
      for (const key of new Set([...after.keys(), ...b.keys()])) {
        if (after.get(key) !== b.get(key)) divergences.push(`step ${step} (${change.kind}): ${key}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
  const name = (t: string) => t.replace(/^repo:/, '');
  return {
    name: `churn (${length} commits, incremental)`,
    samples,
    notes: {
      // Every replay over every step: tasks whose inputs change at most steps (the file index,
      // the scan of all sources, gather) cannot be high here — that is correct behaviour.
      per_task_cache_hit_rate: Object.fromEntries([...hits].map(([t, n]) => [name(t), pct(n, length)])),
      // Replays over the steps at which the task's inputs did not change: the bar (>= 95 %).
      per_task_hit_rate_when_inputs_unchanged: Object.fromEntries(all.map((t) => [name(t), `${pct(unchangedHits.get(t)!, unchanged.get(t)!)} of ${unchanged.get(t)}`])),
      avoidable_reruns: avoidable,
      divergences,
    },
  };
}
