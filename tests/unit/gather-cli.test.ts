/** Pure parts of `codegenie gather`: listing filters, change detection, staleness, environment, ids. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keepPath, splitNul, toListing } from '../../tools/gather-cli/listing';
import { changedPaths, fastPathFile, type GatherRecord } from '../../tools/gather-cli/record';
import { staleProbes } from '../../tools/gather-cli/gather-repository';
import { exitCodeOf } from '../../tools/gather-cli/cli';
import { failureSummary, nxEnvironment, replayedTasks } from '../../tools/gather-cli/nx-run';
import { repositoryId } from '../../tools/gather-cli/state-workspace';
import { anchorGlob, repoScope } from '../../tools/plugin/targets';
import type { RegisteredProbe } from '../../tools/registry';

describe('listing', () => {
  it('never takes our outputs, installs, or git/Nx state; keeps ignore and env files out of the workspace only', () => {
    const l = toListing(['b.ts', 'a/.gitignore', '.env.local', 'node_modules/x/index.js', 'pkg/node_modules/y.js', '.codegenie/context/views.json', '.git/HEAD', '.nx/cache/x', 'src/.nxignore', 'a.ts', 'a.ts']);
    expect(l.paths).toEqual(['.env.local', 'a.ts', 'a/.gitignore', 'b.ts', 'src/.nxignore']);
    expect(l.materialised).toEqual(['a.ts', 'b.ts']);
  });
  it('property: no kept path has a forbidden folder; splitting NUL output loses no path', () => {
    const segment = fc.oneof(fc.constantFrom('node_modules', '.git', '.nx', '.codegenie', 'src', 'a'), fc.stringMatching(/^[a-z.]{1,6}$/));
    fc.assert(
      fc.property(fc.array(fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')), { maxLength: 20 }), (paths) => {
        expect(splitNul(paths.map((p) => `${p}\0`).join(''))).toEqual(paths);
        for (const p of toListing(paths).paths) {
          expect(keepPath(p)).toBe(true);
          expect(p.split('/').some((s) => ['node_modules', '.git', '.nx', '.codegenie'].includes(s))).toBe(false);
        }
      }),
    );
  });
});

describe('change detection and staleness', () => {
  const probe = (name: string, inputs: string[], extra: Partial<RegisteredProbe> = {}): RegisteredProbe =>
    ({ name, version: '1', inputs, heaviness: 'light', runsLast: false, usesFileIndex: false, repoOnly: false, folder: '', description: '', run: async () => ({ slice: {}, confidence: 'high' }), ...extra }) as unknown as RegisteredProbe;
  const probes = [probe('ci', ['.github/workflows/*.yml']), probe('manifest', ['**/package.json']), probe('language', ['package.json'], { usesFileIndex: true })];
  const record = (files: Record<string, string>): GatherRecord =>
    ({ config: 'codegenie@0.1.0 ci@1 language@1 manifest@1', files }) as unknown as GatherRecord;

  it('changedPaths: edits, additions, removals', () => {
    expect(changedPaths({ a: '1', b: '2' }, { a: '1', b: '3', c: '1' })).toEqual({ changed: ['b', 'c'], addedOrRemoved: true });
    expect(changedPaths({ a: '1' }, { a: '1' })).toEqual({ changed: [], addedOrRemoved: false });
  });
  it('an edit makes stale exactly the probes whose inputs match; a new path adds the file index and its readers', () => {
    const before = record({ 'package.json': 's1', 'pkg/package.json': 's1', 'README.md': 's1' });
    expect(staleProbes(probes, before, { 'package.json': 's1', 'pkg/package.json': 's2', 'README.md': 's1' }, before.config)).toEqual(['probe-manifest']);
    expect(staleProbes(probes, before, { 'package.json': 's1', 'pkg/package.json': 's1', 'README.md': 's2' }, before.config)).toEqual([]);
    expect(staleProbes(probes, before, { ...before.files, '.github/workflows/ci.yml': 'n' }, before.config)).toEqual(['file-index', 'probe-ci', 'probe-language']);
  });
  it('a probe version change makes that probe stale', () => {
    const before = record({ 'package.json': 's1' });
    const bumped = [probes[0], probe('manifest', ['**/package.json'], { version: '2' }), probes[2]];
    expect(staleProbes(bumped, before, before.files, before.config)).toEqual(['probe-manifest']);
  });
});

describe('the Nx process environment', () => {
  const parent = { PATH: '/bin', HOME: '/h', AWS_SECRET_ACCESS_KEY: 's', NODE_OPTIONS: '--require /evil.js', CODEGENIE_JOBS: '2', NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://c' };
  it('passes only the allow-list, and the remote cache only when it is used', () => {
    const env = nxEnvironment(parent, { NX_CACHE_DIRECTORY: '/s/c' });
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/h', CODEGENIE_JOBS: '2', NX_DAEMON: 'false', NX_CACHE_DIRECTORY: '/s/c', NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://c' });
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(nxEnvironment(parent, {}, true).NX_SELF_HOSTED_REMOTE_CACHE_SERVER).toBeUndefined();
  });
  it('reads replayed tasks and a one-line failure from Nx output', () => {
    expect([...replayedTasks('> nx run repo:probe-ci  [local cache]\n> nx run repo:gather\n✔  nx run repo:file-index  [remote cache]\n')].sort()).toEqual(['repo:file-index', 'repo:probe-ci']);
    expect(failureSummary('NX   Could not resolve x\n    at foo (bar.js:1:1)\n')).toBe('NX   Could not resolve x');
  });
});

describe('ids, paths, exit codes', () => {
  it('a readable, stable, distinct id per real path and mode', () => {
    expect(repositoryId('/src/my app', false)).toMatch(/^my-app-[0-9a-f]{12}$/);
    expect(repositoryId('/src/a', false)).toBe(repositoryId('/src/a', false));
    expect(repositoryId('/src/a', false)).not.toBe(repositoryId('/x/a', false));
    expect(repositoryId('/src/a', true)).toMatch(/-rev$/);
    expect(fastPathFile('/state', '/src/a b')).toBe('/state/fast/%src%a b');
  });
  it('anchors the repository scope in its subfolder', () => {
    expect(anchorGlob(repoScope('repo'), '**/package.json')).toBe('{workspaceRoot}/repo/**/package.json');
    expect(anchorGlob(repoScope('repo'), '!**/node_modules/**')).toBe('!{workspaceRoot}/repo/**/node_modules/**');
    expect(anchorGlob(repoScope(undefined), 'package.json')).toBe('{workspaceRoot}/package.json');
  });
  it('exit codes: 0 ok/fresh, 1 failed, 2 usage, 3 stale', () => {
    const o = (status: 'ok' | 'failed' | 'stale' | 'fresh') => ({ status }) as Parameters<typeof exitCodeOf>[0];
    expect([exitCodeOf(o('ok'), false), exitCodeOf(o('fresh'), false), exitCodeOf(o('failed'), false), exitCodeOf(o('failed'), true), exitCodeOf(o('stale'), false)]).toEqual([0, 0, 1, 2, 3]);
  });
});

describe('failure summaries', () => {
  it('names the probe message and the failed tasks', () => {
    const out = [
      '> nx run repo:probe-scan',
      'codegenie: probe scan timed out after 30000 ms (task repo:probe-scan: nothing cached, previous artifacts left as they were)',
      ' NX   Running target gather for project repo and 10 tasks it depends on failed',
      'Failed tasks:',
      '',
      '- repo:probe-scan',
    ].join('\n');
    const line = failureSummary(out);
    expect(line).toContain('probe scan timed out');
    expect(line).toContain('failed tasks: repo:probe-scan');
  });
});
