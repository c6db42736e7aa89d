import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRepository, countLoc, generateRepo, hashDir, hashTree, Rng } from '../../bench/generator';

const scratch = mkdtempSync(join(tmpdir(), 'bench-generator-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('determinism', () => {
  it('writes byte-identical trees and the same commit for the same seed and options', () => {
    const options = { seed: 42, size: 'small', packageManager: 'pnpm', variant: 'service', git: true } as const;
    const a = generateRepo({ ...options, dir: join(scratch, 'same-a') });
    const b = generateRepo({ ...options, dir: join(scratch, 'same-b') });
    expect(hashDir(a.dir)).toBe(hashDir(b.dir));
    expect(hashDir(a.dir)).toBe(a.treeHash);
    expect(a.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(a.commit).toBe(b.commit);
    const log = execFileSync('git', ['log', '--format=%an <%ae> %ad', '--date=iso-strict'], { cwd: a.dir, encoding: 'utf8' });
    expect(log.trim()).toBe('Bench Generator <bench@codegenie.invalid> 2025-01-01T00:00:00+00:00');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: a.dir, encoding: 'utf8' })).toBe('');
  });

  it('gives different but equally sized repositories for different seeds', () => {
    const base = { size: 'standard', packageManager: 'npm', variant: 'service' } as const;
    const models = [1, 2, 3].map((seed) => buildRepository({ ...base, seed }));
    const hashes = new Set(models.map((m) => hashTree(m.files)));
    expect(hashes.size).toBe(3);
    const locs = models.map((m) => countLoc(m.files));
    for (const loc of locs) expect(Math.abs(loc - 50_000)).toBeLessThan(1_000);
    for (const m of models) expect(m.lockedPackages).toBe(1_500);
    const counts = models.map((m) => Object.keys(m.files).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThan(Math.min(...counts) * 0.15);
  });

  it('is the same in memory as on disk, whatever the order of generation', () => {
    const first = buildRepository({ seed: 'abc', size: 'small', packageManager: 'bun', variant: 'monorepo' });
    buildRepository({ seed: 'other', size: 'small', packageManager: 'npm', variant: 'service' });
    const again = buildRepository({ seed: 'abc', size: 'small', packageManager: 'bun', variant: 'monorepo' });
    expect(hashTree(again.files)).toBe(hashTree(first.files));
  });

  it('never reads Math.random or the clock', () => {
    const random = Math.random;
    const now = Date.now;
    Math.random = () => {
      throw new Error('Math.random called');
    };
    Date.now = () => {
      throw new Error('Date.now called');
    };
    try {
      expect(() => buildRepository({ seed: 5, size: 'small', packageManager: 'yarn-berry', variant: 'service' })).not.toThrow();
    } finally {
      Math.random = random;
      Date.now = now;
    }
  });

  it('seeds a PRNG whose forks are independent of draw order', () => {
    const a = new Rng(9);
    a.next();
    const b = new Rng(9);
    expect(a.fork('x').next()).toBe(b.fork('x').next());
    expect(new Rng(9).next()).not.toBe(new Rng(10).next());
  });
});

describe('size', () => {
  it.each([
    ['service', 'standard', 45_000, 55_000],
    ['monorepo', 'standard', 45_000, 55_000],
    ['service', 'small', 2_500, 3_500],
    ['monorepo', 'small', 2_500, 3_500],
  ] as const)('%s %s lands between %i and %i lines', (variant, size, min, max) => {
    const model = buildRepository({ seed: 3, size, packageManager: 'npm', variant });
    const loc = countLoc(model.files);
    expect(loc).toBeGreaterThanOrEqual(min);
    expect(loc).toBeLessThanOrEqual(max);
  });

  it('honours a numeric line target', () => {
    const loc = countLoc(buildRepository({ seed: 3, size: 12_000, packageManager: 'npm', variant: 'service' }).files);
    expect(Math.abs(loc - 12_000)).toBeLessThan(600);
  });
});

describe('syntax', () => {
  it.each(['service', 'monorepo'] as const)('every generated TS/JS file of a %s parses without syntax errors', (variant) => {
    for (const runner of [1, 2, 3, 4]) {
      const { files } = buildRepository({ seed: runner, size: 'small', packageManager: 'npm', variant });
      for (const [path, content] of Object.entries(files)) {
        if (!/\.(ts|js)$/.test(path)) continue;
        const source = ts.createSourceFile(path, content, ts.ScriptTarget.ES2022, false, path.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
        const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
        expect(diagnostics.map((d) => `${path}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)).toEqual([]);
      }
    }
  });
});

describe('contents of a service', () => {
  const model = buildRepository({ seed: 11, size: 'small', packageManager: 'yarn-berry', variant: 'service' });
  const files = model.files;
  const paths = Object.keys(files);

  it('has TypeScript and JavaScript modules that import each other, and tests beside the code and under test/', () => {
    expect(paths.some((p) => /^src\/modules\/[^/]+\/[^/]+\.service\.ts$/.test(p))).toBe(true);
    expect(paths.some((p) => /^src\/modules\/[^/]+\/[^/]+\.repository\.ts$/.test(p))).toBe(true);
    expect(paths.some((p) => /^src\/modules\/[^/]+\/[^/]+\.routes\.ts$/.test(p))).toBe(true);
    expect(paths.some((p) => /^src\/modules\/[^/]+\/[^/]+\.test\.ts$/.test(p))).toBe(true);
    expect(paths.some((p) => /^src\/modules\/[^/]+\/[^/]+\.spec\.ts$/.test(p))).toBe(true);
    expect(paths.some((p) => /^test\/.+\.ts$/.test(p))).toBe(true);
    expect(paths.some((p) => /\.js$/.test(p) && !p.endsWith('.config.js'))).toBe(true);
    const app = files['src/app.ts'];
    for (const match of app.matchAll(/from '\.\/(modules\/[^']+)'/g)) expect(paths).toContain(`src/${match[1]}/index.ts`);
    expect(Object.values(files).some((c) => /from '\.\.\/[a-z-]+\/[a-z-]+\.service'/.test(c))).toBe(true);
  });

  it('has the configs a real service carries', () => {
    const tsconfig = JSON.parse(files['tsconfig.json']) as { extends: string };
    expect(tsconfig.extends).toBe('./tsconfig.base.json');
    expect(paths).toContain('tsconfig.base.json');
    expect(JSON.parse(files['.eslintrc.json'])).toMatchObject({ parser: '@typescript-eslint/parser' });
    expect(paths.includes('vitest.config.ts') !== paths.includes('jest.config.js')).toBe(true);
    expect(files['.nvmrc']).toMatch(/^\S+\n$/);
    for (const line of ['node_modules/', '.nx/', '.codegenie/', 'dist/']) expect(files['.gitignore'].split('\n')).toContain(line);
    expect(files['.yarnrc.yml']).toContain('nodeLinker: node-modules');
  });

  it('declares real-world-sized dependency lists with real names', () => {
    const pkg = JSON.parse(files['package.json']) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; packageManager: string };
    expect(Object.keys(pkg.dependencies)).toHaveLength(40);
    expect(Object.keys(pkg.devDependencies)).toHaveLength(40);
    for (const name of ['express', 'pg', 'zod', 'pino']) expect(pkg.dependencies).toHaveProperty(name);
    for (const name of ['typescript', 'eslint', '@types/node']) expect(pkg.devDependencies).toHaveProperty(name);
    expect(pkg.packageManager).toMatch(/^yarn@4\./);
  });

  it('has CI workflows with a setup-node matrix, a multi-stage Dockerfile and a Helm chart', () => {
    const ci = parse(files['.github/workflows/ci.yml']) as { jobs: { test: { strategy: { matrix: { 'node-version': string[] } }; steps: Array<{ uses?: string }> } } };
    expect(ci.jobs.test.strategy.matrix['node-version'].length).toBeGreaterThanOrEqual(2);
    expect(ci.jobs.test.steps.some((s) => s.uses?.startsWith('actions/setup-node@'))).toBe(true);
    expect(parse(files['.github/workflows/release.yml'])).toHaveProperty('jobs');
    const docker = files.Dockerfile;
    expect(docker).toMatch(/^FROM node:20\.[\d.]+-alpine[\d.]+ AS builder$/m);
    expect(docker).toMatch(/^FROM gcr\.io\/distroless\/nodejs20-debian12:nonroot@sha256:[0-9a-f]{64} AS runtime$/m);
    const chartDir = `charts/${model.name}`;
    expect(parse(files[`${chartDir}/Chart.yaml`])).toMatchObject({ apiVersion: 'v2', name: model.name });
    expect(parse(files[`${chartDir}/values.yaml`])).toMatchObject({ image: { repository: expect.any(String), tag: '' } });
    expect(files[`${chartDir}/templates/deployment.yaml`]).toContain('kind: Deployment');
  });
});
