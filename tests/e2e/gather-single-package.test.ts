/**
 * `nx run repo:gather` on a single-package repository, with real Nx (daemon off): schema-valid
 * artifacts, full replay from cache, and exactly the re-runs each kind of change calls for.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020';
import { inputMatcher } from '../../tools/probe-context';
import { FIXTURES, PROJECT_ROOT, cachedTasks, createWorkspace, executedTasks, type TempWorkspace } from '../helpers/nx-workspace';

function schemaValidator() {
  const ajv = new Ajv2020({ allErrors: true });
  for (const dir of ['schemas', 'schemas/slices']) {
    for (const f of readdirSync(join(PROJECT_ROOT, dir)).filter((x) => x.endsWith('.schema.json'))) {
      ajv.addSchema(JSON.parse(readFileSync(join(PROJECT_ROOT, dir, f), 'utf8')));
    }
  }
  return ajv;
}

describe('nx run repo:gather on a single package', () => {
  let ws: TempWorkspace;
  let probeDir: string;
  let env: Record<string, string>;
  let tasks: string[];

  beforeAll(() => {
    ws = createWorkspace('workspaces/single-package');
    // A private copy of a test probe whose version the test bumps.
    probeDir = mkdtempSync(join(tmpdir(), 'codegenie-probes-'));
    cpSync(join(FIXTURES, 'probes', 'scheduling', 'light-one'), join(probeDir, 'light-one'), { recursive: true });
    env = { CODEGENIE_PROBE_PATH: probeDir };
    tasks = ws.codegenieTasks('repo', env);
  });
  afterAll(() => {
    ws?.dispose();
    rmSync(probeDir, { recursive: true, force: true });
  });

  it('writes schema-valid artifacts', () => {
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    const context = parse(ws.read('.codegenie/context/repo-context.yaml'));
    const views = JSON.parse(ws.read('.codegenie/context/views.json'));
    const ajv = schemaValidator();
    expect(ajv.validate('https://codegenie.dev/schemas/repo-context.schema.json', context), JSON.stringify(ajv.errors)).toBe(true);
    expect(ajv.validate('https://codegenie.dev/schemas/views.schema.json', views), JSON.stringify(ajv.errors)).toBe(true);
    expect(context.codegenie.version).toBe(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
    expect(context.codegenie.probes.language).toMatchObject({ version: '1', confidence: 'high' });
    expect(context.language.primary_language).toBe('TypeScript');
    const raw = JSON.parse(ws.read('.codegenie/context/raw/language.json'));
    expect(Object.keys(raw).sort()).toEqual(['confidence', 'errors', 'probe', 'schemaVersion', 'slice', 'version', 'warnings']);
    // No clocks and no absolute paths in what is cached.
    for (const file of ['repo-context.yaml', 'views.json', 'raw/language.json', 'raw/file-index.json']) {
      const text = ws.read(`.codegenie/context/${file}`);
      expect(text).not.toContain(ws.root);
      expect(text).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
    }
  });

  it('replays every task from cache when nothing changed', () => {
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    expect(executedTasks(run.output, tasks)).toEqual([]);
    expect(cachedTasks(run.output)).toContain('repo:gather');
    expect(cachedTasks(run.output)).toContain('repo:probe-language');
  });

  it('re-runs only the probes whose inputs include package.json when it changes', () => {
    const pkg = JSON.parse(ws.read('package.json'));
    pkg.scripts.typecheck = 'tsc --noEmit';
    ws.write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    const executed = executedTasks(run.output, tasks);
    expect(executed).toContain('repo:probe-language');
    expect(executed).toContain('repo:probe-light-one');
    // Every probe that re-ran declares package.json among its inputs, and no other probe re-ran.
    const show = ws.project('repo', env);
    const readsPackageJson = (target: string) => {
      const globs = (show.targets[target].inputs ?? [])
        .filter((i): i is string => typeof i === 'string')
        .map((g) => g.replace('{workspaceRoot}/', ''));
      return inputMatcher(globs)('package.json');
    };
    // runsLast probes (index-health, vulnerabilities) read their siblings' outputs, not files: they
    // re-run when a sibling's output changed, which is not what this test is about.
    const runsLast = ['probe-index-health', 'probe-vulnerabilities'];
    const probeTargets = Object.keys(show.targets).filter((t) => t.startsWith('probe-') && !runsLast.includes(t));
    for (const target of probeTargets) {
      expect(executed.includes(`repo:${target}`), target).toBe(readsPackageJson(target));
    }
    expect(probeTargets.filter(readsPackageJson).length).toBeGreaterThan(1);
    expect(probeTargets.filter((t) => !readsPackageJson(t)).length).toBeGreaterThan(0);
    // index-health re-ran (its siblings' outputs changed) and tells, as run metadata, exactly the
    // siblings recomputed in this run — across both batches — from those replayed from cache.
    expect(executed).toContain('repo:probe-index-health');
    const freshness = JSON.parse(ws.read('.codegenie/stats/index-health.json')).stats.freshness;
    const siblings = probeTargets.map((t) => t.slice('probe-'.length));
    expect(Object.keys(freshness.recomputed).sort()).toEqual(siblings.filter((s) => executed.includes(`repo:probe-${s}`)).sort());
    expect([...freshness.replayed].sort()).toEqual(siblings.filter((s) => !executed.includes(`repo:probe-${s}`)).sort());
  });

  it('does not re-run the language probe when only a source file changes', () => {
    writeFileSync(ws.path('src/server.ts'), `${ws.read('src/server.ts')}\n// a comment\n`);
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    expect(executedTasks(run.output, tasks)).toContain('repo:file-index');
    expect(cachedTasks(run.output)).toContain('repo:probe-language');
    expect(cachedTasks(run.output)).toContain('repo:gather');
  });

  it('re-runs the language probe when a file is added', () => {
    ws.write('src/health.ts', 'export const ok = true;\n');
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(executedTasks(run.output, tasks)).toContain('repo:probe-language');
  });

  it('re-runs only the probe whose version was bumped', () => {
    ws.nx(['run', 'repo:gather'], env);
    const file = join(probeDir, 'light-one', 'index.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace("version: '1'", "version: '2'"));
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    const probesRun = executedTasks(run.output, ws.codegenieTasks('repo', env)).filter((t) => t.includes(':probe-'));
    // index-health and vulnerabilities read every sibling envelope, and light-one's now carries version 2.
    expect(probesRun).toEqual(['repo:probe-index-health', 'repo:probe-light-one', 'repo:probe-vulnerabilities']);
    expect(JSON.parse(ws.read('.codegenie/context/raw/light-one.json')).version).toBe('2');
  });

  it('reports input it cannot read as a low-confidence envelope and still succeeds', () => {
    // (A malformed root package.json would stop Nx itself, so the bad input here is a file over
    // the size limit, which probes must report, not crash on.)
    ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'codegenie', options: { maxFileBytes: 64 } }] }));
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    const raw = JSON.parse(ws.read('.codegenie/context/raw/language.json'));
    expect(raw.confidence).toBe('low');
    expect(raw.errors[0]).toMatchObject({ code: 'file-too-large', file: 'package.json' });
    const views = JSON.parse(ws.read('.codegenie/context/views.json'));
    expect(views.confidence_summary.low_confidence_probes).toContain('language');
  });
});

describe('determinism', () => {
  it('gives byte-identical artifacts for the same tree in two different directories', () => {
    const a = createWorkspace('workspaces/single-package');
    const b = createWorkspace('workspaces/single-package');
    try {
      for (const ws of [a, b]) expect(ws.nx(['run', 'repo:gather']).status).toBe(0);
      const files = ['repo-context.yaml', 'views.json', ...readdirSync(a.path('.codegenie/context/raw')).map((f) => `raw/${f}`)];
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) expect(b.read(`.codegenie/context/${f}`), f).toBe(a.read(`.codegenie/context/${f}`));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
