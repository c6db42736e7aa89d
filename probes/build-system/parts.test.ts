import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../tools/catalog';
import { fileIndexCatalog } from '../../tools/file-index';
import { runProbeInMemory } from '../../tools/testing';
import { globSet } from '../../tools/glob-set';
import probe from './index';
import { parsePackageManagerField } from './package-manager';
import { classifyScripts } from './scripts';
import { resolveExtends } from './tsconfig';
import { classifyVersion, compareAll, firstVersionLine, makeConstraint, parseToolVersions } from './version-constraints';
import { toolchainCatalog } from './package-manager';

const aliases = toolchainCatalog().nodeAliasPatterns.map((p) => new RegExp(p, 'i'));

describe('version constraints', () => {
  it.each([
    ['20.11.1', 'exact'],
    ['v20.11.1', 'exact'],
    ['20', 'partial'],
    ['v18.19', 'partial'],
    ['20.x', 'partial'],
    ['>=18 <21', 'range'],
    ['^20.19.0 || >=22.12.0', 'range'],
    ['lts/*', 'alias'],
    ['lts/hydrogen', 'alias'],
    ['LTS/Iron', 'alias'],
    ['node', 'alias'],
    ['stable', 'alias'],
    ['hydrogen', 'alias'],
    ['', 'invalid'],
    ['twenty', 'invalid'],
    ['x'.repeat(500), 'invalid'],
  ])('%s is %s', (value, kind) => {
    expect(classifyVersion(value, aliases)).toBe(kind);
  });

  it('relates every comparable pair and ignores aliases', () => {
    const c = (source: string, value: string) => makeConstraint(source, 'f', value, aliases);
    expect(compareAll([c('nvmrc', '26'), c('engines', '>=20.12 <21 || 22 || 24 <24.17.0 || 26 <26.3.1')]).comparisons).toEqual([
      { a: 'nvmrc', b: 'engines', relation: 'intersects' },
    ]);
    expect(compareAll([c('nvmrc', '24.14.0'), c('engines', '>=22.12.0')]).consistent).toBe(true);
    expect(compareAll([c('nvmrc', '16.20.2'), c('engines', '>=18')]).consistent).toBe(false);
    expect(compareAll([c('nvmrc', '20.1.0'), c('volta', 'v20.1.0')]).comparisons[0].relation).toBe('equal');
    expect(compareAll([c('nvmrc', '18'), c('engines', '>=20')]).comparisons[0].relation).toBe('conflict');
    expect(compareAll([c('nvmrc', 'lts/*'), c('engines', '>=20')])).toEqual({ comparisons: [], consistent: null });
    expect(compareAll([])).toEqual({ comparisons: [], consistent: null });
  });

  it('reads the first version line and .tool-versions entries', () => {
    expect(firstVersionLine('# comment\n\n  v20.3.0 # pinned\n21\n')).toBe('v20.3.0');
    expect(firstVersionLine('\n \n# only comments\n')).toBeUndefined();
    const tools = parseToolVersions('# asdf\nnodejs 20.11.1 18.19.0\r\npnpm 9.1.0\nnodejs 22.0.0\n__proto__ 1\nlonely\n');
    expect([...tools]).toEqual([
      ['nodejs', '20.11.1'],
      ['pnpm', '9.1.0'],
      ['__proto__', '1'],
    ]);
  });
});

describe('packageManager field', () => {
  it.each([
    ['pnpm@9.1.0', { name: 'pnpm', version: '9.1.0', hash_algorithm: null }],
    ['yarn@1.22.22+sha512.a6b2f7906b721bba3d67d4aff083df04dad64c399707841b7acf00f6b133b7ac', { name: 'yarn', version: '1.22.22', hash_algorithm: 'sha512' }],
    ['npm@10.9.0+sha224.abc', { name: 'npm', version: '10.9.0', hash_algorithm: 'sha224' }],
    ['bun@1.2.20', { name: 'bun', version: '1.2.20', hash_algorithm: null }],
  ])('%s', (raw, parsed) => {
    expect(parsePackageManagerField(raw)).toEqual(parsed);
  });

  it.each(['pnpm', '@9.1.0', 'pnpm@', 'pnpm 9.1.0', ''])('rejects %j', (raw) => {
    expect(parsePackageManagerField(raw)).toBeUndefined();
  });

  it('an inherited property name as manager never crashes the probe', async () => {
    const result = await runProbeInMemory(probe, {
      'package.json': JSON.stringify({ packageManager: 'constructor@1.0.0', engines: { constructor: '1' }, volta: {} }),
    });
    expect((result.slice as any).package_manager).toMatchObject({ name: 'constructor', version: '1.0.0' });
    expect(result.warnings?.map((w) => w.code)).toContain('unknown-package-manager');
  });
});

describe('script classification', () => {
  it('names first, then commands, hooks follow what they wrap', () => {
    const scripts = classifyScripts({
      build: 'tsc -p .',
      compile: 'babel src -d lib',
      'lint:types': 'tsc --noEmit',
      'check-types': 'tsc --noEmit',
      verify: 'tsc --noEmit -p tsconfig.json',
      ci: 'jest --ci',
      'test:e2e': 'playwright test',
      'start:dev': 'nodemon src/index.ts',
      'serve:prod': 'node dist/server.js',
      prod: 'NODE_ENV=production node dist/server.js',
      prebuild: 'rimraf lib',
      postbuild: 'cp README.md lib/',
      fmt: 'biome format --write .',
      tidy: 'prettier --write "src/**/*.ts"',
      bundle: 'esbuild src/index.ts --bundle',
      release: 'node scripts/release.mjs',
      web: 'next dev --turbopack',
      'deploy:api': 'node tooling/deploy.js',
    });
    expect(Object.fromEntries(scripts.map((s) => [s.name, s.kind]))).toEqual({
      build: 'build',
      bundle: 'build',
      'check-types': 'typecheck',
      ci: 'test',
      compile: 'build',
      'deploy:api': 'other',
      fmt: 'format',
      'lint:types': 'typecheck',
      postbuild: 'build',
      prebuild: 'build',
      prod: 'start',
      release: 'other',
      'serve:prod': 'start',
      'start:dev': 'dev',
      'test:e2e': 'test',
      tidy: 'format',
      verify: 'typecheck',
      web: 'dev',
    });
    expect(scripts.map((s) => s.name)).toEqual([...scripts.map((s) => s.name)].sort());
  });
});

describe('extends resolution', () => {
  const readable = new Set(['tsconfig.base.json', 'packages/a/tsconfig.json', 'packages/a/tsconfig.lib.json']);
  const indexed = new Set([...readable, 'configs/base.json']);
  it.each([
    ['../../tsconfig.base.json', 'packages/a/tsconfig.json', 'resolved', 'tsconfig.base.json'],
    ['../../tsconfig.base', 'packages/a/tsconfig.json', 'resolved', 'tsconfig.base.json'],
    ['.\\tsconfig.lib.json', 'packages/a/tsconfig.json', 'resolved', 'packages/a/tsconfig.lib.json'],
    ['./configs/base.json', 'tsconfig.json', 'outside-inputs', 'configs/base.json'],
    ['./missing.json', 'tsconfig.json', 'missing', null],
    ['../outside/tsconfig.json', 'tsconfig.json', 'outside-project', null],
    ['@tsconfig/node20/tsconfig.json', 'tsconfig.json', 'package', null],
    ['tsconfig.base.json', 'tsconfig.json', 'package', null],
    ['/home/me/tsconfig.json', 'tsconfig.json', 'absolute', null],
    ['C:\\work\\tsconfig.json', 'tsconfig.json', 'absolute', null],
    ['./node_modules/@tsconfig/node20/tsconfig.json', 'tsconfig.json', 'package', null],
  ])('%s from %s is %s', (spec, from, status, resolved) => {
    expect(resolveExtends(spec, from, readable, indexed)).toEqual({ specifier: spec, resolved, status });
  });

  it('a lattice of configs each extending the two before it stays fast and deterministic', async () => {
    const tree: Record<string, string> = { 'tsconfig.c0.json': '{"compilerOptions":{"strict":true}}', 'tsconfig.c1.json': '{"extends":"./tsconfig.c0.json"}' };
    for (let i = 2; i < 60; i++) tree[`tsconfig.c${i}.json`] = JSON.stringify({ extends: [`./tsconfig.c${i - 1}.json`, `./tsconfig.c${i - 2}.json`] });
    const a = await runProbeInMemory(probe, tree);
    const b = await runProbeInMemory(probe, Object.fromEntries(Object.entries(tree).reverse()));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const last = (a.slice as any).typescript.configs.find((c: { path: string }) => c.path === 'tsconfig.c59.json');
    expect(last.compiler_options.strict).toBe(true);
  });
});

describe('catalog-driven path matching', () => {
  it('every lockfile name of the toolchain catalog is a manifest of the file index (lockfiles are found there)', () => {
    const manifests = new Set(fileIndexCatalog().manifests);
    for (const name of Object.keys(toolchainCatalog().lockfiles)) expect({ name, manifest: manifests.has(name) }).toEqual({ name, manifest: true });
  });

  it('the combined glob set matches exactly what picomatch matches', () => {
    const bundlerGlobs = Object.values(loadCatalog<{ bundlers: Record<string, { configFiles: string[] }> }>('bundlers').bundlers).flatMap((b) => b.configFiles);
    const frameworks = Object.values(loadCatalog<{ frameworks: Record<string, { configFiles: string[]; testFiles: string[] }> }>('test-frameworks').frameworks);
    const globs = [...new Set([...bundlerGlobs, ...frameworks.flatMap((f) => [...f.configFiles, ...f.testFiles])])];
    const segment = fc.constantFrom('src', 'test', 'tests', '__tests__', 'e2e', 'cypress', 'spec', 'support', '.config', 'a.b', 'x');
    const name = fc.oneof(
      fc.constantFrom('webpack.config.js', 'vite.config.mts', '.babelrc', 'a.test.ts', 'b.spec.cjs', 'c.cy.tsx', 'test.js', 'test-x.mjs', 'x_test.js', 'jasmine.json', 'karma.conf.js', 'cypress.json', 'fooSpec.js', '.mocharc.yml', 'index.js', 'tsup.config.ts', 'wdio.e2e.conf.ts'),
      fc.string({ maxLength: 12 }).filter((s) => !s.includes('/') && s.length > 0),
    );
    fc.assert(
      fc.property(fc.constantFrom(...globs), fc.array(segment, { maxLength: 4 }), name, (glob, dirs, base) => {
        const path = [...dirs, base].join('/');
        const reference = picomatch(glob, { dot: true, basename: !glob.includes('/') })(path);
        expect(globSet([glob])(path)).toBe(reference);
      }),
      { numRuns: 3000 },
    );
  });
});
