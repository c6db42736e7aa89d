/**
 * Inventory semantics on minimal reproductions (`fixtures/inventory/*`, written by hand in the
 * shapes real lockfiles have): patches folded, local entries listed apart, lockfile roles,
 * dev/optional by reachability, native modules by lockfile evidence and platform family.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { FIXTURES } from './__tests__/fixtures';
import type { ExcludedLockfile, LockfileReport } from './extract';
import probe from './index';
import { classifyLockfile } from './lockfile-roles';
import type { DependencyEdge, LockedPackage } from './lockfile/types';
import { platformFamilyOf, type NativeModule } from './native-modules';
import { deriveFlags, type Root } from './reachability';

const validate = sliceValidator('manifest');

interface Slice {
  lockfiles: LockfileReport[];
  excluded_lockfiles: ExcludedLockfile[];
  native_modules: NativeModule[];
  drift: unknown[];
  packages: Array<{ path: string }>;
}

async function run(name: string) {
  const result = await runProbeInMemory(probe, fixtureTree(join(FIXTURES, 'inventory', name)));
  expect(validate(result.slice)).toEqual([]);
  return { ...result, slice: result.slice as unknown as Slice };
}

const flagsOf = (lock: LockfileReport) =>
  Object.fromEntries(lock.packages.map((p) => [p.name, [p.dev ? 'dev' : '', p.optional ? 'optional' : ''].filter(Boolean).join(',') || 'prod']));

describe('yarn berry: patches and local entries', () => {
  it('a patched package is one package with patched set; portal/link/file/workspace entries are local', async () => {
    const { slice, errors } = await run('berry-local');
    expect(errors).toEqual([]);
    const lock = slice.lockfiles[0];
    expect(lock.packages.map((p) => `${p.name}@${p.version}${p.patched ? '+patch' : ''}`)).toEqual([
      'fsevents@2.3.3',
      'is-core-module@2.13.1',
      'left-pad@1.3.0',
      'resolve@1.22.8+patch',
      'typescript@5.4.5',
    ]);
    expect(lock.package_count).toBe(5);
    // The format's own entries: everything but the two workspaces (patch, portal, link, file included).
    expect(lock.entry_count).toBe(9);
    expect(lock.local_packages.map((l) => [l.name, l.kind])).toEqual([
      ['@berry-local/app', 'workspace'],
      ['archive', 'file'],
      ['berry-local', 'workspace'],
      ['linked', 'link'],
      ['tool', 'portal'],
    ]);
    expect(lock.local_count).toBe(5);
    // portal:/link:/file: specifiers are not drift, and the patch: specifier finds its package.
    expect(slice.drift).toEqual([]);
    expect(lock.packages.find((p) => p.name === 'resolve')?.direct).toBe(true);
  });

  it('dev and optional are derived from the workspaces: a dev-only root, an optional one, shared prod deps', async () => {
    const { slice } = await run('berry-local');
    const lock = slice.lockfiles[0];
    expect(lock.flags_origin).toBe('derived');
    expect(lock.flags_recorded).toEqual(['dev', 'optional']);
    expect(flagsOf(lock)).toEqual({
      fsevents: 'optional',
      'is-core-module': 'prod',
      'left-pad': 'prod',
      resolve: 'prod',
      typescript: 'dev',
    });
  });
});

describe('the same counting rule in every format', () => {
  it('npm, pnpm, yarn classic, berry, bun: package_count is distinct real name@version without local entries', async () => {
    for (const [dir, expected] of [
      ['npm-v3', null],
      ['pnpm-v9', 'fixtures-helper'],
      ['yarn-classic', 'local-utils'],
      ['yarn-berry', null],
      ['bun', null],
    ] as const) {
      const result = await runProbeInMemory(probe, fixtureTree(join(FIXTURES, 'lockfiles', dir)));
      const lock = (result.slice as unknown as Slice).lockfiles[0];
      const ids = lock.packages.map((p) => `${p.name}@${p.version}`);
      expect(new Set(ids).size, dir).toBe(ids.length);
      expect(lock.package_count, dir).toBe(ids.length);
      expect(lock.packages.every((p) => !/^(workspace|link|portal|file):/.test(p.version)), dir).toBe(true);
      if (expected) expect(lock.local_packages.map((l) => l.name), dir).toContain(expected);
    }
  });
});

describe('lockfile roles', () => {
  it('fixture and test-app lockfiles are listed with counts, kept out of the inventory; examples stay, marked', async () => {
    const { slice, errors, warnings } = await run('roles');
    // The deliberately broken fixture lockfile is a note, not an error of the repository.
    expect(errors).toEqual([]);
    expect((warnings ?? []).map((w) => w.code)).toEqual(['fixture-lockfile-parse-error']);
    expect(slice.lockfiles.map((l) => [l.path, l.role])).toEqual([
      ['examples/demo/package-lock.json', 'example'],
      ['package-lock.json', 'root'],
    ]);
    expect(slice.excluded_lockfiles.map((l) => [l.path, l.role, l.readable, l.package_count])).toEqual([
      ['e2e/sample-app/yarn.lock', 'test-app', true, 1],
      ['test/fixtures/broken/package-lock.json', 'fixture', false, 0],
    ]);
    // Their package.json files are not read as importers either.
    expect(slice.packages.map((p) => p.path)).toEqual(['examples/demo/package.json', 'package.json', 'packages/core/package.json']);
    expect(slice.lockfiles[1].local_packages).toEqual([{ name: '@roles/core', kind: 'workspace', locator: 'workspace:packages/core' }]);
  });

  it('classifies by folder: fixture anywhere first, then the outermost role folder, then workspace membership', () => {
    const members = new Set(['packages/a', 'docs']);
    expect(classifyLockfile('yarn.lock', members).role).toBe('root');
    expect(classifyLockfile('packages/a/yarn.lock', members).role).toBe('workspace');
    expect(classifyLockfile('docs/yarn.lock', members).role).toBe('docs');
    expect(classifyLockfile('packages/a/test/__fixtures__/x/package-lock.json', members)).toEqual({ role: 'fixture', reason: 'folder "packages/a/test/__fixtures__"' });
    expect(classifyLockfile('tests/integration/app/pnpm-lock.yaml', members).role).toBe('test-app');
    expect(classifyLockfile('tools/other/yarn.lock', members).role).toBe('nested');
  });
});

describe('native modules', () => {
  it('platform families by pattern and by os/cpu evidence; install scripts; only locked packages, never optional peers', async () => {
    const { slice } = await run('native');
    expect(slice.native_modules.map((n) => [n.name, n.members ?? null, n.reasons])).toEqual([
      ['@acme/engine-*', ['@acme/engine-darwin-arm64', '@acme/engine-linux-x64-gnu'], ['platform-binary']],
      ['@esbuild/*', ['@esbuild/darwin-arm64', '@esbuild/linux-x64'], ['platform-binary', 'platform-family']],
      ['@rollup/rollup-*', ['@rollup/rollup-linux-x64-gnu'], ['platform-binary', 'platform-family']],
      ['esbuild', null, ['catalog', 'install-script']],
      ['playwright-core', null, ['catalog']],
    ]);
    // bufferutil is an optional peer that no lockfile locks: not a native module of this repository.
    expect(slice.native_modules.some((n) => n.name === 'bufferutil')).toBe(false);
  });

  it('a platform tail is cut at the first platform word', () => {
    expect(platformFamilyOf('@oxc-resolver/binding-linux-x64-gnu')).toBe('@oxc-resolver/binding-*');
    expect(platformFamilyOf('turbo-darwin-arm64')).toBe('turbo-*');
    expect(platformFamilyOf('fsevents')).toBeUndefined();
  });
});

describe('deriveFlags agrees with path enumeration on random graphs', () => {
  it('dev iff no path from a non-dev root; optional iff every path crosses an optional edge', () => {
    const graph = fc.record({
      n: fc.integer({ min: 1, max: 8 }),
      edges: fc.array(fc.tuple(fc.nat(7), fc.nat(7), fc.boolean()), { maxLength: 20 }),
      roots: fc.array(fc.tuple(fc.nat(7), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(graph, ({ n, edges, roots }) => {
        const pkgs: LockedPackage[] = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, version: '1.0.0', source: 'registry' }));
        const map = new Map<LockedPackage, DependencyEdge[]>();
        for (const [a, b, optional] of edges) {
          if (a >= n || b >= n || a === b) continue;
          const list = map.get(pkgs[a]) ?? [];
          if (!list.some((e) => e.to === pkgs[b])) list.push({ to: pkgs[b], optional });
          map.set(pkgs[a], list);
        }
        const rootList: Root[] = roots.filter(([i]) => i < n).map(([i, dev, optional]) => ({ pkg: pkgs[i], dev, optional: optional && !dev }));
        deriveFlags(pkgs, map, rootList, { dev: true, optional: true });
        // Brute force: every simple path from every root, recording (root is dev, path has optional).
        const seen = new Map<LockedPackage, { prod: boolean; required: boolean }>();
        const visit = (pkg: LockedPackage, dev: boolean, optional: boolean, onPath: Set<LockedPackage>) => {
          const s = seen.get(pkg) ?? { prod: false, required: false };
          if (!dev) s.prod = true;
          if (!optional) s.required = true;
          seen.set(pkg, s);
          for (const e of map.get(pkg) ?? []) {
            if (onPath.has(e.to)) continue;
            onPath.add(e.to);
            visit(e.to, dev, optional || e.optional, onPath);
            onPath.delete(e.to);
          }
        };
        for (const r of rootList) visit(r.pkg, r.dev, r.optional, new Set([r.pkg]));
        for (const pkg of pkgs) {
          const s = seen.get(pkg);
          expect(pkg.dev === true).toBe(s !== undefined && !s.prod);
          expect(pkg.optional === true).toBe(s !== undefined && !s.required);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('workspace packages by the package manager’s own rules', () => {
  const tree = {
    'package.json': JSON.stringify({ name: 'root', private: true, workspaces: ['legacy/*'] }),
    'pnpm-workspace.yaml': "packages:\n  - 'packages/**'\n  - '!packages/**/test/**'\n",
    'legacy/old/package.json': JSON.stringify({ name: 'old' }),
    'packages/a/package.json': JSON.stringify({ name: 'a' }),
    'packages/group/b/package.json': JSON.stringify({ name: 'b' }),
    'packages/a/test/sample/package.json': JSON.stringify({ name: 'sample' }),
    'packages/.hidden/package.json': JSON.stringify({ name: 'hidden' }),
  };

  it('pnpm-workspace.yaml wins over package.json workspaces; negations and dot folders as pnpm treats them', async () => {
    const result = await runProbeInMemory(probe, tree);
    const ws = (result.slice as unknown as { workspaces: { source: string; package_paths: string[]; sources: Array<{ source: string; package_count: number }> } }).workspaces;
    expect(ws.source).toBe('pnpm-workspace.yaml#packages');
    expect(ws.package_paths).toEqual(['packages/a/package.json', 'packages/group/b/package.json']);
    expect(ws.sources).toEqual([
      { source: 'package.json#workspaces', globs: ['legacy/*'], package_count: 1 },
      { source: 'pnpm-workspace.yaml#packages', globs: ['packages/**', '!packages/**/test/**'], package_count: 2 },
    ]);
    expect((result.warnings ?? []).map((w) => w.code)).toContain('workspace-sources-disagree');
  });

  it('tools/workspaces.ts (the Nx plugin’s view) follows the same rule', async () => {
    const { workspaceGlobsFrom, workspacePackageMatcher } = await import('../../tools/workspaces');
    const globs = workspaceGlobsFrom(tree['package.json'], tree['pnpm-workspace.yaml']);
    expect(globs).toEqual({ source: 'pnpm-workspace.yaml', globs: ['packages/**', '!packages/**/test/**'] });
    const match = workspacePackageMatcher(globs!.globs);
    expect(Object.keys(tree).filter((p) => p !== 'package.json' && p.endsWith('package.json') && match(p))).toEqual(['packages/a/package.json', 'packages/group/b/package.json']);
    // Without pnpm-workspace.yaml: package.json, array or berry/bun object form.
    expect(workspaceGlobsFrom(JSON.stringify({ workspaces: { packages: ['apps/*'], nohoist: ['**/x'] } }), undefined)).toEqual({ source: 'package.json', globs: ['apps/*'] });
  });
});
