/**
 * `codegenie gather <path>` end to end, real Nx (daemon off), temporary repositories and state
 * folders: each failure of the in-place path (fixtures/gather), byte-identity with
 * `nx run repo:gather` in place, freshness modes, --rev, an unreachable remote cache, and the
 * user errors. Every gathered repository's tree is hashed before and after: nothing is written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateAgainst } from '../../tools/gather/validate';
import { FIXTURES, PROJECT_ROOT, createWorkspace } from '../helpers/nx-workspace';

const CLI = join(PROJECT_ROOT, 'dist', 'tools', 'cli.js');
const GIT_ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
}

function renameFixtureFiles(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) renameFixtureFiles(full);
    else if (e.name === 'project.fixture.json') renameSync(full, join(dir, 'project.json'));
    else if (e.name === 'nx.fixture.json') renameSync(full, join(dir, 'nx.json'));
  }
}

/** A fixture as a committed git repository (nothing installed, no nx.json unless the fixture has one). */
function repoFrom(fixture: string): string {
  const dir = join(temp('codegenie-gather-repo-'), 'repo');
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  renameFixtureFiles(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** Every path under `dir` (.git included) with its type, mode and content hash. */
function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const a = join(abs, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const s = lstatSync(a);
      if (e.isSymbolicLink()) out[r] = `link:${readlinkSync(a)}`;
      else if (e.isDirectory()) {
        out[r] = `dir:${s.mode}`;
        walk(a, r);
      } else out[r] = `file:${s.mode}:${createHash('sha256').update(readFileSync(a)).digest('hex')}`;
    }
  };
  walk(dir, '');
  // git refreshes its index stat cache on `status`; its content is what matters there.
  return out;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json?: Record<string, unknown> & { status: string; out: string; fast_path: boolean; probes: { replayed: string[]; recomputed: string[] }; stale_probes?: string[]; errors: string[]; remote_cache?: string };
}

function gather(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, 'gather', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', CI: 'true', ...env },
    timeout: 240_000,
  });
  let json: Run['json'];
  if (args.includes('--json')) {
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

function expectValidArtifacts(out: string): Record<string, unknown> {
  const context = parse(readFileSync(join(out, 'repo-context.yaml'), 'utf8'));
  const views = JSON.parse(readFileSync(join(out, 'views.json'), 'utf8'));
  expect(validateAgainst('repo-context.schema.json', context)).toEqual([]);
  expect(validateAgainst('views.schema.json', views)).toEqual([]);
  for (const f of readdirSync(join(out, 'raw')).filter((x) => x !== 'file-index.json')) {
    expect(validateAgainst('envelope.schema.json', JSON.parse(readFileSync(join(out, 'raw', f), 'utf8'))), f).toEqual([]);
  }
  return context as Record<string, unknown>;
}

describe('codegenie gather on repositories the in-place path cannot gather', () => {
  const cases = ['bom-manifest', 'duplicate-names', 'pnpm-not-installed', 'yarn-berry-workspaces', 'own-nx-plugin', 'project-json'];
  for (const name of cases) {
    it(`gathers ${name}: exit 0, schema-valid artifacts, the repository untouched`, () => {
      const repo = repoFrom(`gather/${name}`);
      const state = temp('codegenie-gather-state-');
      const marker = join(temp('codegenie-marker-'), 'MARKER');
      const before = treeHash(repo);
      const run = gather([repo, '--state-dir', state, '--json'], { CODEGENIE_TEST_MARKER: marker });
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
      expect(run.json?.status).toBe('ok');
      const context = expectValidArtifacts(run.json!.out);
      expect(treeHash(repo)).toEqual(before);
      expect(git(repo, 'status', '--porcelain')).toBe('');
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(repo, 'PLUGIN-WAS-LOADED'))).toBe(false);
      // Paths are relative to the repository, never to the state folder.
      for (const f of ['repo-context.yaml', 'views.json', 'raw/manifest.json', 'raw/file-index.json']) {
        const text = readFileSync(join(run.json!.out, f), 'utf8');
        expect(text).not.toContain(state);
        expect(text).not.toContain('repo/package.json');
      }
      const manifests = (JSON.parse(readFileSync(join(run.json!.out, 'raw', 'file-index.json'), 'utf8')) as { manifests: string[] }).manifests;
      expect(manifests).toContain('package.json');
      if (name === 'bom-manifest') expect(manifests).toContain('packages/bom/package.json');
      if (name === 'project-json') {
        const files = (JSON.parse(readFileSync(join(run.json!.out, 'raw', 'file-index.json'), 'utf8')) as { files: string[] }).files;
        expect(files).toContain('apps/web/project.json'); // listed, though Nx never saw it as a project
        expect(existsSync(join(repo, 'apps', 'web', 'built.txt'))).toBe(false);
      }
      expect(context).toHaveProperty('manifest');
    });
  }
});

describe('codegenie gather writes the same bytes as nx run repo:gather in place', () => {
  for (const fixture of ['workspaces/single-package', 'workspaces/npm-monorepo']) {
    it(fixture, () => {
      const ws = createWorkspace(fixture);
      temps.push(ws.root);
      const inPlace = ws.nx(['run', 'repo:gather']);
      expect(inPlace.status, inPlace.output).toBe(0);
      const expected = join(ws.root, '.codegenie', 'context');
      // The same tree without the in-place outputs: a fresh copy of the committed repository.
      const copy = join(temp('codegenie-gather-copy-'), 'repo');
      git(ws.root, 'clone', '-q', ws.root, copy);
      const state = temp('codegenie-gather-state-');
      const out = join(temp('codegenie-gather-out-'), 'ctx');
      const run = gather([copy, '--state-dir', state, '--out', out, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const names = (dir: string) => readdirSync(join(dir, 'raw')).sort();
      expect(names(out)).toEqual(names(expected));
      for (const f of ['repo-context.yaml', 'views.json', ...names(expected).map((n) => `raw/${n}`)]) {
        expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(expected, f), 'utf8'));
      }
    });
  }
});

describe('freshness modes, the fast path, --rev', () => {
  const repo = repoFrom('workspaces/single-package');
  const state = temp('codegenie-gather-state-');
  const common = ['--state-dir', state, '--json'];

  it('a second gather of an unchanged repository answers from the record without Nx', () => {
    const first = gather([repo, ...common]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json?.fast_path).toBe(false);
    const again = gather([repo, ...common]);
    expect(again.code).toBe(0);
    expect(again.json?.fast_path).toBe(true);
    expect(again.json?.out).toBe(first.json?.out);
    const fresh = gather([repo, ...common, '--mode', 'cached-only']);
    expect(fresh.code).toBe(0);
    expect(fresh.json?.status).toBe('fresh');
  });

  it('cached-only after an edit names exactly the probes whose inputs changed, exits 3, and runs nothing', () => {
    const before = readFileSync(join(gather([repo, ...common]).json!.out, 'repo-context.yaml'), 'utf8');
    mkdirP(join(repo, '.github', 'workflows'));
    writeFileSync(join(repo, '.github', 'workflows', 'ci.yml'), 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n');
    const stale = gather([repo, ...common, '--mode', 'cached-only']);
    expect(stale.code).toBe(3);
    expect(stale.json?.status).toBe('stale');
    // A new file: the CI probe reads it, the file index and its readers see a new path.
    expect(stale.json?.stale_probes).toEqual(['file-index', 'probe-build-system', 'probe-ci', 'probe-language', 'probe-test-inventory']);
    expect(readFileSync(join(stale.json!.out, 'repo-context.yaml'), 'utf8')).toBe(before);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'ci');
    const regather = gather([repo, ...common]);
    expect(regather.code).toBe(0);
    expect(regather.json?.probes.recomputed).toContain('probe-ci');
    expect(regather.json?.probes.replayed).toContain('probe-manifest');
    // A content edit of package.json only.
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    pkg.description = 'edited';
    writeFileSync(join(repo, 'package.json'), JSON.stringify(pkg, null, 2));
    const edited = gather([repo, ...common, '--mode', 'cached-only']);
    expect(edited.code).toBe(3);
    expect(edited.json?.stale_probes).toEqual(['probe-build-system', 'probe-language', 'probe-manifest', 'probe-test-inventory']);
    git(repo, 'checkout', '--', 'package.json');
  });

  it('force-refresh recomputes every task', () => {
    const run = gather([repo, ...common, '--mode', 'force-refresh']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json?.fast_path).toBe(false);
    expect(run.json?.probes.replayed).toEqual([]);
    expect(run.json?.probes.recomputed).toContain('probe-manifest');
  });

  it('--rev gathers a commit from git without touching the work tree or the index', () => {
    const first = git(repo, 'rev-list', '--max-parents=0', 'HEAD').trim();
    writeFileSync(join(repo, 'untracked-notes.md'), 'work in progress\n');
    const before = treeHash(repo);
    const out = join(temp('codegenie-gather-out-'), 'ctx');
    const run = gather([repo, '--rev', first, '--out', out, ...common]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json?.rev).toBe(first);
    const files = (JSON.parse(readFileSync(join(out, 'raw', 'file-index.json'), 'utf8')) as { files: string[] }).files;
    expect(files).not.toContain('.github/workflows/ci.yml'); // added by the later commit
    expect(files).not.toContain('untracked-notes.md');
    expect(treeHash(repo)).toEqual(before);
    const again = gather([repo, '--rev', first, '--out', out, ...common]);
    expect(again.json?.fast_path).toBe(true);
    rmSync(join(repo, 'untracked-notes.md'));
  });

  it('an unreachable remote cache: the gather goes on without it and says so', () => {
    writeFileSync(join(repo, 'README.md'), 'changed\n');
    const run = gather([repo, ...common, '--remote-cache', 'http://127.0.0.1:9', '--token', 't']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json?.remote_cache).toBe('unreachable');
    expect(run.json?.errors.join(' ')).toMatch(/unreachable/);
    rmSync(join(repo, 'README.md'));
  });
});

describe('user errors: one line, exit 2, no stack trace', () => {
  const state = temp('codegenie-gather-state-');
  const file = join(state, 'a-file');
  writeFileSync(file, 'x');
  const repo = repoFrom('workspaces/single-package');
  const plain = temp('codegenie-gather-plain-');
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing path', [join(state, 'nope')], /no such file or directory/],
    ['a file', [file], /not a directory/],
    ['an unknown --rev', [repo, '--rev', 'no-such-branch'], /unknown revision/],
    ['--rev outside git', [plain, '--rev', 'HEAD'], /needs a git repository/],
    ['an unknown mode', [repo, '--mode', 'sometimes'], /unknown --mode/],
    ['an unknown flag', [repo, '--frobnicate'], /frobnicate/],
    ['no path', [], /path is required/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const run = gather([...args, '--state-dir', state]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    });
  }
});

function mkdirP(dir: string): void {
  execFileSync('mkdir', ['-p', dir]);
}
