import { describe, expect, it } from 'vitest';
import { decidePackageManager, type ManagerInputs } from './package-manager-sources';

const base: ManagerInputs = { fieldManager: null, lockfileManager: null, files: new Set(), ciFiles: new Map() };

describe('package manager without a lockfile: every source in order', () => {
  it('.npmrc package-lock=false plus `npm install` in CI: npm from the config file, CI agreeing', () => {
    const d = decidePackageManager({
      ...base,
      files: new Set(['.npmrc', 'package.json']),
      npmrc: 'registry=https://registry.npmjs.org/\npackage-lock=false\n',
      ciFiles: new Map([['.github/workflows/ci.yml', 'steps:\n  - run: npm install\n  - run: npm test\n']]),
    });
    expect(d).toMatchObject({ name: 'npm', source: 'config-file', confidence: 'medium' });
    expect(d.evidence.map((e) => [e.source, e.manager, e.detail])).toEqual([
      ['config-file', 'npm', 'package-lock=false'],
      ['ci-install', 'npm', '- run: npm install'],
    ]);
  });

  it('the field and the lockfile come first; later sources stay as evidence', () => {
    const d = decidePackageManager({ ...base, fieldManager: 'pnpm', lockfileManager: 'pnpm', files: new Set(['pnpm-workspace.yaml']) });
    expect(d).toMatchObject({ name: 'pnpm', source: 'package-manager-field', confidence: 'high' });
    expect(d.evidence.map((e) => e.source)).toEqual(['package-manager-field', 'lockfile', 'config-file']);
  });

  it('engines, devEngines, CI, scripts in that order; npm run in scripts only counts alone', () => {
    expect(decidePackageManager({ ...base, pkg: { engines: { node: '>=20', npm: '>=10', yarn: '>=1.22' } } })).toMatchObject({ name: 'yarn', source: 'engines', confidence: 'low' });
    expect(decidePackageManager({ ...base, pkg: { devEngines: { packageManager: { name: 'bun', version: '^1.1.0' } } } })).toMatchObject({ name: 'bun', source: 'dev-engines', confidence: 'medium' });
    expect(decidePackageManager({ ...base, ciFiles: new Map([['.gitlab-ci.yml', 'script:\n  - pnpm install --frozen-lockfile\n']]) })).toMatchObject({ name: 'pnpm', source: 'ci-install' });
    expect(decidePackageManager({ ...base, pkg: { scripts: { build: 'npm run clean && tsc', lint: 'yarn eslint .' } } })).toMatchObject({ name: 'yarn', source: 'scripts', confidence: 'low' });
    expect(decidePackageManager({ ...base, pkg: { scripts: { ci: 'npm run build' } } })).toMatchObject({ name: 'npm', source: 'scripts' });
  });

  it('disagreeing files of the deciding source lower the confidence; nothing at all gives null', () => {
    const d = decidePackageManager({ ...base, ciFiles: new Map([['.github/workflows/a.yml', 'run: npm ci'], ['.github/workflows/b.yml', 'run: yarn install']]) });
    expect(d).toMatchObject({ name: 'npm', source: 'ci-install', confidence: 'low' });
    expect(decidePackageManager(base)).toEqual({ name: null, source: null, confidence: null, evidence: [] });
    // `npm install -g x` installs a tool, not the project.
    expect(decidePackageManager({ ...base, ciFiles: new Map([['.travis.yml', 'install: npm install -g codecov']]) }).name).toBeNull();
    // An .npmrc with only a registry says nothing (pnpm reads .npmrc too).
    expect(decidePackageManager({ ...base, npmrc: 'registry=https://example.test/\n' }).name).toBeNull();
  });
});
