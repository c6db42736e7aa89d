/**
 * Which real packages a generated repository depends on, the ranges its manifests declare for
 * them, and the package.json files themselves.
 */
import { RUNTIME_PACKAGES, TEST_RUNNERS, TOOLING_PACKAGES, type KnownPackage, type TestRunner } from './known-packages';
import type { PackageManager } from './lockfiles/types';
import { PACKAGE_MANAGER_FIELD, RUN_COMMAND } from './configs';
import { formatVersion, parseVersion } from './package-names';
import { byCodeUnit, type Rng } from './prng';

/** Runtime packages the generated code imports, so they are always declared. */
const REQUIRED_RUNTIME = ['express', 'pg', 'knex', 'zod', 'pino', 'pino-http', 'dotenv', 'jsonwebtoken', 'helmet', 'cors', 'compression', 'express-rate-limit'];
const REQUIRED_TOOLING = ['typescript', 'eslint', '@typescript-eslint/parser', '@typescript-eslint/eslint-plugin', 'eslint-config-prettier', 'eslint-plugin-import', 'eslint-plugin-n', 'prettier', '@types/node', '@types/express', 'supertest', '@types/supertest', '@types/jsonwebtoken', '@types/compression', '@types/cors'];

export interface DependencyChoice {
  runtime: KnownPackage[];
  tooling: KnownPackage[];
  /** Declared range per package name (one range per name across the whole repository). */
  ranges: Map<string, string>;
}

function chooseSet(rng: Rng, pool: readonly KnownPackage[], required: readonly string[], count: number): KnownPackage[] {
  const must = pool.filter((p) => required.includes(p.name));
  const rest = rng.sample(
    pool.filter((p) => !required.includes(p.name)),
    Math.max(0, count - must.length),
  );
  return [...must, ...rest].sort((a, b) => byCodeUnit(a.name, b.name));
}

/** A range as a maintainer would write it: mostly caret, some tilde, a few pinned. */
function declaredRange(rng: Rng, version: string): string {
  const v = parseVersion(version);
  const low = formatVersion({ ...v, patch: rng.int(0, v.patch) });
  const r = rng.next();
  if (r < 0.82) return `^${low}`;
  if (r < 0.94) return `~${low}`;
  return version;
}

export function chooseDependencies(rng: Rng, runner: TestRunner, counts = { runtime: 40, tooling: 40 }): DependencyChoice {
  const runtime = chooseSet(rng, RUNTIME_PACKAGES, REQUIRED_RUNTIME, counts.runtime);
  const runnerPackages: KnownPackage[] = [...TEST_RUNNERS[runner]];
  const tooling = [...chooseSet(rng, TOOLING_PACKAGES, REQUIRED_TOOLING, counts.tooling - runnerPackages.length), ...runnerPackages].sort((a, b) => byCodeUnit(a.name, b.name));
  const ranges = new Map<string, string>();
  for (const pkg of [...runtime, ...tooling]) ranges.set(pkg.name, declaredRange(rng, pkg.version));
  return { runtime, tooling, ranges };
}

export function rangesFor(names: readonly string[], ranges: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...names].sort(byCodeUnit)) out[name] = ranges.get(name)!;
  return out;
}

export interface RootManifestOptions {
  name: string;
  pm: PackageManager;
  runner: TestRunner;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  workspaces?: string[];
  nodeEngine: string;
}

export function rootManifest(o: RootManifestOptions): Record<string, unknown> {
  const run = RUN_COMMAND[o.pm];
  const scripts: Record<string, string> = o.workspaces
    ? {
        build: o.pm === 'pnpm' ? 'pnpm -r build' : o.pm === 'yarn-berry' ? 'yarn workspaces foreach -A run build' : o.pm === 'npm' ? 'npm run build --workspaces' : o.pm === 'bun' ? 'bun run --filter "*" build' : 'yarn workspaces run build',
        test: o.runner === 'vitest' ? 'vitest run' : 'jest',
        lint: 'eslint . --ext .ts,.js',
        typecheck: 'tsc -p tsconfig.json',
        format: 'prettier --write .',
      }
    : {
        build: 'tsc -p tsconfig.json',
        start: 'node dist/index.js',
        dev: 'tsx watch src/index.ts',
        test: o.runner === 'vitest' ? 'vitest run' : 'jest',
        'test:watch': o.runner === 'vitest' ? 'vitest' : 'jest --watch',
        lint: 'eslint . --ext .ts,.js',
        typecheck: 'tsc -p tsconfig.test.json',
        migrate: 'knex migrate:latest --knexfile knexfile.js',
        format: 'prettier --write .',
        prepare: 'husky',
        ci: `${run} lint && ${run} typecheck && ${run} test`,
      };
  const manifest: Record<string, unknown> = {
    name: o.name,
    version: o.workspaces ? '0.0.0' : '1.4.0',
    private: true,
    description: o.workspaces ? `${o.name} monorepo` : `${o.name} HTTP API`,
    license: 'UNLICENSED',
  };
  if (!o.workspaces) manifest.main = 'dist/index.js';
  if (o.workspaces && o.pm !== 'pnpm') manifest.workspaces = o.workspaces;
  manifest.scripts = scripts;
  manifest.engines = { node: o.nodeEngine };
  manifest.packageManager = PACKAGE_MANAGER_FIELD[o.pm];
  if (Object.keys(o.dependencies).length > 0) manifest.dependencies = o.dependencies;
  if (Object.keys(o.devDependencies).length > 0) manifest.devDependencies = o.devDependencies;
  return manifest;
}

export function workspaceManifest(o: { name: string; version: string; app: boolean; runner: TestRunner; dependencies: Record<string, string>; devDependencies: Record<string, string> }): Record<string, unknown> {
  const manifest: Record<string, unknown> = { name: o.name, version: o.version, private: true };
  if (!o.app) {
    manifest.main = 'dist/index.js';
    manifest.types = 'dist/index.d.ts';
  }
  manifest.scripts = o.app
    ? { build: 'tsc -p tsconfig.json', start: 'node dist/index.js', test: o.runner === 'vitest' ? 'vitest run' : 'jest' }
    : { build: 'tsc -p tsconfig.json', test: o.runner === 'vitest' ? 'vitest run' : 'jest' };
  if (Object.keys(o.dependencies).length > 0) manifest.dependencies = o.dependencies;
  if (Object.keys(o.devDependencies).length > 0) manifest.devDependencies = o.devDependencies;
  return manifest;
}
