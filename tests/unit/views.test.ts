/**
 * The four views, projected from a merged context made by running the real probes over a
 * realistic in-memory repository, and from hand-made contexts for each rule's edge.
 */
import { describe, expect, it } from 'vitest';
import buildSystem from '../../probes/build-system';
import deployment from '../../probes/deployment';
import language from '../../probes/language';
import manifest from '../../probes/manifest';
import testInventory from '../../probes/test-inventory';
import ci from '../../probes/ci';
import { toEnvelope } from '../../tools/envelope';
import { mergeContext, type RepoContext } from '../../tools/gather/merge';
import { validateAgainst } from '../../tools/gather/validate';
import { computeViews, loadViewCatalogs } from '../../tools/gather/views';
import type { ProbeDefinition } from '../../tools/probe-api';
import { runProbeInMemory } from '../../tools/testing';

const tree: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'payments',
    version: '2.0.0',
    main: 'dist/main.js',
    engines: { node: '>=18' },
    scripts: { build: 'tsc', start: 'node dist/main.js', test: 'jest' },
    dependencies: { express: '^4.18.0', bcrypt: '^5.1.0', lodash: '^4.17.0' },
    devDependencies: { jest: '^29.0.0', typescript: '^5.0.0' },
  }),
  'package-lock.json': JSON.stringify({
    name: 'payments',
    lockfileVersion: 3,
    packages: {
      '': { name: 'payments', dependencies: { express: '^4.18.0', bcrypt: '^5.1.0', lodash: '^4.17.0' }, devDependencies: { jest: '^29.0.0', typescript: '^5.0.0' } },
      'node_modules/express': { version: '4.18.2', integrity: 'sha512-AAAA' },
      'node_modules/bcrypt': { version: '5.1.1', hasInstallScript: true, integrity: 'sha512-BBBB' },
      'node_modules/jest': { version: '29.7.0', dev: true, integrity: 'sha512-CCCC' },
      'node_modules/typescript': { version: '5.4.5', dev: true, integrity: 'sha512-DDDD' },
    },
  }),
  '.nvmrc': '16\n',
  'tsconfig.json': '{ "compilerOptions": { "strict": false, "module": "commonjs" } }',
  'jest.config.js': 'module.exports = { coverageThreshold: { global: { lines: 80 } } };',
  'src/main.ts': 'console.log(1);\n',
  'src/main.test.ts': 'test("x", () => {});\n',
  Dockerfile: 'FROM node:16\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/main.js"]\n',
  '.github/workflows/ci.yml': 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 14\n      - run: npm ci\n      - run: npm test\n',
};

async function contextOf(files: Record<string, string>): Promise<RepoContext> {
  const probes: ProbeDefinition[] = [language, manifest, buildSystem, testInventory, ci, deployment];
  const envelopes = await Promise.all(probes.map(async (p) => toEnvelope(p, await runProbeInMemory(p, files))));
  return mergeContext({ codegenieVersion: '0.0.0-test', scopeRoot: '', envelopes });
}

describe('views', () => {
  it('projects skills, risks, entrypoint and confidence from real slices, schema-valid', async () => {
    const context = await contextOf(tree);
    const views = computeViews(context);
    expect(validateAgainst('views.schema.json', views)).toEqual([]);
    const flags = Object.fromEntries(views.risk_flags.map((f) => [f.id, f.evidence]));
    expect(flags['native-modules']).toEqual(['bcrypt']);
    expect(flags['lockfile-drift']).toEqual(['lodash']);
    expect(flags['end-of-life-node-in-ci']).toEqual(['14']);
    expect(flags['end-of-life-node-in-images']).toEqual(['node:16']);
    expect(flags['floating-image-tag']).toBeUndefined();
    expect(flags['unpinned-base-image']).toEqual(['node:16']);
    expect(flags['container-runs-as-root']).toEqual(['Dockerfile']);
    expect(flags['missing-lockfile']).toBeUndefined();
    const skills = views.available_skills.map((s) => s.id);
    expect(skills).toEqual(expect.arrayContaining(['node-version-upgrade', 'base-image-bump', 'dependency-cve-remediation', 'lockfile-resync', 'typescript-strict-mode', 'jest-to-vitest', 'esm-migration']));
    expect(views.entrypoint).toMatchObject({ kind: 'service', main: 'dist/main.js', start_script: 'node dist/main.js', frameworks: ['Express'] });
    expect(views.entrypoint.docker).toEqual([{ file: 'Dockerfile', cmd: '["node","dist/main.js"]', entrypoint: null }]);
    expect(views.confidence_summary.overall).toBe('high');
    // Severity first, then id: the most important flag leads.
    const ranks = views.risk_flags.map((f) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(f.severity));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('flags a missing lockfile and low-confidence probes, and lists no skill it cannot back', async () => {
    const context = await contextOf({ 'package.json': '{"name":"x","dependencies":{"a":"1"}}', 'pnpm-workspace.yaml': 'packages: [\n' });
    const views = computeViews(context);
    const ids = views.risk_flags.map((f) => f.id);
    expect(ids).toContain('missing-lockfile');
    expect(ids).toContain('low-confidence-probes');
    expect(views.confidence_summary.low_confidence_probes.length).toBeGreaterThan(0);
    expect(views.available_skills.map((s) => s.id)).not.toContain('dependency-cve-remediation');
    expect(views.entrypoint.kind).toBe('unknown');
  });

  it('every catalog rule is well-formed and has a unique id', () => {
    const { risks, skills } = loadViewCatalogs();
    for (const list of [risks.map((r) => r.id), skills.map((s) => s.id)]) expect(new Set(list).size).toBe(list.length);
    for (const r of risks) expect(['critical', 'high', 'medium', 'low', 'info']).toContain(r.severity);
    // An empty context matches no rule that needs facts.
    const empty = mergeContext({ codegenieVersion: '0', scopeRoot: '', envelopes: [] });
    expect(computeViews(empty).risk_flags).toEqual([]);
    expect(computeViews(empty).available_skills).toEqual([]);
  });
});
