/**
 * `codegenie show` against artifacts of a real in-place gather (`nx run repo:gather`, daemon
 * off) of the README's sample, fixtures/samples/storefront (a pnpm workspace with two packages,
 * vitest tests, GitHub Actions, a Dockerfile and fly.toml, no lockfile). The built CLI runs as a
 * user would run it; the assertions name facts that must appear in the text (no snapshots), plus
 * the three ways a context is found (the context folder, in place, the gather state folder) and
 * the one-line errors.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, PROJECT_ROOT, createWorkspace, type TempWorkspace } from '../helpers/nx-workspace';

const CLI = join(PROJECT_ROOT, 'dist', 'tools', 'cli.js');

function show(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'show', ...args], { encoding: 'utf8', env: { ...process.env, CODEGENIE_HOME: join(tmpdir(), 'codegenie-show-no-such-home'), ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('codegenie show', () => {
  let ws: TempWorkspace;
  let scratch: string;

  beforeAll(() => {
    ws = createWorkspace('samples/storefront');
    ws.write('nx.json', '{ "plugins": ["codegenie"] }\n');
    ws.commit('the plugin');
    const run = ws.nx(['run', 'repo:gather']);
    if (run.status !== 0) throw new Error(run.output);
    scratch = mkdtempSync(join(tmpdir(), 'codegenie-show-'));
  });
  afterAll(() => {
    ws?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('prints the newcomer summary of a repository gathered in place', () => {
    const r = show([ws.root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const line = (label: string) => r.stdout.split('\n').find((l) => l.startsWith(label)) ?? '';
    expect(r.stdout.split('\n')[0]).toMatch(/^codegenie-e2e-\S+ {2}\(gathered by codegenie \d+\.\d+\.\d+\)$/);
    expect(line('Package manager')).toBe('Package manager   pnpm 9.4.0, from package-manager-field; root lockfile: none');
    expect(line('Node')).toBe('Node              20.11.1 (nvmrc, .nvmrc), >=20.11 (engines, package.json); consistent');
    expect(line('Language')).toMatch(/^Language +TypeScript \(\d+ files\)$/);
    expect(line('Monorepo')).toContain('pnpm-workspaces');
    expect(line('Monorepo')).toContain('2 workspace packages from packages/*');
    expect(r.stdout).toMatch(/^ +@storefront\/api 1\.4\.0 {2}packages\/api$/m);
    expect(r.stdout).toMatch(/^ +@storefront\/web 1\.4\.0 {2}packages\/web$/m);
    expect(line('Frameworks')).toBe('Frameworks        Express, React');
    expect(line('Tests')).toBe('Tests             vitest (unit)');
    expect(r.stdout).toMatch(/^ +2 test files \(by framework: vitest 2\); coverage configured$/m);
    expect(line('CI')).toBe('CI                github-actions (1 pipeline file)');
    expect(r.stdout).toMatch(/^ +Node in CI: 20, 22$/m);
    expect(line('Deployment')).toBe('Deployment        docker, fly');
    expect(r.stdout).toMatch(/^ +Node in images: 20$/m);
    expect(line('Risk flags')).toBe('Risk flags        1 high, 1 low');
    // Flags are listed most severe first.
    const flags = r.stdout.split('\n').filter((l) => /^ +(critical|high|medium|low|info) /.test(l));
    expect(flags).toHaveLength(2);
    expect(flags[0]).toMatch(/^ +high +missing-lockfile +No lockfile is committed/);
    expect(flags[1]).toMatch(/^ +low +unpinned-base-image +Container images are referenced by tag/);
    expect(line('Confidence')).toBe('Confidence        high; index health ok; 0 probe errors');
  });

  it('answers the same from the context folder itself, and as JSON', () => {
    const text = show([ws.path('.codegenie/context')]);
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(show([ws.root]).stdout);
    const json = show([ws.root, '--json']);
    expect(json.status).toBe(0);
    const summary = JSON.parse(json.stdout);
    expect(summary.package_manager).toEqual({ name: 'pnpm', version: '9.4.0', source: 'package-manager-field', lockfile: null });
    expect(summary.monorepo.packages.map((p: { name: string }) => p.name)).toEqual(['@storefront/api', '@storefront/web']);
    expect(summary.tests.test_files).toBe(2);
    expect(summary.frameworks.map((f: { name: string }) => f.name)).toEqual(['Express', 'React']);
    expect(summary.ci.systems).toEqual(['github-actions']);
    expect(summary.deployment.detected).toEqual(['docker', 'fly']);
    expect(summary.risk_flags.counts.high).toBe(1);
    expect(summary.confidence.overall).toBe('high');
    expect(summary.context).toBe(ws.path('.codegenie/context'));
  });

  it('prints one view as the JSON stored in views.json', () => {
    const views = JSON.parse(ws.read('.codegenie/context/views.json'));
    for (const name of ['risk_flags', 'confidence_summary', 'entrypoint', 'available_skills']) {
      const r = show([ws.root, '--view', name]);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(views[name]);
    }
  });

  it('finds a context kept in the gather state folder by its source.json', () => {
    // What `codegenie gather <path>` leaves: <state>/repos/<id>/{source.json, context/}, the
    // repository itself untouched (here: a plain copy without .codegenie/).
    const repo = join(scratch, 'plain-repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'package.json'), '{}\n');
    const state = join(scratch, 'state');
    for (const [id, path] of [['aaa', join(scratch, 'elsewhere')], ['bbb', repo]]) {
      mkdirSync(join(state, 'repos', id), { recursive: true });
      writeFileSync(join(state, 'repos', id, 'source.json'), `${JSON.stringify({ path })}\n`);
      cpSync(ws.path('.codegenie/context'), join(state, 'repos', id, 'context'), { recursive: true });
    }
    // The other repository's context says something else: the right one must be picked.
    const otherViews = join(state, 'repos', 'aaa', 'context', 'views.json');
    const other = JSON.parse(readFileSync(otherViews, 'utf8'));
    other.confidence_summary.overall = 'low';
    writeFileSync(otherViews, JSON.stringify(other));
    // A symlinked spelling of the repository's path resolves to the same repository.
    symlinkSync(repo, join(scratch, 'link-to-repo'));

    for (const target of [repo, join(scratch, 'link-to-repo')]) {
      const r = show([target, '--state-dir', state]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(/^plain-repo /);
      expect(r.stdout).toContain('Confidence        high;');
    }
    // CODEGENIE_HOME is the default state folder.
    expect(show([repo], { CODEGENIE_HOME: state }).status).toBe(0);
    // --out names the context folder directly.
    expect(show(['--out', join(state, 'repos', 'aaa', 'context')]).stdout).toContain('Confidence        low;');
  });

  it.each([
    ['a missing path', ['/no/such/dir'], 2, /^codegenie show: \/no\/such\/dir: no such file or directory$/],
    ['a file', [join(PROJECT_ROOT, 'package.json')], 2, /: not a directory$/],
    ['a folder with no context', [join(FIXTURES, 'workspaces/single-package')], 1, /: no gathered context \(looked in .codegenie\/context\/ and in .*\); run `codegenie gather .*` first$/],
    ['an unknown view', ['VIEW'], 2, /^codegenie show: unknown view "nope"; views: available_skills, confidence_summary, entrypoint, risk_flags$/],
    ['an unknown flag', ['--bogus'], 2, /^codegenie show: Unknown option '--bogus'/],
    ['no path', [], 2, /a repository path or context folder is required/],
  ])('one line on stderr and its exit code for %s', (_what, args, code, message) => {
    const r = show(args[0] === 'VIEW' ? [ws.root, '--view', 'nope'] : args);
    expect(r.status).toBe(code);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('codegenie top-level help and version', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  it('--version prints package.json version', () => {
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('--help lists every command and examples; no command is a usage error on stderr', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const name of ['advisories', 'cache', 'cache-server', 'sbom', 'serve', 'show']) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(r.stdout).toContain('examples:');
    expect(r.stdout).toContain('codegenie show . --view risk_flags');
    const none = cli([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('usage: codegenie <command>');
  });

  it('<command> --help and help <command> print the command usage', () => {
    for (const args of [['show', '--help'], ['help', 'show']]) {
      const r = cli(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: codegenie show <path\|context-dir>/);
      expect(r.stdout).toContain('examples:');
    }
  });

  it('an unknown command is one line, exit 2', () => {
    const r = cli(['nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('codegenie: unknown command "nope" (see codegenie --help)\n');
  });
});
