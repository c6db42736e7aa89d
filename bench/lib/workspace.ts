/**
 * A generated benchmark repository turned into an Nx workspace that uses this checkout of
 * codegenie, plus the `nx` invocations the scenarios time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { ShownTarget } from './necessity';
import { dirname, join } from 'node:path';
import { generateRepo, type GenerateResult, type PackageManager } from '../generator';
import { measure, type Measured } from './process-tree';

/** This checkout: the nearest folder above this file whose package.json is codegenie's. */
function findProjectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'codegenie') return dir;
    if (dirname(dir) === dir) throw new Error(`codegenie bench: no codegenie checkout above ${__dirname}`);
  }
}

export const PROJECT_ROOT = findProjectRoot();
const NX_BIN = join(PROJECT_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'codegenie bench',
  GIT_AUTHOR_EMAIL: 'bench@codegenie.invalid',
  GIT_COMMITTER_NAME: 'codegenie bench',
  GIT_COMMITTER_EMAIL: 'bench@codegenie.invalid',
};

export interface BenchRepoOptions {
  dir: string;
  seed: number;
  size: 'small' | 'standard';
  packageManager: PackageManager;
  variant: 'service' | 'monorepo';
}

export class BenchWorkspace {
  constructor(readonly root: string) {}

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
  }

  commitAll(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  env(daemon: boolean, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NX_DAEMON: daemon ? 'true' : 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      // Nx 24 otherwise keeps the cache under ~/.nx/<repository id>/, shared by every clone of
      // the same history: the cold scenario clears this folder, and churn's clean clone gets its own.
      NX_CACHE_DIRECTORY: join(this.root, '.nx', 'cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(this.root, '.nx', 'workspace-data'),
      ...extra,
    };
  }

  nx(args: string[], daemon: boolean, extra: Record<string, string> = {}): Promise<Measured> {
    return measure(process.execPath, [NX_BIN, ...args], { cwd: this.root, env: this.env(daemon, extra) });
  }

  nxSync(args: string[], daemon: boolean): string {
    return execFileSync(process.execPath, [NX_BIN, ...args], { cwd: this.root, env: this.env(daemon), encoding: 'utf8' });
  }

  stopDaemon(): void {
    try {
      this.nxSync(['daemon', '--stop'], true);
    } catch {
      /* not running */
    }
  }

  /** Forget every cached task, the project graph cache and previous artifacts. */
  resetCaches(): void {
    for (const dir of ['.nx', '.codegenie']) rmSync(join(this.root, dir), { recursive: true, force: true });
    for (const pkgDir of ['packages', 'apps']) {
      const base = join(this.root, pkgDir);
      if (!existsSync(base)) continue;
      for (const name of readdirSync(base)) rmSync(join(base, name, '.codegenie'), { recursive: true, force: true });
    }
  }

  /** Artifacts of every scope, path → bytes, for byte-identity checks. */
  artifacts(): Map<string, string> {
    const out = new Map<string, string>();
    const scopes = ['.'];
    for (const pkgDir of ['packages', 'apps']) {
      const base = join(this.root, pkgDir);
      if (existsSync(base)) for (const name of readdirSync(base).sort()) scopes.push(join(pkgDir, name));
    }
    for (const scope of scopes) {
      const ctx = join(this.root, scope, '.codegenie', 'context');
      if (!existsSync(ctx)) continue;
      for (const file of ['repo-context.yaml', 'views.json']) {
        if (existsSync(join(ctx, file))) out.set(join(scope, file), readFileSync(join(ctx, file), 'utf8'));
      }
      if (existsSync(join(ctx, 'raw'))) {
        for (const file of readdirSync(join(ctx, 'raw')).sort()) out.set(join(scope, 'raw', file), readFileSync(join(ctx, 'raw', file), 'utf8'));
      }
    }
    return out;
  }
}

/**
 * Nx's own floors, as a project `floor`: `noop`, a cached `nx:noop` (what any cached task costs),
 * and `wave1` → `wave2`, two no-op tasks of a local plugin whose executors are batched like
 * codegenie's two waves (`preferBatch`, one executor name per wave), so a `--skip-nx-cache` run of
 * `wave2` costs what Nx spends to fork and drive two batch processes with nothing to do.
 */
function writeFloorProject(dir: string): void {
  const plugin = join(dir, 'tools', 'floor-plugin');
  mkdirSync(plugin, { recursive: true });
  mkdirSync(join(dir, 'tools', 'floor'), { recursive: true });
  const json = (file: string, value: unknown) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  json(join(plugin, 'package.json'), { name: 'floor-plugin', version: '0.0.0', private: true, executors: './executors.json' });
  const executor = { implementation: './noop.js', batchImplementation: './noop-batch.js', preferBatch: true, schema: './schema.json', description: 'does nothing' };
  json(join(plugin, 'executors.json'), { executors: { noop: executor, 'noop-wave-2': executor } });
  json(join(plugin, 'schema.json'), { type: 'object', properties: {} });
  writeFileSync(join(plugin, 'noop.js'), 'module.exports = async () => ({ success: true });\n');
  writeFileSync(
    join(plugin, 'noop-batch.js'),
    "module.exports = async (taskGraph) => Object.fromEntries(Object.keys(taskGraph.tasks).map((id) => [id, { success: true, terminalOutput: '' }]));\n",
  );
  const inputs = ['{projectRoot}/project.json'];
  json(join(dir, 'tools', 'floor', 'project.json'), {
    name: 'floor',
    root: 'tools/floor',
    targets: {
      noop: { executor: 'nx:noop', cache: true, inputs },
      wave1: { executor: './tools/floor-plugin:noop', cache: true, inputs },
      wave2: { executor: './tools/floor-plugin:noop-wave-2', cache: true, inputs, dependsOn: ['wave1'] },
    },
  });
}

/** Generates the repository (once per options) and makes it a codegenie workspace with floor targets. */
export function prepareWorkspace(options: BenchRepoOptions): { ws: BenchWorkspace; generated: GenerateResult | null } {
  const marker = join(options.dir, '.codegenie-bench.json');
  // `layout` changes whenever the way a workspace is prepared does, so older ones are regenerated;
  // the checkout is part of it because the workspace links that checkout's node_modules.
  const wanted = JSON.stringify({ ...options, layout: 3, codegenie: PROJECT_ROOT });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return { ws: new BenchWorkspace(options.dir), generated: null };
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const generated = generateRepo({ dir: options.dir, seed: options.seed, size: options.size, packageManager: options.packageManager, variant: options.variant, git: true });
  const ws = new BenchWorkspace(options.dir);
  writeFileSync(join(options.dir, 'nx.json'), `${JSON.stringify({ plugins: ['codegenie'] }, null, 2)}\n`);
  writeFloorProject(options.dir);
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(options.dir, 'node_modules'), 'dir');
  // `node_modules/` in .gitignore matches directories only, not this symlink: keep it out of git
  // (and so out of Nx's file listing and the gathered context) explicitly.
  writeFileSync(join(options.dir, '.git', 'info', 'exclude'), 'node_modules\n');
  ws.commitAll('use codegenie');
  writeFileSync(marker, wanted);
  return { ws, generated };
}

/**
 * Task ids Nx replayed from cache: `[local cache]`, `[remote cache]`, or — with the daemon, when
 * the outputs on disk already match — `[existing outputs match the cache, left as is]`.
 */
export function cachedTasks(output: string): Set<string> {
  return new Set([...output.matchAll(/(?:>|✔|✖)\s+nx run (\S+)\s+\[(?:local cache|remote cache|existing outputs match the cache, left as is)\]/g)].map((m) => m[1]));
}

/** `Cache: 5/7 hit` from Nx's summary, or null. */
export function cacheLine(output: string): { hit: number; total: number } | null {
  const m = /Cache:\s+(\d+)\/(\d+) hit/.exec(output);
  if (m) return { hit: Number(m[1]), total: Number(m[2]) };
  const all = /for (\d+) out of (\d+) tasks/.exec(output);
  return all ? { hit: Number(all[1]), total: Number(all[2]) } : null;
}

/** The project's targets as Nx shows them (inputs, dependsOn, outputs, ...). */
export function shownTargets(ws: BenchWorkspace, project: string): Record<string, ShownTarget> {
  const out = ws.nxSync(['show', 'project', project, '--json'], false);
  return JSON.parse(out.slice(out.indexOf('{'))).targets as Record<string, ShownTarget>;
}

export function codegenieTasks(ws: BenchWorkspace, project: string): string[] {
  const targets = Object.keys(shownTargets(ws, project));
  return targets.filter((t) => t === 'gather' || t === 'file-index' || t.startsWith('probe-')).map((t) => `${project}:${t}`).sort();
}
