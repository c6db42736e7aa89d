#!/usr/bin/env node
/**
 * codegenie benchmarks (issue 5):
 *   npm run bench -- --scenario all --runs 10 [--size standard] [--pm npm] [--seed 1] [--churn 100]
 * Prints a markdown table and writes JSON to bench/results/ (git-ignored).
 * Scenarios: cold, warm, zero-change (with the floor), one-change, affected, churn, all.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackageManager } from './generator';
import { summarize } from './lib/stats';
import { PROJECT_ROOT, prepareWorkspace } from './lib/workspace';
import { affected, churn, cold, oneChange, warm, zeroChangeAndFloor, type ScenarioResult } from './scenarios';

interface Args {
  scenario: string;
  runs: number;
  size: 'small' | 'standard';
  pm: PackageManager;
  seed: number;
  churn: number;
  workdir: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { scenario: 'all', runs: 10, size: 'standard', pm: 'npm', seed: 1, churn: 100, workdir: join(tmpdir(), 'codegenie-bench') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    switch (flag) {
      case '--scenario': args.scenario = value; break;
      case '--runs': args.runs = Number(value); break;
      case '--size': args.size = value as Args['size']; break;
      case '--pm': args.pm = value as PackageManager; break;
      case '--seed': args.seed = Number(value); break;
      case '--churn': args.churn = Number(value); break;
      case '--workdir': args.workdir = value; break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

function table(results: ScenarioResult[], floorMedian: number | undefined): string {
  const rows = [
    '| scenario | runs | min ms | median ms | p95 ms | max ms | × cached no-op | × its own Nx floor | peak RSS MB (median / max) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const medians = new Map(results.map((r) => [r.name, summarize(r.samples.map((s) => s.ms)).median]));
  for (const r of results) {
    const t = summarize(r.samples.map((s) => s.ms));
    const rss = summarize(r.samples.map((s) => s.peakRssMb));
    const ratio = floorMedian ? (t.median / floorMedian).toFixed(2) : '';
    const own = r.floor && medians.get(r.floor) ? (t.median / medians.get(r.floor)!).toFixed(2) : '';
    rows.push(`| ${r.name} | ${t.runs} | ${t.min.toFixed(0)} | ${t.median.toFixed(0)} | ${t.p95.toFixed(0)} | ${t.max.toFixed(0)} | ${ratio} | ${own} | ${rss.median.toFixed(0)} / ${rss.max.toFixed(0)} |`);
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const want = (name: string) => args.scenario === 'all' || args.scenario.split(',').includes(name);
  const results: ScenarioResult[] = [];
  const service = () => prepareWorkspace({ dir: join(args.workdir, `service-${args.pm}-${args.size}-${args.seed}`), seed: args.seed, size: args.size, packageManager: args.pm, variant: 'service' }).ws;

  if (want('cold')) results.push(...(await cold(service(), args.runs)));
  if (want('warm')) results.push(...(await warm(service(), args.runs)));
  if (want('zero-change') || want('floor')) results.push(...(await zeroChangeAndFloor(service(), args.runs)));
  if (want('one-change')) results.push(...(await oneChange(service(), args.runs, args.seed)));
  if (want('affected')) {
    const mono = prepareWorkspace({ dir: join(args.workdir, `monorepo-${args.pm}-${args.size}-${args.seed}`), seed: args.seed, size: args.size, packageManager: args.pm, variant: 'monorepo' }).ws;
    results.push(await affected(mono, args.runs, args.seed));
    mono.stopDaemon();
  }
  if (want('churn')) {
    // The churn trace commits into its repository: give it a copy of its own.
    const ws = prepareWorkspace({ dir: join(args.workdir, `churn-${args.pm}-${args.size}-${args.seed}`), seed: args.seed, size: args.size, packageManager: args.pm, variant: 'service' }).ws;
    results.push(await churn(ws, args.churn, args.seed));
    ws.stopDaemon();
  }
  service().stopDaemon();

  // Ratios are to the warm floor (a cached no-op with the daemon), as in SPEC §6.
  const floor = results.find((r) => r.name.startsWith('floor'));
  const floorMedian = floor ? summarize(floor.samples.map((s) => s.ms)).median : undefined;
  process.stdout.write(`\n${table(results, floorMedian)}\n\n`);
  for (const r of results) if (Object.keys(r.notes).length > 0) process.stdout.write(`- ${r.name}: ${JSON.stringify(r.notes)}\n`);

  const outDir = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-${args.scenario.replace(/,/g, '+')}-${args.pm}-${args.size}-${process.pid}.json`);
  writeFileSync(file, `${JSON.stringify({ args, machine: { cpus: require('node:os').cpus().length, node: process.version }, results: results.map((r) => ({ ...r, summary: summarize(r.samples.map((s) => s.ms)), rss: summarize(r.samples.map((s) => s.peakRssMb)) })) }, null, 2)}\n`);
  process.stdout.write(`\nresults: ${file}\n`);
  const divergent = results.flatMap((r) => (Array.isArray(r.notes.divergences) ? (r.notes.divergences as string[]) : []));
  if (divergent.length > 0) {
    process.stderr.write(`churn: ${divergent.length} divergence(s) between incremental and from-scratch artifacts:\n  ${divergent.slice(0, 20).join('\n  ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
