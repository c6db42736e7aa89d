import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileIndexCatalog } from '../../tools/file-index';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureFolders, fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { assertOutsideInputsIgnored } from '../../tests/helpers/probe-properties';
import probe from './index';

const FIXTURES = join(__dirname, '../../fixtures/build-system');
const validate = sliceValidator('build-system');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Slice = Record<string, any>;

async function runFixture(name: string) {
  const result = await runProbeInMemory(probe, fixtureTree(join(FIXTURES, name)));
  return { ...result, slice: result.slice as Slice };
}

function config(slice: Slice, path: string) {
  const found = slice.typescript.configs.find((c: { path: string }) => c.path === path);
  if (!found) throw new Error(`no config ${path}`);
  return found;
}

describe('build-system probe on fixtures', () => {
  it('every fixture slice validates against the schema', async () => {
    const names = fixtureFolders(FIXTURES);
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const result = await runFixture(name);
      expect({ name, problems: validate(result.slice) }).toEqual({ name, problems: [] });
    }
  });

  it('pnpm workspace: packageManager with hash, engines satisfied, project references, extends arrays', async () => {
    const { slice, errors } = await runFixture('pnpm-workspace-ts');
    expect(errors).toEqual([]);
    expect(slice.package_manager).toMatchObject({
      name: 'pnpm',
      version: '9.12.3',
      source: 'package-manager-field',
      field_hash_algorithm: 'sha512',
      lockfile_manager: 'pnpm',
      yarn_flavor: null,
      versions_consistent: true,
    });
    expect(slice.package_manager.field).toMatch(/^pnpm@9\.12\.3\+sha512\.[0-9a-f]{128}$/);
    expect(slice.package_manager.version_comparisons).toEqual([{ a: 'package-manager-field', b: 'engines', relation: 'satisfies' }]);
    expect(slice.node).toEqual({
      constraints: [
        { source: 'nvmrc', file: '.nvmrc', value: '20.18.0', kind: 'exact' },
        { source: 'engines', file: 'package.json', value: '>=20.11 <23', kind: 'range' },
      ],
      comparisons: [{ a: 'nvmrc', b: 'engines', relation: 'satisfies' }],
      consistent: true,
    });
    expect(slice.lockfiles).toEqual([{ path: 'pnpm-lock.yaml', manager: 'pnpm', root: true, binary: false }]);
    expect(slice.script_kinds).toEqual({
      build: ['build', 'build:web'],
      test: ['test', 'test:watch'],
      start: [],
      lint: ['lint'],
      dev: ['dev'],
      format: ['format', 'format:check'],
      typecheck: ['typecheck'],
      other: ['clean', 'prepare'],
    });
    expect(slice.bundlers).toEqual([
      {
        name: 'vite',
        kind: 'bundler',
        sources: ['config-file', 'dependency'],
        dependencies: ['vite'],
        scripts: [],
        config_files: ['packages/web/vite.config.ts'],
        config_file_count: 1,
      },
    ]);
    expect(slice.typescript.dependency).toBe('~5.6.3');
    expect(slice.typescript.root_config).toBe('tsconfig.json');
    expect(config(slice, 'tsconfig.json').references).toEqual([
      { path: 'packages/api/tsconfig.json', exists: true },
      { path: 'packages/shared/tsconfig.json', exists: true },
      { path: 'packages/web/tsconfig.app.json', exists: true },
    ]);
    // Inherited from the base, overridden locally, outDir resolved against the package.
    expect(config(slice, 'packages/api/tsconfig.json').compiler_options).toEqual({
      strict: true,
      module: 'nodenext',
      target: 'es2023',
      module_resolution: 'nodenext',
      out_dir: 'packages/api/lib',
    });
    expect(config(slice, 'packages/api/tsconfig.json').references).toEqual([{ path: 'packages/shared/tsconfig.json', exists: true }]);
    // An extends array: both entries resolved, `.json` added to the one written without it.
    expect(config(slice, 'packages/shared/tsconfig.json').extends).toEqual([
      { specifier: '../../tsconfig.base.json', resolved: 'tsconfig.base.json', status: 'resolved' },
      { specifier: './tsconfig.paths', resolved: 'packages/shared/tsconfig.paths.json', status: 'resolved' },
    ]);
    const web = config(slice, 'packages/web/tsconfig.app.json');
    expect(web.extends[0]).toEqual({ specifier: '@tsconfig/strictest/tsconfig.json', resolved: null, status: 'package' });
    expect(web.compiler_options).toMatchObject({ strict: true, module: 'esnext', module_resolution: 'bundler', target: 'es2022' });
    expect(slice.risks).toEqual([]);
  });

  it('yarn berry: flavor from the field, volta and .tool-versions disagree about Node', async () => {
    const { slice, errors } = await runFixture('yarn-berry-webpack');
    expect(errors).toEqual([]);
    expect(slice.package_manager).toMatchObject({ name: 'yarn', version: '4.5.1', yarn_flavor: 'berry', versions_consistent: true });
    expect(slice.package_manager.version_constraints.map((c: { source: string }) => c.source)).toEqual(['package-manager-field', 'tool-versions', 'volta']);
    expect(slice.node.comparisons).toEqual([
      { a: 'tool-versions', b: 'volta', relation: 'conflict' },
      { a: 'tool-versions', b: 'engines', relation: 'satisfies' },
      { a: 'volta', b: 'engines', relation: 'satisfies' },
    ]);
    expect(slice.node.consistent).toBe(false);
    expect(slice.risks).toEqual([
      {
        code: 'node_version_conflict',
        message: 'Node version constraints disagree: tool-versions 20.17.0 vs volta 18.20.4',
        files: ['.tool-versions', 'package.json'],
      },
    ]);
    expect(slice.tool_versions).toEqual({ nodejs: '20.17.0', yarn: '4.5.1' });
    expect(slice.bundlers.map((b: { name: string; sources: string[] }) => [b.name, b.sources])).toEqual([
      ['babel', ['config-file', 'dependency']],
      ['webpack', ['config-file', 'dependency', 'script']],
    ]);
    const webpack = slice.bundlers.find((b: { name: string }) => b.name === 'webpack');
    // `webpack-bundle-analyzer` is not `webpack`.
    expect(webpack.scripts).toEqual(['build', 'dev']);
    const kinds = Object.fromEntries(Object.entries(slice.scripts).map(([name, s]) => [name, (s as { kind: string }).kind]));
    expect(slice.scripts.start).toEqual({ command: 'node dist/server.js', kind: 'start' });
    expect(kinds).toEqual({
      analyze: 'other',
      build: 'build',
      'build:server': 'build',
      dev: 'dev',
      lint: 'lint',
      pretest: 'test',
      release: 'other',
      start: 'start',
      test: 'test',
    });
    expect(config(slice, 'tsconfig.json').extends).toEqual([{ specifier: './tsconfig.base', resolved: 'tsconfig.base.json', status: 'resolved' }]);
    expect(config(slice, 'tsconfig.json').compiler_options).toEqual({ strict: true, module: 'commonjs', target: 'es2020', module_resolution: null, out_dir: 'dist/client' });
    // `${configDir}` is the directory of the config being resolved, not of the one that wrote it.
    expect(config(slice, 'tsconfig.server.json').compiler_options).toEqual({ strict: true, module: 'node16', target: 'es2020', module_resolution: 'node16', out_dir: 'dist/server' });
  });

  it('two root lockfiles, precedence, an alias, a conflict, a cycle and a config outside the inputs', async () => {
    const { slice, errors, warnings } = await runFixture('npm-two-lockfiles');
    expect(errors).toEqual([]);
    expect(slice.package_manager).toMatchObject({ name: 'yarn', version: null, source: 'lockfile', field: null, lockfile_manager: 'yarn', yarn_flavor: null });
    expect(slice.risks.map((r: { code: string }) => r.code)).toEqual(['multiple_lockfiles', 'node_version_conflict']);
    expect(slice.risks[0].files).toEqual(['package-lock.json', 'yarn.lock']);
    expect(slice.node.constraints).toEqual([
      { source: 'nvmrc', file: '.nvmrc', value: 'v16.20.2', kind: 'exact' },
      { source: 'node-version', file: '.node-version', value: 'lts/hydrogen', kind: 'alias' },
      { source: 'engines', file: 'package.json', value: '^18.12.0 || ^20.9.0', kind: 'range' },
    ]);
    expect(slice.node.comparisons).toEqual([{ a: 'nvmrc', b: 'engines', relation: 'conflict' }]);
    expect(config(slice, 'tsconfig.json').extends).toEqual([{ specifier: '@tsconfig/node18/tsconfig.json', resolved: null, status: 'package' }]);
    expect(config(slice, 'tsconfig.a.json')).toMatchObject({ extends_cycle: true, compiler_options: { target: 'es2019', module: 'commonjs' } });
    expect(config(slice, 'tsconfig.b.json')).toMatchObject({ extends_cycle: true, compiler_options: { target: 'es2019', module: 'commonjs' } });
    expect(config(slice, 'tsconfig.check.json').extends).toEqual([{ specifier: './config/ts-base.json', resolved: 'config/ts-base.json', status: 'outside-inputs' }]);
    expect((warnings ?? []).filter((w) => w.code === 'extends-cycle').map((w) => w.file)).toEqual(['tsconfig.a.json', 'tsconfig.b.json']);
    expect(slice.bundlers.map((b: { name: string }) => b.name)).toEqual(['rollup']);
    expect(slice.script_kinds.lint).toEqual(['lint']);
  });

  it('bun: bun build script, bun lockfile, lower-cased enumerations', async () => {
    const { slice, errors } = await runFixture('bun-service');
    expect(errors).toEqual([]);
    expect(slice.package_manager).toMatchObject({ name: 'bun', version: '1.1.34', lockfile_manager: 'bun' });
    expect(slice.bundlers).toEqual([
      { name: 'bun-build', kind: 'bundler', sources: ['script'], dependencies: [], scripts: ['build'], config_files: [], config_file_count: 0 },
    ]);
    expect(slice.typescript.compiler_options).toEqual({ strict: true, module: 'preserve', target: 'esnext', module_resolution: 'bundler', out_dir: null });
    expect(slice.script_kinds).toMatchObject({ build: ['build'], dev: ['dev'], start: ['start'], test: ['test'], typecheck: ['typecheck'] });
    expect(slice.risks).toEqual([]);
  });

  it('malformed files are reported with low confidence, and what can be read still is', async () => {
    const result = await runFixture('malformed');
    expect(result.errors?.map((e) => [e.code, e.file])).toEqual([
      ['parse-error', 'package.json'],
      ['parse-error', 'tsconfig.json'],
      ['not-an-object', 'tsconfig.list.json'],
    ]);
    const slice = result.slice as Slice;
    expect(slice.node.constraints).toEqual([
      { source: 'nvmrc', file: '.nvmrc', value: '22', kind: 'partial' },
      { source: 'tool-versions', file: '.tool-versions', value: '22.11.0', kind: 'exact' },
    ]);
    expect(slice.node.comparisons).toEqual([{ a: 'nvmrc', b: 'tool-versions', relation: 'satisfies' }]);
    expect(slice.tool_versions).toEqual({ nodejs: '22.11.0', python: '3.12.7' });
    expect(config(slice, 'tsconfig.json').status).toBe('parse-error');
    expect(config(slice, 'tsconfig.build.json')).toMatchObject({ status: 'ok', compiler_options: { strict: null, out_dir: 'lib' } });
    expect(result.warnings?.some((w) => w.code === 'invalid-compiler-option' && w.file === 'tsconfig.build.json')).toBe(true);
    expect(slice.package_manager.name).toBeNull();
    expect(slice.scripts).toEqual({});
  });
});

describe('build-system declared inputs', () => {
  it('leave out exactly the noise folders the file index leaves out', () => {
    const matches = inputMatcher(probe.inputs);
    for (const entry of fileIndexCatalog().noiseDirs) {
      const rootOnly = entry.startsWith('/');
      const dir = rootOnly ? entry.slice(1) : entry;
      // Root-only noise (`/build`) is real source deeper down (`test/units/build/`).
      expect({ dir, root: matches(`${dir}/tsconfig.json`), nested: matches(`packages/a/${dir}/x/tsconfig.base.json`) }).toEqual({ dir, root: false, nested: rootOnly });
    }
    for (const path of ['tsconfig.json', 'packages/builder/tsconfig.build.json', 'apps/web/tsconfig.app.json', '.nvmrc', 'package.json']) {
      expect({ path, matched: matches(path) }).toEqual({ path, matched: true });
    }
    // Nested package.json files and lockfiles are not read: presence comes from the file index.
    for (const path of ['packages/a/package.json', 'yarn.lock', 'pnpm-lock.yaml', 'webpack.config.js', 'packages/a/.nvmrc']) {
      expect({ path, matched: matches(path) }).toEqual({ path, matched: false });
    }
  });

  it('cuts very long commands and keeps odd script names as plain keys', async () => {
    const { slice } = await runProbeInMemory(probe, {
      'package.json': JSON.stringify({ scripts: { build: `tsc ${'--verbose '.repeat(400)}`, ['__proto__']: 'jest' } }),
    });
    const scripts = (slice as Slice).scripts;
    expect(scripts.build.command).toHaveLength(2001);
    expect(scripts.build.command.endsWith('…')).toBe(true);
    expect(Object.keys(scripts)).toEqual(['__proto__', 'build']);
    expect(Object.getOwnPropertyDescriptor(scripts, '__proto__')?.value).toEqual({ command: 'jest', kind: 'test' });
    expect(validate(slice)).toEqual([]);
  });

  it('a tsconfig under node_modules is neither read nor reported, and extends into it is a package', async () => {
    const { slice } = await runProbeInMemory(probe, {
      'tsconfig.json': '{ "extends": "./node_modules/@tsconfig/node20/tsconfig.json" }',
      'node_modules/@tsconfig/node20/tsconfig.json': '{ "compilerOptions": { "strict": true } }',
    });
    const s = slice as Slice;
    expect(s.typescript.configs.map((c: { path: string }) => c.path)).toEqual(['tsconfig.json']);
    expect(s.typescript.configs[0].extends[0]).toMatchObject({ status: 'package', resolved: null });
    expect(s.typescript.compiler_options.strict).toBeNull();
  });

  it('changing any file outside the inputs leaves the slice byte-identical (same paths)', async () => {
    const pathArb = fc.constantFrom(
      'package.json',
      '.nvmrc',
      'tsconfig.json',
      'tsconfig.base.json',
      'packages/a/tsconfig.json',
      'packages/a/package.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'webpack.config.js',
      'vite.config.ts',
      'src/index.ts',
      'node_modules/x/tsconfig.json',
      'dist/tsconfig.json',
      '.yarnrc.yml',
      'config/base.json',
    );
    const contentArb = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '{"packageManager":"yarn@4.1.0","engines":{"node":">=18"},"scripts":{"build":"vite build"},"devDependencies":{"vite":"5"}}',
        '{"extends":"./tsconfig.base.json","compilerOptions":{"strict":true,"outDir":"out"}}',
        '{"extends":"./config/base.json"}',
        '20.1.0',
      ),
    );
    await assertOutsideInputsIgnored(probe, pathArb, contentArb, 150);
  });
});
