/**
 * Runner B's full replay from the remote cache vs runner A's cold run: the same Nx workspace, the
 * cache server on loopback. By default the workload is `nx run repo:gather` on the standard
 * generated repository (bench/generator); `BENCH_WORKLOAD=stand-in` uses plain
 * `nx:run-commands` targets instead (no build needed).
 *
 * Every round starts a server on empty storage and makes fresh clones (empty local caches), then
 * times four `nx` invocations (wall clock, Nx start-up included, daemon off, CI=true):
 *   local-only cold  a runner without any remote cache (the baseline A is compared to)
 *   A cold + upload  runner A with the remote cache: misses, runs, uploads
 *   B remote replay  runner B, a separate clone: every task from the remote cache (asserted)
 *   A local replay   runner A again: every task from its local cache (Nx's own floor)
 *
 * Environment: BENCH_RUNS (default 10), BENCH_WORKLOAD (gather | stand-in), BENCH_SIZE
 * (standard | small, gather only), BENCH_SEED (default 1), BENCH_PROJECTS (stand-in tasks,
 * default 12), BENCH_BACKEND (directory | s3), BENCH_OUT (also write the JSON results there).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanEnv, startCliServer, type CliServer } from '../../tests/cache-server/helpers/cli-process';
import {
  cloneRunner,
  createOrigin,
  gatherAvailable,
  gatherWorkload,
  readOutputs,
  remoteCacheEnv,
  remoteCacheHits,
  replayedTasks,
  runCommandsWorkload,
  runNx,
  type Runner,
} from '../../tests/cache-server/helpers/nx-workspace';
import { S3RVER_CREDENTIALS, startLocalS3, type LocalS3 } from '../../tests/cache-server/helpers/s3rver';
import { prepareWorkspace } from '../lib/workspace';
import { summarize, type Summary } from '../lib/stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WORKLOAD = process.env.BENCH_WORKLOAD === 'stand-in' ? 'stand-in' : 'gather';
const SIZE = process.env.BENCH_SIZE === 'small' ? 'small' : 'standard';
const SEED = Number(process.env.BENCH_SEED ?? 1);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 12);
const BACKEND = process.env.BENCH_BACKEND === 's3' ? 's3' : 'directory';
const TOKEN = 'bench-rw-token-0123456789abcdef';

/** What the runners run: an origin repository to clone, the Nx command, and what to compare. */
interface Subject {
  description: string;
  origin: string;
  nxArgs: string[];
  taskIds(runner: Runner): Promise<string[]>;
  outputs: string[];
}

let root: string;
let subject: Subject;
let s3: LocalS3 | undefined;

async function prepareSubject(): Promise<Subject> {
  if (WORKLOAD === 'gather') {
    if (!gatherAvailable()) throw new Error('the gather workload needs `npm run build` first (or BENCH_WORKLOAD=stand-in)');
    const gather = gatherWorkload();
    // Generated once per options and kept between bench runs, like the main bench does.
    const { ws } = prepareWorkspace({ dir: join(tmpdir(), 'codegenie-bench-remote', `service-npm-${SIZE}-${SEED}`), seed: SEED, size: SIZE, packageManager: 'npm', variant: 'service' });
    return { description: `nx run repo:gather, generated ${SIZE} service (seed ${SEED})`, origin: ws.root, nxArgs: gather.nxArgs, taskIds: gather.taskIds, outputs: gather.outputs };
  }
  const standIn = runCommandsWorkload(Array.from({ length: PROJECTS }, (_, i) => `lib${String(i).padStart(2, '0')}`), 256 * 1024);
  const origin = await createOrigin(standIn, join(root, 'origin'));
  return { description: `${PROJECTS} nx:run-commands stand-in tasks`, origin, nxArgs: standIn.nxArgs, taskIds: standIn.taskIds, outputs: standIn.outputs };
}

/** A server on empty storage, so runner A's run is cold against the remote cache too. */
function startServer(round: number): Promise<CliServer> {
  if (s3) {
    return startCliServer(
      ['--port', '0', '--s3-bucket', s3.bucket, '--s3-endpoint', s3.endpoint, '--s3-path-style', '--s3-prefix', `round-${round}/`],
      cleanEnv({ CODEGENIE_CACHE_RW_TOKENS: TOKEN, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey }),
    );
  }
  return startCliServer(['--port', '0', '--dir', join(root, `store-${round}`)], cleanEnv({ CODEGENIE_CACHE_RW_TOKENS: TOKEN }));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'codegenie-bench-remote-'));
  if (BACKEND === 's3') s3 = await startLocalS3();
  subject = await prepareSubject();
});

afterAll(async () => {
  await s3?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const ms = (n: number): string => `${Math.round(n)}`;

it(`runner B's remote replay vs runner A's cold run (${RUNS} rounds, ${WORKLOAD}, ${BACKEND})`, async () => {
  const samples = { localOnlyCold: [] as number[], aColdUpload: [] as number[], bRemoteReplay: [] as number[], aLocalReplay: [] as number[] };
  let tasks = 0;
  for (let round = 0; round < RUNS; round += 1) {
    const server = await startServer(round);
    try {
      const env = remoteCacheEnv(server.url, TOKEN);
      const baseline = await cloneRunner(subject.origin, join(root, `r${round}-local`));
      const a = await cloneRunner(subject.origin, join(root, `r${round}-a`));
      const b = await cloneRunner(subject.origin, join(root, `r${round}-b`));
      const taskIds = await subject.taskIds(a);
      tasks = taskIds.length;

      const cold = await runNx(baseline, subject.nxArgs, {});
      const runA = await runNx(a, subject.nxArgs, env);
      const runB = await runNx(b, subject.nxArgs, env);
      const rerunA = await runNx(a, subject.nxArgs, env);
      for (const run of [cold, runA, runB, rerunA]) expect(run.code, run.output).toBe(0);
      // Replays from the task annotations: Nx 24 prints no `Cache: n/m hit` line when every task
      // ran inside a batch (see cacheSummary).
      expect(replayedTasks(cold.output)).toEqual([]);
      expect(replayedTasks(runA.output)).toEqual([]);
      expect(remoteCacheHits(runB.output)).toEqual(taskIds);
      expect(replayedTasks(rerunA.output)).toEqual(taskIds);
      expect(readOutputs(b, subject)).toEqual(readOutputs(a, subject));

      samples.localOnlyCold.push(cold.durationMs);
      samples.aColdUpload.push(runA.durationMs);
      samples.bRemoteReplay.push(runB.durationMs);
      samples.aLocalReplay.push(rerunA.durationMs);
      for (const r of [baseline, a, b]) rmSync(r.root, { recursive: true, force: true });
    } finally {
      await server.stop();
    }
  }

  const summary: Record<keyof typeof samples, Summary> = {
    localOnlyCold: summarize(samples.localOnlyCold),
    aColdUpload: summarize(samples.aColdUpload),
    bRemoteReplay: summarize(samples.bRemoteReplay),
    aLocalReplay: summarize(samples.aLocalReplay),
  };
  const rows: Array<[string, Summary]> = [
    ['local-only cold (no remote cache)', summary.localOnlyCold],
    ['runner A cold + upload', summary.aColdUpload],
    ['runner B full remote replay', summary.bRemoteReplay],
    ['runner A local replay (Nx floor)', summary.aLocalReplay],
  ];
  const table = [
    `remote cache bench: ${subject.description}; ${tasks} tasks; ${RUNS} rounds; ${BACKEND} backend; ${cpus().length} CPUs; Node ${process.version}`,
    '| run | min ms | median ms | p95 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(([label, s]) => `| ${label} | ${ms(s.min)} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.max)} |`),
    `B replay / A cold (medians): ${(summary.bRemoteReplay.median / summary.aColdUpload.median).toFixed(2)}`,
    `A cold + upload / local-only cold (medians): ${(summary.aColdUpload.median / summary.localOnlyCold.median).toFixed(2)}`,
  ].join('\n');
  console.log(`\n${table}\n`);
  if (process.env.BENCH_OUT) {
    writeFileSync(process.env.BENCH_OUT, `${JSON.stringify({ workload: subject.description, tasks, runs: RUNS, backend: BACKEND, samples, summary }, null, 2)}\n`);
  }
});
