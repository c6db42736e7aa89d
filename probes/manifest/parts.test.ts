import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { specifierCheck } from './drift';
import { JsonScanError, rootMembers } from './lockfile/json-members';
import { sourceOfLocator } from './lockfile/source';
import { splitYamlDocuments } from './lockfile/syml';
import { descriptorNames } from './lockfile/yarn-classic';
import { installPathNames } from './lockfile/bun';
import { flattenExports, overrideNames, readPackageJson } from './package-json';
import { matchWorkspaceGlobs } from './workspaces';

describe('workspace globs', () => {
  const paths = [
    'package.json',
    'docs/package.json',
    'packages/a/package.json',
    'packages/b/package.json',
    'packages/b/test/fixture/package.json',
    'packages/.hidden/package.json',
    'playground/package.json',
    'playground/x/y/package.json',
    'examples/.vercel/output/package.json',
    'examples/site/package.json',
  ];

  it('appends /package.json, so `dir/**` takes dir/package.json itself', () => {
    expect(matchWorkspaceGlobs(['playground/**'], paths)).toEqual(['playground/package.json', 'playground/x/y/package.json']);
  });

  it('one level for `*`, dot folders skipped, the root never a member', () => {
    expect(matchWorkspaceGlobs(['packages/*', '.'], paths)).toEqual(['packages/a/package.json', 'packages/b/package.json']);
  });

  it('`!` excludes, with the same rewriting; leading ./ and trailing / are trimmed', () => {
    expect(matchWorkspaceGlobs(['./packages/**/', '!packages/b/test/**'], paths)).toEqual(['packages/a/package.json', 'packages/b/package.json']);
    expect(matchWorkspaceGlobs(['examples/**/*', '!**/.vercel/**'], paths)).toEqual(['examples/site/package.json']);
  });

  it('literal folders, as npm workspaces often list them', () => {
    expect(matchWorkspaceGlobs(['docs', 'packages/a'], paths)).toEqual(['docs/package.json', 'packages/a/package.json']);
  });

  it('only negations, or none at all, select nothing; odd globs never throw', () => {
    expect(matchWorkspaceGlobs(['!packages/*'], paths)).toEqual([]);
    expect(matchWorkspaceGlobs([], paths)).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }), (globs) => {
        const out = matchWorkspaceGlobs(globs, paths);
        expect([...out].sort()).toEqual(out);
        expect(out).not.toContain('package.json');
      }),
    );
  });
});

describe('package.json reading', () => {
  it('normalizes bin, flattens exports in condition order, tolerates odd values', () => {
    const read = readPackageJson(
      'pkgs/x/package.json',
      JSON.stringify({
        name: '@s/cli',
        bin: './cli.js',
        private: 'yes',
        engines: { node: '>=20', npm: 10 },
        exports: { '.': { node: { import: './a.mjs', require: './a.cjs' }, default: './b.js' }, './feature': ['./f.js', null] },
        dependencies: { a: '^1', b: 2 },
        workspaces: { packages: ['p/*', 3] },
      }),
      'workspace',
    );
    expect(read.summary).toMatchObject({ dir: 'pkgs/x', readable: true, bin: { cli: './cli.js' }, private: null, engines: { node: '>=20' } });
    expect(read.summary.exports).toEqual([
      { subpath: '.', conditions: ['node', 'import'], target: './a.mjs' },
      { subpath: '.', conditions: ['node', 'require'], target: './a.cjs' },
      { subpath: '.', conditions: ['default'], target: './b.js' },
      { subpath: './feature', conditions: [], target: './f.js' },
      { subpath: './feature', conditions: [], target: null },
    ]);
    expect(read.summary.dependencies.production).toEqual({ a: '^1' });
    expect(read.issues.map((i) => i.code)).toEqual(['malformed-dependencies']);
    expect(read.extras.workspaces).toEqual(['p/*']);
  });

  it('a string exports is the "." target; no exports is null', () => {
    expect(flattenExports('./index.js')).toEqual([{ subpath: '.', conditions: [], target: './index.js' }]);
    expect(flattenExports(undefined)).toBeNull();
  });

  it('override keys of npm, yarn and pnpm become package names', () => {
    expect(overrideNames(['semver', 'foo@^1.0.0', '**/debug', 'a>b@2', '@scope/x', 'webpack/@babel/core@7', '@s/y>@t/z'])).toEqual(['semver', 'foo', 'debug', 'a', 'b', '@scope/x', 'webpack', '@babel/core', '@s/y', '@t/z']);
  });

  it('npm nested overrides are followed', () => {
    const read = readPackageJson('package.json', JSON.stringify({ overrides: { react: { 'react-dom': '18' }, '.': '1' }, pnpm: { overrides: { 'x@1': '2' } }, resolutions: { 'y/z': '3' } }), 'root');
    expect(read.extras.overridden.sort()).toEqual(['react', 'react-dom', 'x', 'y', 'z']);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const read = readPackageJson('package.json', text, 'root');
        expect(read.summary.readable).toBe(read.issues.every((i) => i.code !== 'parse-error'));
      }),
    );
  });
});

describe('specifiers for drift', () => {
  it('skips links, checks presence only for non-semver sources, ranges otherwise', () => {
    expect(specifierCheck('workspace:*')).toEqual({ check: 'skip' });
    expect(specifierCheck('link:../x')).toEqual({ check: 'skip' });
    expect(specifierCheck('catalog:')).toEqual({ check: 'presence' });
    expect(specifierCheck('file:../x')).toEqual({ check: 'presence' });
    expect(specifierCheck('github:a/b#v1')).toEqual({ check: 'presence' });
    expect(specifierCheck('a/b')).toEqual({ check: 'presence' });
    expect(specifierCheck('git+https://x.test/a.git')).toEqual({ check: 'presence' });
    expect(specifierCheck('latest')).toEqual({ check: 'presence' });
    expect(specifierCheck('npm:string-width@^4.2.0')).toEqual({ check: 'range', range: '^4.2.0' });
    expect(specifierCheck('^1.2.3 || 2.x')).toEqual({ check: 'range', range: '^1.2.3 || 2.x' });
    expect(specifierCheck('*')).toEqual({ check: 'range', range: '*' });
  });
});

describe('lockfile helpers', () => {
  it('classifies locators', () => {
    expect(sourceOfLocator('https://registry.npmjs.org/a/-/a-1.0.0.tgz')).toBe('registry');
    expect(sourceOfLocator('https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#abc')).toBe('registry');
    expect(sourceOfLocator('https://example.test/a.tgz')).toBe('tarball');
    expect(sourceOfLocator('git+ssh://git@github.com/a/b.git#c')).toBe('git');
    expect(sourceOfLocator('https://codeload.github.com/a/b/tar.gz/c')).toBe('git');
    expect(sourceOfLocator('file:../a')).toBe('directory');
    expect(sourceOfLocator('file:vendor/a-1.0.0.tgz')).toBe('tarball');
    expect(sourceOfLocator('link:../a')).toBe('link');
    expect(sourceOfLocator(undefined)).toBe('registry');
  });

  it('yarn descriptors and bun install paths', () => {
    expect(descriptorNames('string-width-cjs@npm:string-width@^4.2.0')).toEqual(['string-width-cjs', 'string-width', '^4.2.0']);
    expect(descriptorNames('@babel/core@^7.0.0')).toEqual(['@babel/core', '@babel/core', '^7.0.0']);
    expect(descriptorNames('x@npm:^1.0.0')).toEqual(['x', 'x', 'npm:^1.0.0']);
    expect(installPathNames('@babel/highlight/chalk')).toEqual(['@babel/highlight', 'chalk']);
    expect(installPathNames('a/@s/b/c')).toEqual(['a', '@s/b', 'c']);
  });

  it('splits YAML streams only at column-0 markers', () => {
    expect(splitYamlDocuments('a: 1\n')).toEqual(['a: 1\n']);
    expect(splitYamlDocuments('---\na: 1\n---\nb: 2\n')).toEqual(['\na: 1', '\nb: 2\n']);
    expect(splitYamlDocuments('a: |\n  ---\n  x\n')).toEqual(['a: |\n  ---\n  x\n']);
    expect(splitYamlDocuments('--- # env\na: 1\n...\n---\nb: 2')).toEqual([' # env\na: 1', '\nb: 2']);
  });

  it('the JSON member scanner agrees with JSON.parse on any JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(0, 2, '\t'), (obj, indent) => {
        const text = JSON.stringify(obj, null, indent);
        const members = rootMembers(text);
        const rebuilt = Object.fromEntries(members.map((m) => [m.key, JSON.parse(text.slice(m.start, m.end))]));
        expect(rebuilt).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('the JSON member scanner refuses what is not one object', () => {
    for (const bad of ['', '[]', '{"a":1}x', '{"a" 1}', '{"a":1,}', '{"a":"x', '{"a":{"b":1}']) expect(() => rootMembers(bad), bad).toThrow(JsonScanError);
  });
});
