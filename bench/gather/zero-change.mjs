// Bench (run by hand, never asserted): a zero-change `codegenie gather <path>` of the 50k-line
// bench repository (bench/generator, seed 1, standard size, pnpm, committed), three ways:
//   fast-path (sh)  the installed `codegenie` entry (bin/codegenie): git checks, no node
//   fast-path (ts)  `node dist/tools/cli.js gather` (the same check inside node, no Nx)
//   through Nx      CODEGENIE_NO_FAST_PATH=1: every task replayed from Nx's local cache
// Needs `npm run build` and `npx tsc -p bench/tsconfig.json` (for dist-bench/generator).
// usage: node bench/gather/zero-change.mjs [runs=50] [nxRuns=10]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const runs = Number(process.argv[2] ?? 50);
const nxRuns = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'gather-bench-'));
const repo = join(dir, 'repo');
const generated = JSON.parse(
  execFileSync(process.execPath, [join(root, 'dist-bench/generator/cli.js'), 'generate', '--dir', repo, '--seed', '1', '--size', 'standard', '--pm', 'pnpm', '--git'], { encoding: 'utf8' }),
);
const env = { ...process.env, CODEGENIE_HOME: join(dir, 'state') };
const bin = join(root, 'bin', 'codegenie');
const cli = join(root, 'dist', 'tools', 'cli.js');

function time(cmd, args, extraEnv = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, outcome: JSON.parse(r.stdout) };
}
function stats(name, samples, check) {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  if (!samples.every((s) => check(s.outcome))) throw new Error(`${name}: an outcome was not what this scenario measures`);
  return { scenario: name, runs: times.length, median_ms: q(0.5), p95_ms: q(0.95) };
}

const cold = time(process.execPath, [cli, 'gather', repo, '--json']); // warm-up: the cold gather through Nx
const sh = Array.from({ length: runs }, () => time(bin, ['gather', repo, '--json']));
const ts = Array.from({ length: runs }, () => time(process.execPath, [cli, 'gather', repo, '--json']));
const nx = Array.from({ length: nxRuns }, () => time(process.execPath, [cli, 'gather', repo, '--json'], { CODEGENIE_NO_FAST_PATH: '1' }));
console.log(JSON.stringify({ repository: { files: generated.files, loc: generated.loc }, cold_seconds: cold.outcome.seconds }));
console.log(JSON.stringify(stats('fast-path (sh)', sh, (o) => o.fast_path === true)));
console.log(JSON.stringify(stats('fast-path (ts)', ts, (o) => o.fast_path === true)));
console.log(JSON.stringify(stats('through Nx, all replayed', nx, (o) => o.fast_path === false && o.probes.recomputed.length === 0)));
rmSync(dir, { recursive: true, force: true });
