/**
 * Real temporary Nx workspaces for end-to-end tests: a fixture copied into a fresh git repository,
 * this project's node_modules linked in (node_modules/codegenie is the project itself, built to
 * dist/), and `nx` run as a user would — daemon off, no cloud.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const FIXTURES = join(PROJECT_ROOT, 'fixtures');
const NX_BIN = join(PROJECT_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'codegenie tests',
  GIT_AUTHOR_EMAIL: 'tests@codegenie.invalid',
  GIT_COMMITTER_NAME: 'codegenie tests',
  GIT_COMMITTER_EMAIL: 'tests@codegenie.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export interface NxResult {
  status: number;
  output: string;
}

export class TempWorkspace {
  constructor(readonly root: string) {}

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  read(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  write(rel: string, content: string): void {
    writeFileSync(this.path(rel), content);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  /** Runs nx with the daemon off (as in CI); returns status and combined output. */
  nx(args: string[], env: Record<string, string> = {}): NxResult {
    const result = spawnSync(process.execPath, [NX_BIN, ...args], {
      cwd: this.root,
      encoding: 'utf8',
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_SKIP_NX_CACHE: '',
        NX_TUI: 'false',
        NX_INTERACTIVE: 'false',
        CI: 'true',
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        // Nx 24 shares one cache per repository identity under ~/.nx/<id>/: identical fixture
        // commits in different temp folders (and earlier test runs) would replay each other's
        // tasks. Each workspace gets its own cache so every test sees a cold start.
        NX_CACHE_DIRECTORY: this.path('.nx', 'cache'),
        NX_WORKSPACE_DATA_DIRECTORY: this.path('.nx', 'workspace-data'),
        ...env,
      },
      timeout: 180_000,
    });
    return { status: result.status ?? -1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  }

  /** `nx show project <name> --json`, parsed. */
  project(name: string, env: Record<string, string> = {}): { root: string; targets: Record<string, { inputs?: unknown[]; dependsOn?: unknown[] }> } {
    const out = this.nx(['show', 'project', name, '--json'], env);
    if (out.status !== 0) throw new Error(out.output);
    return JSON.parse(out.output.slice(out.output.indexOf('{')));
  }

  /** Ids of the codegenie tasks of a project (`p:file-index`, `p:probe-*`, `p:gather`). */
  codegenieTasks(name: string, env: Record<string, string> = {}): string[] {
    return Object.keys(this.project(name, env).targets)
      .filter((t) => t === 'gather' || t === 'file-index' || t.startsWith('probe-'))
      .map((t) => `${name}:${t}`)
      .sort();
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Fixtures keep Nx project files as `project.fixture.json`, so they do not become projects of this
 * repository's own Nx workspace; a materialized copy gets the real name back.
 */
function restoreProjectFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) restoreProjectFiles(full);
    else if (entry.name === 'project.fixture.json') renameSync(full, join(dir, 'project.json'));
  }
}

/** Copies `fixtures/<fixture>` into a fresh git repository with this project's node_modules linked in. */
export function createWorkspace(fixture: string, options: { linkNodeModules?: boolean; dir?: string } = {}): TempWorkspace {
  const root = options.dir ?? mkdtempSync(join(tmpdir(), 'codegenie-e2e-'));
  cpSync(join(FIXTURES, fixture), root, { recursive: true });
  restoreProjectFiles(root);
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx/\n.codegenie/\n');
  if (options.linkNodeModules !== false) symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const ws = new TempWorkspace(root);
  ws.git('init', '-q', '-b', 'main');
  ws.commit('initial');
  return ws;
}

/**
 * Task ids Nx replayed from cache, from its static output: `> nx run p:t  [local cache]` (or
 * `[remote cache]`, or — with the daemon, when the outputs on disk already match —
 * `[existing outputs match the cache, left as is]`).
 */
export function cachedTasks(output: string): string[] {
  return [...output.matchAll(/(?:>|✔|✖)\s+nx run (\S+)\s+\[(?:local cache|remote cache|existing outputs match the cache, left as is)\]/g)].map((m) => m[1]).sort();
}

/** Task ids Nx ran (cached or not). */
export function ranTasks(output: string): string[] {
  return [...new Set([...output.matchAll(/(?:>|✔|✖)\s+nx run (\S+)/g)].map((m) => m[1]))].sort();
}

/**
 * Tasks that executed (missed the cache). Nx prints batched tasks only when they are replayed
 * (`[local cache]`), so "executed" is every task of the run minus the replayed ones.
 */
export function executedTasks(output: string, allTasks: readonly string[]): string[] {
  const cached = new Set(cachedTasks(output));
  return [...new Set([...allTasks, ...ranTasks(output)])].filter((t) => !cached.has(t)).sort();
}
