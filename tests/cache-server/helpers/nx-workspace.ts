/**
 * Real Nx runs against the cache server: an origin git repository, clones acting as CI runners
 * (each with its own local Nx cache), and helpers to read what Nx did.
 *
 * What the runners run is a `WorkloadUnderTest`: codegenie's own gather (`nx run repo:gather`,
 * plugin `codegenie`) or a stand-in of plain `nx:run-commands` targets that needs no build.
 * Another workload is its files, its Nx command, its task ids, a change, and the outputs to compare.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './cli-process';

const exec = promisify(execFile);

export const NX_BIN = join(REPO_ROOT, 'node_modules/.bin/nx');

export interface WorkloadUnderTest {
  name: string;
  /** Tracked files of the origin repository, path → content. */
  files: Record<string, string>;
  /** Arguments to `nx`, e.g. `['run', 'repo:gather']`. */
  nxArgs: string[];
  /** Task ids the command runs (each must be replayed from the remote cache on runner B), given a checkout. */
  taskIds(checkout: Runner): Promise<string[]>;
  /** An uncommitted edit that changes some tasks' hashes (a pull request's change). */
  change: { path: string; content: string };
  /** Files or folders (relative to the workspace root) whose bytes must match across runners. */
  outputs: string[];
}

/**
 * A stand-in for the gather: `projects` independent projects, each with a cacheable
 * `nx:run-commands` target that derives an output file (and a nested one) from its input, plus,
 * with `outputBytes`, a compressible report of that size (so artifacts have some weight).
 */
export function runCommandsWorkload(projects = ['alpha', 'beta', 'gamma'], outputBytes = 0): WorkloadUnderTest {
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'remote-cache-fixture', version: '0.0.0', private: true }, null, 2)}\n`,
    'nx.json': `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json', targetDefaults: { build: { cache: true } } }, null, 2)}\n`,
    '.gitignore': 'node_modules\n.nx\ndist\n',
  };
  for (const name of projects) {
    files[`libs/${name}/input.txt`] = `${name}: the quick brown fox jumps over the lazy dog\n`.repeat(20);
    files[`libs/${name}/project.json`] = `${JSON.stringify(
      {
        name,
        targets: {
          build: {
            executor: 'nx:run-commands',
            cache: true,
            inputs: ['{projectRoot}/input.txt'],
            outputs: [`{workspaceRoot}/dist/${name}`],
            options: {
              command: [
                `mkdir -p dist/${name}/nested`,
                `tr a-z A-Z < libs/${name}/input.txt > dist/${name}/upper.txt`,
                `wc -l < libs/${name}/input.txt > dist/${name}/nested/lines.txt`,
                ...(outputBytes > 0 ? [`yes "${name} finding: value=42 file=src/${name}/index.ts" | head -c ${outputBytes} > dist/${name}/report.txt`] : []),
                `echo built ${name}`,
              ].join(' && '),
            },
          },
        },
      },
      null,
      2,
    )}\n`;
  }
  return {
    name: 'run-commands stand-in',
    files,
    nxArgs: ['run-many', '-t', 'build', '--parallel=3', '--output-style=static'],
    taskIds: async () => projects.map((p) => `${p}:build`).sort(),
    change: { path: `libs/${projects[0]}/input.txt`, content: 'changed by a pull request\n' },
    outputs: projects.flatMap((p) => [`dist/${p}/upper.txt`, `dist/${p}/nested/lines.txt`, ...(outputBytes > 0 ? [`dist/${p}/report.txt`] : [])]),
  };
}

/** Whether this checkout can run the real gather: Nx loads the `codegenie` plugin from `dist/`. */
export function gatherAvailable(): boolean {
  return existsSync(join(REPO_ROOT, 'dist/index.js')) && existsSync(join(REPO_ROOT, 'node_modules/codegenie/package.json'));
}

/** codegenie's gather on a small hand-written Node service. Needs `npm run build` first. */
export function gatherWorkload(): WorkloadUnderTest {
  const manifest = {
    name: 'orders-service',
    version: '1.4.0',
    private: true,
    type: 'commonjs',
    engines: { node: '>=20' },
    scripts: { build: 'tsc -p tsconfig.json', test: 'vitest run', start: 'node dist/server.js' },
    dependencies: { express: '^4.19.2', pg: '^8.11.5', zod: '^3.23.8' },
    devDependencies: { '@types/express': '^4.17.21', typescript: '^5.4.5', vitest: '^1.6.0' },
  };
  return {
    name: 'codegenie gather',
    files: {
      'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
      'nx.json': `${JSON.stringify({ plugins: ['codegenie'] }, null, 2)}\n`,
      '.gitignore': 'node_modules\n.nx\n.codegenie\ndist\n',
      'tsconfig.json': `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', outDir: 'dist', strict: true }, include: ['src'] }, null, 2)}\n`,
      'src/server.ts': [
        "import express from 'express';",
        "import { ordersRouter } from './orders';",
        '',
        'const app = express();',
        'app.use(express.json());',
        "app.use('/orders', ordersRouter);",
        'app.listen(Number(process.env.PORT ?? 3000));',
        '',
      ].join('\n'),
      'src/orders.ts': [
        "import { Router } from 'express';",
        "import { z } from 'zod';",
        '',
        'const Order = z.object({ sku: z.string(), quantity: z.number().int().positive() });',
        'export const ordersRouter = Router();',
        "ordersRouter.post('/', (req, res) => {",
        '  const order = Order.parse(req.body);',
        '  res.status(201).json(order);',
        '});',
        '',
      ].join('\n'),
      'src/orders.test.ts': "import { describe, it, expect } from 'vitest';\n\ndescribe('orders', () => {\n  it('works', () => expect(1).toBe(1));\n});\n",
      '.github/workflows/ci.yml': 'name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n      - run: npm ci\n      - run: npm test\n',
      Dockerfile: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD ["node", "dist/server.js"]\n',
    },
    nxArgs: ['run', 'repo:gather', '--output-style=static'],
    taskIds: async (checkout) => {
      const { stdout } = await exec(NX_BIN, ['show', 'project', 'repo', '--json'], { cwd: checkout.root, env: nxEnv(checkout, {}) });
      const targets = Object.keys((JSON.parse(stdout.slice(stdout.indexOf('{'))) as { targets: Record<string, unknown> }).targets);
      return targets.filter((t) => t === 'gather' || t === 'file-index' || t.startsWith('probe-')).map((t) => `repo:${t}`).sort();
    },
    change: { path: 'src/orders.ts', content: "export const ordersRouter = 'rewritten by a pull request';\n" },
    // Only the context is cached; `.codegenie/stats` holds per-run statistics by design.
    outputs: ['.codegenie/context'],
  };
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  await exec('git', ['-c', 'user.name=codegenie-test', '-c', 'user.email=test@codegenie.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd });
}

/** Writes the workload into `dir` and commits it. */
export async function createOrigin(workload: WorkloadUnderTest, dir: string): Promise<string> {
  for (const [path, content] of Object.entries(workload.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'fixture');
  return dir;
}

export interface Runner {
  root: string;
  /** This runner's own local Nx cache (NX_CACHE_DIRECTORY). */
  cacheDir: string;
}

/** A separate clone with its own local cache, like a fresh CI runner; Nx comes from this checkout. */
export async function cloneRunner(origin: string, dir: string): Promise<Runner> {
  await exec('git', ['clone', '-q', origin, dir]);
  // (Some origins, like the bench's generated repositories, track the link themselves.)
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // Inside the clone (git-ignored): setting it also stops Nx 24 from sharing one cache across clones.
  return { root: dir, cacheDir: join(dir, '.nx', 'cache') };
}

export interface NxResult {
  code: number | null;
  /** stdout and stderr, interleaved, ANSI colours stripped. */
  output: string;
  durationMs: number;
}

const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/** A runner's environment: CI mode, no daemon or Nx Cloud, its own local cache, nothing inherited from Nx. */
function nxEnv(runner: Runner, env: Record<string, string>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(NX_|CODEGENIE_CACHE_|AWS_)/.test(k)) childEnv[k] = v;
  }
  return Object.assign(childEnv, {
    CI: 'true',
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
    NX_CACHE_DIRECTORY: runner.cacheDir,
    ...env,
  });
}

/** Runs Nx on a runner, asynchronously (an in-process server must keep answering meanwhile). */
export function runNx(runner: Runner, args: string[], env: Record<string, string>): Promise<NxResult> {
  const started = performance.now();
  const childEnv = nxEnv(runner, env);
  return new Promise((resolve, reject) => {
    const child = spawn(NX_BIN, args, { cwd: runner.root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: output.replace(ANSI, ''), durationMs: performance.now() - started }));
  });
}

export function remoteCacheEnv(url: string, token?: string): Record<string, string> {
  return {
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url,
    ...(token === undefined ? {} : { NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token }),
  };
}

/**
 * Each task's status line as Nx prints it, task id → annotation: `''` when the task ran, or what
 * Nx put in brackets (`remote cache`, `local cache`, ...). Handles the static style
 * (`> nx run alpha:build  [remote cache]`) and the summary style (`✔  nx run alpha:build`).
 */
export function taskAnnotations(output: string): Map<string, string> {
  const tasks = new Map<string, string>();
  for (const m of output.matchAll(/^\s*(?:>|✔|✖)\s+nx run (\S+?)(?:\s+\[([^\]]+)\])?\s*$/gm)) {
    if (!tasks.has(m[1]) || m[2]) tasks.set(m[1], m[2] ?? '');
  }
  return tasks;
}

/** Task ids Nx reports as replayed from the remote cache. */
export function remoteCacheHits(output: string): string[] {
  return [...taskAnnotations(output)].filter(([, note]) => note === 'remote cache').map(([id]) => id).sort();
}

/** Task ids Nx reports as replayed from any cache (local, remote, or outputs already on disk). */
export function replayedTasks(output: string): string[] {
  return [...taskAnnotations(output)].filter(([, note]) => /cache/.test(note)).map(([id]) => id).sort();
}

/**
 * Nx's summary line `Cache: 3/9 hit`, or null. Nx 24 leaves the line out when every task that ran
 * ran inside a batch (codegenie's probes, file index and gather are all batched): check with
 * `replayedTasks` and the server's stored entries instead.
 */
export function cacheSummary(output: string): { hit: number; total: number } | null {
  const m = /Cache:\s+(\d+)\/(\d+) hit/.exec(output);
  return m ? { hit: Number(m[1]), total: Number(m[2]) } : null;
}

/** Task ids Nx actually executed (no cache annotation; batched tasks print no line of their own). */
export function executedTasks(output: string): string[] {
  return [...taskAnnotations(output)].filter(([, note]) => note === '').map(([id]) => id).sort();
}

/** The workload's outputs on a runner, every file under each listed path, path → bytes. */
export function readOutputs(runner: Runner, workload: Pick<WorkloadUnderTest, 'outputs'>): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const visit = (path: string): void => {
    const full = join(runner.root, path);
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) visit(`${path}/${name}`);
    } else {
      files[path] = readFileSync(full);
    }
  };
  for (const path of workload.outputs) visit(path);
  return files;
}

/**
 * The CI gate the README recommends, for Nx versions that fail a run when the cache server is
 * unreachable: probe `/healthz`; if it does not answer 200 quickly, run with the remote cache
 * switched off (`NX_SKIP_REMOTE_CACHE=true`, which Nx reports as a warning).
 */
export async function gatedRemoteCacheEnv(url: string, token: string, timeoutMs = 2000): Promise<Record<string, string>> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) return remoteCacheEnv(url, token);
  } catch {
    // unreachable: fall through
  }
  return { NX_SKIP_REMOTE_CACHE: 'true' };
}
