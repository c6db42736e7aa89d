import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { FIXTURES, fixtureRepos } from './__tests__/fixtures';
import type { DriftItem } from './drift';
import type { LockfileReport } from './extract';
import probe from './index';
import type { NativeModule } from './native-modules';
import type { FrameworkHit } from './frameworks';
import type { PackageSummary } from './package-json';

const validate = sliceValidator('manifest');

interface Slice {
  root_package_json: string | null;
  package_manager_field: string | null;
  engines: Record<string, string> | null;
  package_json_count: number;
  packages: PackageSummary[];
  workspaces: { source: string | null; globs: string[] | null; package_paths: string[]; package_count: number; readable_package_count: number; sources: unknown[] };
  direct_dependencies: Record<string, Array<{ name: string; specifier: string; locked_version: string | null }>>;
  root_lockfile: string | null;
  lockfiles: LockfileReport[];
  binary_lockfiles: string[];
  native_modules: NativeModule[];
  frameworks: FrameworkHit[];
  drift: DriftItem[];
}

async function run(tree: Record<string, string | Buffer>, maxFileBytes?: number) {
  const result = await runProbeInMemory(probe, tree, { maxFileBytes });
  return { slice: result.slice as unknown as Slice, errors: result.errors ?? [], warnings: result.warnings ?? [] };
}

function fixture(name: string): Record<string, Buffer> {
  return fixtureTree(join(FIXTURES, 'manifest', name));
}

describe('manifest probe registration', () => {
  it('is a medium probe whose inputs take manifests and lockfiles at any depth, minus installed packages', () => {
    expect(probe.name).toBe('manifest');
    expect(probe.heaviness).toBe('medium');
    const matches = inputMatcher(probe.inputs);
    for (const yes of ['package.json', 'apps/web/package.json', 'pnpm-lock.yaml', 'a/b/yarn.lock', 'x/package-lock.json', 'npm-shrinkwrap.json', 'bench/bun.lock', 'bench/bun.lockb', 'pnpm-workspace.yaml']) {
      expect(matches(yes), yes).toBe(true);
    }
    for (const no of ['node_modules/react/package.json', 'a/node_modules/b/package.json', '.yarn/cache/x/package.json', 'bower_components/x/package.json', 'src/index.ts', 'tsconfig.json', 'apps/pnpm-workspace.yaml', '.codegenie/context/raw/manifest.json', 'package.json.bak']) {
      expect(matches(no), no).toBe(false);
    }
  });
});

describe('manifest probe on a npm workspaces monorepo', () => {
  it('resolves workspace globs (./ and trailing / trimmed, ! excludes, dot folders skipped)', async () => {
    const { slice, errors } = await run(fixture('npm-workspaces'));
    expect(errors).toEqual([]);
    expect(slice.workspaces).toEqual({
      source: 'package.json#workspaces',
      globs: ['./packages/*/', '!packages/legacy'],
      package_paths: ['packages/api/package.json', 'packages/web/package.json'],
      package_count: 2,
      readable_package_count: 2,
      sources: [{ source: 'package.json#workspaces', globs: ['./packages/*/', '!packages/legacy'], package_count: 2 }],
    });
    expect(slice.package_json_count).toBe(5);
    expect(slice.packages.map((p) => [p.path, p.role])).toEqual([
      ['package.json', 'root'],
      ['packages/api/package.json', 'workspace'],
      ['packages/web/package.json', 'workspace'],
    ]);
    const api = slice.packages[1];
    expect(api).toMatchObject({ name: '@acme/api', version: '3.1.0', private: true, type: 'module', main: './dist/server.js', bin: { 'acme-api': './bin/cli.js' }, engines: { node: '>=20.11' } });
    expect(api.dependencies.production).toMatchObject({ express: '^4.19.2', zod: '^3.23.8' });
    expect(slice.engines).toEqual({ node: '>=20.11 <23', npm: '>=10' });
  });

  it('reports drift as facts and a warning: a missing dependency and a version outside its range', async () => {
    const { slice, warnings, errors } = await run(fixture('npm-workspaces'));
    expect(errors).toEqual([]);
    expect(slice.drift).toEqual([
      { lockfile: 'package-lock.json', package_json: 'packages/api/package.json', group: 'production', name: 'zod', specifier: '^3.23.8', kind: 'missing-from-lockfile', locked_versions: [] },
      { lockfile: 'package-lock.json', package_json: 'packages/web/package.json', group: 'production', name: 'react', specifier: '^19.0.0', kind: 'version-outside-range', locked_versions: ['18.3.1'] },
    ]);
    // semver ^5.7.2 is locked at 7.6.2, but the root `overrides` forces it: not drift.
    expect(slice.drift.some((d) => d.name === 'semver')).toBe(false);
    expect(warnings).toEqual([expect.objectContaining({ code: 'lockfile-drift', file: 'package-lock.json' })]);
  });

  it('marks direct packages, flags native modules and names frameworks', async () => {
    const { slice } = await run(fixture('npm-workspaces'));
    const lock = slice.lockfiles[0];
    expect(lock).toMatchObject({ path: 'package-lock.json', kind: 'npm', format_version: 3, package_manager: 'npm', package_count: 12, entry_count: 12, importer_count: 3 });
    const direct = lock.packages.filter((p) => p.direct).map((p) => `${p.name}@${p.version}`);
    expect(direct).toEqual(['bcrypt@5.1.1', 'eslint@8.57.0', 'express@4.19.2', 'next@14.2.3', 'react@18.3.1', 'react-dom@18.3.1', 'semver@7.6.2']);
    expect(slice.native_modules).toEqual([
      { name: 'bcrypt', kinds: ['node-gyp', 'prebuilt-binary'], reasons: ['catalog', 'install-script'], versions: ['5.1.1'], direct: true, lockfiles: ['package-lock.json'], declared_in: ['packages/api/package.json'] },
    ]);
    expect(slice.frameworks.map((f) => [f.id, f.declared_in, f.locked_versions])).toEqual([
      ['express', ['packages/api/package.json'], ['4.19.2']],
      ['nextjs', ['packages/web/package.json'], ['14.2.3']],
      ['react', ['packages/web/package.json'], ['18.3.1']],
    ]);
    expect(slice.direct_dependencies.dev).toEqual([{ name: 'eslint', specifier: '^8.57.0', locked_version: '8.57.0' }]);
  });

  it('never reads installed packages or files outside its inputs', async () => {
    const tree = {
      ...fixture('npm-workspaces'),
      'node_modules/express/package.json': '{"name":"express","dependencies":{"fastify":"^4"}}',
      'packages/web/node_modules/react/package.json': '{ broken',
      '.yarn/cache/x/package.json': '{ broken',
    };
    const { slice, errors } = await run(tree);
    expect(errors).toEqual([]);
    expect(slice.frameworks.map((f) => f.id)).not.toContain('fastify');
  });
});

describe('manifest probe on other layouts', () => {
  it('several root lockfiles: picks yarn.lock for versions, warns, lists the binary bun.lockb, checks each', async () => {
    const { slice, warnings } = await run(fixture('mixed-lockfiles'));
    expect(slice.root_lockfile).toBe('yarn.lock');
    expect(slice.binary_lockfiles).toEqual(['bun.lockb']);
    expect(slice.lockfiles.map((l) => [l.path, l.kind, l.format_version, l.package_manager])).toEqual([
      ['examples/desktop/package-lock.json', 'npm', 2, 'npm'],
      ['package-lock.json', 'npm', 3, 'npm'],
      ['yarn.lock', 'yarn-classic', 'v1', 'yarn'],
    ]);
    expect(slice.direct_dependencies.production).toEqual([{ name: 'hono', specifier: '^4.4.0', locked_version: '4.4.13' }]);
    // The stale package-lock.json locks hono 4.2.9 for ^4.4.0.
    expect(slice.drift).toEqual([expect.objectContaining({ lockfile: 'package-lock.json', name: 'hono', kind: 'version-outside-range', locked_versions: ['4.2.9'] })]);
    expect(warnings.map((w) => w.code).sort()).toEqual(['binary-lockfile', 'lockfile-drift', 'multiple-root-lockfiles']);
    expect(slice.packages.find((p) => p.path === 'examples/desktop/package.json')?.role).toBe('lockfile-root');
    expect(slice.native_modules.map((n) => [n.name, n.kinds, n.reasons])).toEqual([['electron', ['install-download'], ['catalog', 'install-script']]]);
    expect(slice.frameworks.map((f) => f.id)).toEqual(['electron', 'hono']);
  });

  it('without a lockfile: declared dependencies still give native modules and frameworks', async () => {
    const { slice, errors } = await run(fixture('no-lockfile'));
    expect(errors).toEqual([]);
    expect(slice.lockfiles).toEqual([]);
    expect(slice.root_lockfile).toBeNull();
    expect(slice.native_modules.map((n) => [n.name, n.versions, n.direct])).toEqual([
      ['bcrypt', [], true],
      ['sharp', [], true],
    ]);
    expect(slice.frameworks.map((f) => f.id)).toEqual(['express']);
    expect(slice.direct_dependencies.peer).toEqual([{ name: 'pg', specifier: '^8.11.0', locked_version: null }]);
    expect(slice.packages[0].bin).toEqual({ 'billing-webhooks': './bin/replay.js' });
  });

  it('pnpm workspaces: pnpm-workspace.yaml globs with negation, catalog: and workspace: specifiers are not drift', async () => {
    const { slice, errors } = await run(fixtureTree(join(FIXTURES, 'lockfiles', 'pnpm-v9')));
    expect(errors).toEqual([]);
    expect(slice.workspaces.source).toBe('pnpm-workspace.yaml#packages');
    expect(slice.workspaces.package_paths).toEqual(['apps/api/package.json', 'apps/web/package.json', 'packages/shared/package.json']);
    expect(slice.drift).toEqual([]);
    expect(slice.package_manager_field).toBe('pnpm@9.12.3');
    const shared = slice.packages.find((p) => p.name === '@acme/shared')!;
    expect(shared.exports).toEqual([
      { subpath: '.', conditions: ['types'], target: './dist/index.d.ts' },
      { subpath: '.', conditions: ['import'], target: './dist/index.js' },
      { subpath: '.', conditions: ['require'], target: './dist/index.cjs' },
    ]);
    expect(slice.native_modules.map((n) => n.name)).toEqual(['bcrypt', 'fsevents']);
    expect(slice.frameworks.map((f) => f.id)).toEqual(['express', 'react']);
  });

  it('flags_recorded follows the format generation', async () => {
    const flags = async (name: string) => (await run(fixtureTree(join(FIXTURES, 'lockfiles', name)))).slice.lockfiles[0].flags_recorded;
    expect(await flags('pnpm-v5')).toEqual(['dev', 'has_install_script', 'optional']);
    expect(await flags('pnpm-v6')).toEqual(['dev', 'has_install_script', 'optional']);
    // pnpm 9, yarn and bun record no dev flag: it is derived from the importers' devDependencies.
    expect(await flags('pnpm-v9')).toEqual(['dev', 'optional']);
    expect(await flags('npm-v1')).toEqual(['dev', 'optional']);
    expect(await flags('npm-v3')).toEqual(['dev', 'has_install_script', 'optional', 'peer']);
    expect(await flags('bun')).toEqual(['dev', 'optional']);
  });

  it('yarn berry workspaces object form', async () => {
    const { slice } = await run(fixtureTree(join(FIXTURES, 'lockfiles', 'yarn-berry')));
    expect(slice.workspaces).toMatchObject({ source: 'package.json#workspaces', globs: ['packages/*'], package_count: 1 });
    // fsevents and typescript are locked with and without their patch: one package each.
    expect(slice.lockfiles[0]).toMatchObject({ kind: 'yarn-berry', format_version: 8, direct_count: 5, package_count: 7, entry_count: 9, flags_recorded: ['dev', 'optional'], flags_origin: 'derived', local_count: 2 });
    expect(slice.native_modules.map((n) => n.name)).toEqual(['fsevents', 'sqlite3']);
    expect(slice.frameworks.map((f) => f.id)).toEqual(['fastify']);
    expect(slice.drift).toEqual([]);
  });
});

describe('manifest probe on malformed input', () => {
  it('a BOM and CRLF line endings read like clean files', async () => {
    const clean = await run(fixtureTree(join(FIXTURES, 'lockfiles', 'pnpm-v6')));
    const tree: Record<string, string> = {};
    for (const [path, bytes] of Object.entries(fixtureTree(join(FIXTURES, 'lockfiles', 'pnpm-v6')))) tree[path] = `\uFEFF${bytes.toString('utf8').replace(/\n/g, '\r\n')}`;
    const dirty = await run(tree);
    expect(dirty.errors).toEqual([]);
    expect(JSON.stringify(dirty.slice)).toBe(JSON.stringify(clean.slice));
  });

  it('broken package.json and lockfile: errors, no crash, the rest still read', async () => {
    const tree = {
      ...fixture('npm-workspaces'),
      'packages/web/package.json': '{ "name": "@acme/web", ',
      'package-lock.json': readFileSync(join(FIXTURES, 'manifest', 'npm-workspaces', 'package-lock.json'), 'utf8').slice(0, 700),
    };
    const { slice, errors } = await run(tree);
    expect(errors.map((e) => [e.code, e.file])).toEqual([
      ['parse-error', 'package-lock.json'],
      ['parse-error', 'packages/web/package.json'],
    ]);
    expect(slice.workspaces).toMatchObject({ package_count: 2, readable_package_count: 1 });
    expect(slice.lockfiles[0]).toMatchObject({ readable: false, package_count: 0 });
    expect(slice.drift).toEqual([]);
    expect(slice.frameworks.map((f) => f.id)).toEqual(['express']);
  });

  it('binary garbage, duplicate keys, a non-object root, an oversized file', async () => {
    const { slice, errors } = await run(
      {
        'package.json': '{"name":"a","name":"b","dependencies":{"express":"^4"}}',
        'pnpm-lock.yaml': Buffer.from([0, 1, 2, 0xff, 0xfe, 0x00, 0x41]),
        'pnpm-workspace.yaml': 'packages: [a\n',
        'sub/package.json': '[1,2,3]',
        'sub/package-lock.json': `{"lockfileVersion":3,"packages":{${'"node_modules/x":{"version":"1.0.0"},'.repeat(2000)}"":{}}}`,
      },
      4096,
    );
    expect(errors.map((e) => [e.code, e.file])).toEqual([
      ['binary-file', 'pnpm-lock.yaml'],
      ['parse-error', 'pnpm-workspace.yaml'],
      ['file-too-large', 'sub/package-lock.json'],
    ]);
    expect(slice.packages[0].name).toBe('b');
    expect(slice.lockfiles.map((l) => [l.path, l.readable])).toEqual([['pnpm-lock.yaml', false]]);
  });
});

describe('manifest slice schema and determinism on every fixture', () => {
  const repos = fixtureRepos();
  it('has fixtures for every lockfile format and version', () => {
    expect(repos.map((r) => r.name)).toEqual(
      expect.arrayContaining(['lockfiles/npm-v1', 'lockfiles/npm-v2', 'lockfiles/npm-v3', 'lockfiles/npm-shrinkwrap', 'lockfiles/pnpm-v5', 'lockfiles/pnpm-v6', 'lockfiles/pnpm-v9', 'lockfiles/pnpm-v9-multidoc', 'lockfiles/yarn-classic', 'lockfiles/yarn-berry', 'lockfiles/yarn-berry-v6', 'lockfiles/bun']),
    );
  });

  it.each(repos)('$name: valid against manifest.schema.json, same bytes whatever the file order', async ({ dir }) => {
    const tree = fixtureTree(dir);
    const a = await run(tree);
    expect(validate(a.slice)).toEqual([]);
    const reversed = Object.fromEntries(Object.entries(tree).reverse());
    const b = await run(reversed);
    expect(JSON.stringify(b.slice)).toBe(JSON.stringify(a.slice));
    expect(JSON.stringify(b.errors)).toBe(JSON.stringify(a.errors));
    expect(JSON.stringify(a.slice)).not.toMatch(/"\/(work|tmp|home)\//);
  });

  it('the schema rejects what the probe must never emit', () => {
    const good = { root_package_json: null, package_manager_field: null, engines: null, package_json_count: 0, packages: [], workspaces: { source: null, globs: null, package_paths: [], package_count: 0, readable_package_count: 0, sources: [] }, direct_dependencies: { production: [], dev: [], optional: [], peer: [] }, root_lockfile: null, lockfiles: [], excluded_lockfiles: [], binary_lockfiles: [], native_modules: [], frameworks: [], drift: [] };
    expect(validate(good)).toEqual([]);
    expect(validate({ ...good, extra: 1 })).not.toEqual([]);
    expect(validate({ ...good, binary_lockfiles: ['/abs/bun.lockb'] })).not.toEqual([]);
    const lockfile = { path: 'pnpm-lock.yaml', role: 'root', role_reason: 'repository root', kind: 'pnpm', format_version: '9.0', package_manager: 'pnpm', readable: true, package_count: 1, entry_count: 1, direct_count: 0, importer_count: 1, flags_recorded: [], flags_origin: 'none', local_count: 0, local_packages: [], packages: [{ name: 'a', version: '1.0.0', source: 'registry', dev: false }] };
    expect(validate({ ...good, lockfiles: [lockfile] })).not.toEqual([]);
    expect(validate({ ...good, lockfiles: [{ ...lockfile, packages: [{ name: 'a', version: '1.0.0', source: 'registry', dev: true }] }] })).toEqual([]);
  });
});

describe('declared inputs are the whole story', () => {
  it('files outside the inputs never change the output (generated noise over a fixture)', async () => {
    const base = fixture('npm-workspaces');
    const expected = await run(base);
    const noisePath = fc
      .tuple(
        fc.constantFrom('src', 'node_modules/x', 'packages/api/node_modules/y', '.yarn/cache', 'docs', 'packages/web/src', 'bower_components/z', '.codegenie/context'),
        fc.constantFrom('package.json', 'yarn.lock', 'index.ts', 'README.md', 'pnpm-lock.yaml', 'tsconfig.json', 'pnpm-workspace.yaml', 'package.json5', 'bun.lock'),
      )
      .map(([d, f]) => `${d}/${f}`)
      .filter((p) => !inputMatcher(probe.inputs)(p));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(noisePath, fc.oneof(fc.string(), fc.constant('{"dependencies":{"fastify":"^4"}}'), fc.constant('\u0000\u0001')), { maxKeys: 6 }), async (noise) => {
        const result = await run({ ...base, ...noise });
        expect(JSON.stringify(result.slice)).toBe(JSON.stringify(expected.slice));
        expect(JSON.stringify(result.errors)).toBe(JSON.stringify(expected.errors));
        expect(JSON.stringify(result.warnings)).toBe(JSON.stringify(expected.warnings));
      }),
      { numRuns: 40 },
    );
  });
});
