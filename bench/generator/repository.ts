/**
 * Assembles a whole repository in memory: `{ path: content }`, nothing written yet. Pure: the
 * same options give the same object, byte for byte.
 */
import { dockerfile, eslintConfig, helmChart, miscFiles, testRunnerConfig, tsconfigFiles, workflows, workspaceTsconfig, type Files } from './configs';
import { buildPackageGraph, type Importer, type LockGraph } from './dependency-graph';
import type { KnownPackage, TestRunner } from './known-packages';
import { LOCKFILE_NAMES, writeLockfile, type PackageManager } from './lockfiles';
import { chooseDependencies, rangesFor, rootManifest, workspaceManifest } from './manifest';
import { byCodeUnit, Rng } from './prng';
import { entityNames, makeEntity, type Entity } from './sources/entities';
import {
  appFile,
  dbFile,
  envFile,
  errorsFile,
  httpFile,
  loggerFile,
  middlewareFiles,
  paginationFile,
  serverFile,
  testDbHelperFile,
  utilModule,
} from './sources/infra-templates';
import { integrationTestFile, legacyHelperFile, migrationFile, moduleFiles, type ModuleImports } from './sources/module-templates';

export type RepoSize = 'small' | 'standard' | number;
export type Variant = 'service' | 'monorepo';

export interface RepoOptions {
  seed: number | string;
  size: RepoSize;
  packageManager: PackageManager;
  variant: Variant;
  /** Unique name@version in the lockfile; ~1,500 like a real service's. */
  lockfilePackages?: number;
}

export interface RepoModel {
  files: Files;
  name: string;
  runner: TestRunner;
  lockfilePath: string;
  lockedPackages: number;
  workspaces: string[];
}

export const SIZE_LOC: Record<'small' | 'standard', number> = { small: 3_000, standard: 50_000 };
export const DEFAULT_LOCKED_PACKAGES = 1_500;
const SOURCE_EXTENSIONS = /\.(ts|js|mjs|cjs|tsx|jsx)$/;

/** Lines of code as the benchmark counts them: every line of every TS/JS file. */
export function countLoc(files: Files): number {
  let loc = 0;
  for (const [path, content] of Object.entries(files)) {
    if (!SOURCE_EXTENSIONS.test(path)) continue;
    for (let i = 0; i < content.length; i++) if (content.charCodeAt(i) === 10) loc++;
  }
  return loc;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const SERVICE_NAMES = ['orders-api', 'billing-service', 'catalog-api', 'fulfilment-service', 'identity-api', 'ledger-service', 'booking-api', 'support-desk-api'];
const SCOPES = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];
const NODE_ENGINES = ['>=20.11', '>=20.18.0', '^20.19.0 || >=22.12.0', '>=20'];

function prefixed(prefix: string, files: Files): Files {
  const out: Files = {};
  for (const [path, content] of Object.entries(files)) out[`${prefix}/${path}`] = content;
  return out;
}

function testSetupFile(runner: TestRunner): string {
  return runner === 'vitest'
    ? "import { afterEach, vi } from 'vitest';\n\nprocess.env.NODE_ENV = 'test';\nprocess.env.JWT_SECRET ??= 'test-secret-test-secret-test-secret-00';\n\nafterEach(() => {\n  vi.restoreAllMocks();\n});\n"
    : "process.env.NODE_ENV = 'test';\nprocess.env.JWT_SECRET ??= 'test-secret-test-secret-test-secret-00';\n\nafterEach(() => {\n  jest.restoreAllMocks();\n});\n";
}

function targetLoc(size: RepoSize): number {
  return typeof size === 'number' ? size : SIZE_LOC[size];
}

/** Locks the chosen packages and returns the lockfile text. */
function lockfileFor(o: RepoOptions, rng: Rng, directs: KnownPackage[], importers: Importer[], ctx: { workspaceGlobs?: string[]; nodeEngine: string }): { text: string; count: number } {
  const packages = buildPackageGraph({ rng: rng.fork('graph'), directs, target: o.lockfilePackages ?? DEFAULT_LOCKED_PACKAGES, salt: String(o.seed) });
  const graph: LockGraph = { importers, packages };
  return { text: writeLockfile(o.packageManager, graph, { license: 'UNLICENSED', workspaceGlobs: ctx.workspaceGlobs, nodeEngine: ctx.nodeEngine }), count: packages.length };
}

function buildService(o: RepoOptions): RepoModel {
  const rng = new Rng(`${String(o.seed)}`);
  const runner: TestRunner = rng.fork('runner').chance(0.7) ? 'vitest' : 'jest';
  const name = rng.fork('name').pick(SERVICE_NAMES);
  const nodeEngine = rng.fork('engine').pick(NODE_ENGINES);
  const deps = chooseDependencies(rng.fork('deps'), runner);
  const code = rng.fork('code');
  const port = code.pick([3000, 8080, 4000]);

  const imports: ModuleImports = {
    errors: '../../lib/errors',
    logger: '../../lib/logger',
    pagination: '../../lib/pagination',
    http: '../../lib/http',
    refService: (ref) => `../${ref.kebab}/${ref.kebab}.service`,
    testRunner: runner,
  };
  const files: Files = {
    'src/lib/errors.ts': errorsFile(),
    'src/lib/logger.ts': loggerFile(name),
    'src/lib/db.ts': dbFile(),
    'src/lib/http.ts': httpFile(),
    'src/lib/pagination.ts': paginationFile(),
    ...prefixed('src/middleware', middlewareFiles({ errors: '../lib/errors', logger: '../lib/logger' })),
    'src/server.ts': serverFile({ app: './app', env: './config/env', db: './lib/db', logger: './lib/logger' }),
    'src/index.ts': "import { start } from './server';\n\nvoid start();\n",
    'test/setup.ts': testSetupFile(runner),
    'test/helpers/db.ts': testDbHelperFile(),
    'knexfile.js': "'use strict';\n\nmodule.exports = {\n  client: 'pg',\n  connection: process.env.DATABASE_URL,\n  migrations: { directory: './migrations' },\n};\n",
    ...testRunnerConfig(runner, code),
  };

  const target = targetLoc(o.size);
  const entities: Entity[] = [];
  const names = entityNames(rng.fork('entities'), 400);
  const appLines = (n: number) => 50 + 3 * n;
  let loc = countLoc(files) + 40; // config/env.ts, written once the entities are known
  for (const kebab of names) {
    const entity = makeEntity(code, kebab, entities);
    const moduleDir = `src/modules/${entity.kebab}`;
    const candidate: Files = prefixed(moduleDir, moduleFiles(entity, imports, code));
    candidate[`migrations/${String(20240100000000 + entities.length * 100)}_create_${entity.table}.js`] = migrationFile(entity);
    if (entities.length % 3 === 1) candidate[`src/legacy/${entity.kebab}-export.js`] = legacyHelperFile(entity, code);
    if (entities.length % 4 === 0) candidate[`test/integration/${entity.kebab}.test.ts`] = integrationTestFile(entity, imports, `../../src/modules/${entity.kebab}`, '../helpers/db');
    const cost = countLoc(candidate);
    if (loc + cost + appLines(entities.length + 1) > target && entities.length > 0) break;
    Object.assign(files, candidate);
    entities.push(entity);
    loc += cost;
  }
  files['src/app.ts'] = appFile(entities, (e) => `./modules/${e.kebab}`, { middleware: (file) => `./middleware/${file}`, db: './lib/db' });
  files['src/config/env.ts'] = envFile(code, entities);
  loc = countLoc(files);
  for (let i = 0; loc < target - 20; i++) {
    const [utilName, source, test] = utilModule(code, i, runner);
    files[`src/utils/${utilName}.ts`] = source;
    if (loc + countLoc({ a: source, b: test }) <= target + 30) files[`src/utils/${utilName}.test.ts`] = test;
    loc = countLoc(files);
  }

  const importer: Importer = {
    path: '',
    name,
    version: '1.4.0',
    dependencies: rangesFor(deps.runtime.map((p) => p.name), deps.ranges),
    devDependencies: rangesFor(deps.tooling.map((p) => p.name), deps.ranges),
  };
  const cfg = rng.fork('configs');
  Object.assign(
    files,
    tsconfigFiles(cfg, { monorepo: false }),
    { '.eslintrc.json': eslintConfig(runner), Dockerfile: dockerfile(cfg, o.packageManager, { monorepo: false, port, seed: String(o.seed) }) },
    workflows(cfg, o.packageManager, { name, runner }),
    helmChart(cfg, name, port),
    miscFiles(cfg, o.packageManager, { name, monorepo: false, workspaceGlobs: [] }),
  );
  files['package.json'] = json(rootManifest({ name, pm: o.packageManager, runner, dependencies: importer.dependencies, devDependencies: importer.devDependencies, nodeEngine }));
  const lock = lockfileFor(o, rng, [...deps.runtime, ...deps.tooling], [importer], { nodeEngine });
  const lockfilePath = LOCKFILE_NAMES[o.packageManager];
  files[lockfilePath] = lock.text;
  return { files, name, runner, lockfilePath, lockedPackages: lock.count, workspaces: [] };
}

interface Workspace {
  dir: string;
  name: string;
  kind: 'infra' | 'domain' | 'app';
  files: Files;
  workspaceDeps: Set<string>;
  externalDeps: Set<string>;
  entities: Entity[];
}

const INFRA_PACKAGES = ['errors', 'logger', 'db', 'http', 'config', 'utils', 'testing'];
const DOMAIN_PACKAGES = [
  'accounts', 'billing', 'catalog', 'checkout', 'crm', 'documents', 'fulfilment', 'identity', 'inventory', 'ledger',
  'messaging', 'notifications', 'orders', 'payments', 'pricing', 'reporting', 'scheduling', 'search', 'shipping', 'support',
];
const APPS = ['api', 'admin-api', 'worker', 'webhooks', 'scheduler'];

function buildMonorepo(o: RepoOptions): RepoModel {
  const rng = new Rng(`${String(o.seed)}/monorepo`);
  const runner: TestRunner = rng.fork('runner').chance(0.7) ? 'vitest' : 'jest';
  const scope = `@${rng.fork('scope').pick(SCOPES)}`;
  const name = `${scope.slice(1)}-platform`;
  const nodeEngine = rng.fork('engine').pick(NODE_ENGINES);
  const deps = chooseDependencies(rng.fork('deps'), runner);
  const code = rng.fork('code');
  const pm = o.packageManager;
  const workspaceRange = pm === 'npm' || pm === 'yarn-classic' ? '*' : 'workspace:*';
  const globs = ['apps/*', 'packages/*'];

  const ws = new Map<string, Workspace>();
  const addWs = (dir: string, short: string, kind: Workspace['kind']): Workspace => {
    const w: Workspace = { dir, name: `${scope}/${short}`, kind, files: {}, workspaceDeps: new Set(), externalDeps: new Set(), entities: [] };
    ws.set(short, w);
    return w;
  };
  const pkgRef = (short: string) => `${scope}/${short}`;

  // Infrastructure packages: the shared plumbing every domain package imports by name.
  const infra = {
    errors: { 'src/index.ts': errorsFile() },
    logger: { 'src/index.ts': loggerFile(name) },
    db: { 'src/index.ts': dbFile() },
    http: { 'src/index.ts': httpFile(), ...prefixed('src/middleware', middlewareFiles({ errors: pkgRef('errors'), logger: pkgRef('logger') })) },
    config: { 'src/index.ts': envFile(code, []) },
    utils: { 'src/index.ts': `${paginationFile()}` },
    testing: { 'src/index.ts': testDbHelperFile() },
  } satisfies Record<string, Files>;
  const infraExternal: Record<string, string[]> = {
    errors: [],
    logger: ['pino'],
    db: ['knex', 'pg'],
    http: ['express', 'zod', 'jsonwebtoken'],
    config: ['dotenv', 'zod'],
    utils: [],
    testing: ['knex'],
  };
  for (const short of INFRA_PACKAGES) {
    const w = addWs(`packages/${short}`, short, 'infra');
    Object.assign(w.files, infra[short as keyof typeof infra]);
    for (const d of infraExternal[short]) w.externalDeps.add(d);
    if (short === 'http') {
      w.workspaceDeps.add('errors');
      w.workspaceDeps.add('logger');
    }
  }
  const domains = DOMAIN_PACKAGES.map((short) => {
    const w = addWs(`packages/${short}`, short, 'domain');
    for (const d of ['errors', 'logger', 'utils', 'http']) w.workspaceDeps.add(d);
    for (const d of ['express', 'knex', 'zod']) w.externalDeps.add(d);
    return w;
  });
  const apps = APPS.map((short) => {
    const w = addWs(`apps/${short}`, short, 'app');
    for (const d of ['config', 'db', 'http', 'logger']) w.workspaceDeps.add(d);
    for (const d of ['express', 'helmet', 'cors', 'compression', 'express-rate-limit', 'pino-http', 'knex']) w.externalDeps.add(d);
    return w;
  });
  // Each app serves a slice of the domains; the API serves them all.
  apps.forEach((app, i) => {
    const served = i === 0 ? domains : code.sample(domains, code.int(3, 8));
    for (const d of served) app.workspaceDeps.add(d.name.slice(scope.length + 1));
  });

  // Every workspace gets a utility module and a test first, so even a small repo has 30+ real packages.
  let utilIndex = 0;
  for (const w of ws.values()) {
    if (w.kind === 'app') continue;
    const [utilName, source, test] = utilModule(code, utilIndex++, runner);
    w.files[`src/${utilName}.ts`] = source;
    w.files[`src/${utilName}.test.ts`] = test;
  }

  const domainIndex = new Map(domains.map((d, i) => [d, i]));
  const entityHome = new Map<Entity, Workspace>();
  const importsFor = (w: Workspace): ModuleImports => ({
    errors: pkgRef('errors'),
    logger: pkgRef('logger'),
    pagination: pkgRef('utils'),
    http: pkgRef('http'),
    refService: (ref) => {
      const home = entityHome.get(ref)!;
      if (home === w) return `../${ref.kebab}/${ref.kebab}.service`;
      w.workspaceDeps.add(home.name.slice(scope.length + 1));
      return home.name;
    },
    testRunner: runner,
  });

  const fixedOverhead = () => [...ws.values()].reduce((sum, w) => sum + countLoc(w.files), 0) + apps.length * 60;
  const target = targetLoc(o.size);
  let loc = fixedOverhead();
  const names = entityNames(rng.fork('entities'), 400);
  const all: Entity[] = [];
  for (let k = 0; k < names.length; k++) {
    const home = domains[k % domains.length];
    const allowed = all.filter((e) => domainIndex.get(entityHome.get(e)!)! <= domainIndex.get(home)!);
    const entity = makeEntity(code, names[k], allowed);
    entityHome.set(entity, home);
    const before = new Set(home.workspaceDeps);
    const candidate = prefixed(`src/modules/${entity.kebab}`, moduleFiles(entity, importsFor(home), code));
    if (k % 3 === 1) candidate[`migrations/${String(20240100000000 + k * 100)}_create_${entity.table}.js`] = migrationFile(entity);
    if (k % 5 === 2) candidate[`src/legacy/${entity.kebab}-export.js`] = legacyHelperFile(entity, code);
    const cost = countLoc(candidate) + 8;
    if (loc + cost > target && all.length > 0) {
      entityHome.delete(entity);
      home.workspaceDeps.clear();
      for (const d of before) home.workspaceDeps.add(d);
      break;
    }
    Object.assign(home.files, candidate);
    home.entities.push(entity);
    all.push(entity);
    loc += cost;
  }

  for (const w of ws.values()) {
    if (w.kind === 'app') continue;
    const exportsList = [
      ...Object.keys(w.files)
        .filter((p) => /^src\/[^/]+\.ts$/.test(p) && p !== 'src/index.ts' && !/\.(test|spec)\.ts$/.test(p))
        .map((p) => `export * from './${p.slice(4, -3)}';`),
      ...w.entities.map((e) => `export * from './modules/${e.kebab}';`),
      ...Object.keys(w.files)
        .filter((p) => /^src\/middleware\/[^/]+\.ts$/.test(p))
        .map((p) => `export * from './${p.slice(4, -3)}';`),
    ].sort(byCodeUnit);
    if (w.files['src/index.ts']) w.files['src/index.ts'] += exportsList.length > 0 ? `\n${exportsList.join('\n')}\n` : '';
    else w.files['src/index.ts'] = `${exportsList.join('\n')}\n`;
  }
  for (const app of apps) {
    const served = domains.filter((d) => app.workspaceDeps.has(d.name.slice(scope.length + 1)));
    const entities = served.flatMap((d) => d.entities);
    app.files['src/app.ts'] = appFile(entities, (e) => entityHome.get(e)!.name, { middleware: () => pkgRef('http'), db: pkgRef('db') });
    app.files['src/server.ts'] = serverFile({ app: './app', env: pkgRef('config'), db: pkgRef('db'), logger: pkgRef('logger') });
    app.files['src/index.ts'] = "import { start } from './server';\n\nvoid start();\n";
    app.files['test/health.test.ts'] = [
      runner === 'vitest' ? "import { describe, expect, it } from 'vitest';\n" : '',
      "import request from 'supertest';",
      "import { createApp } from '../src/app';",
      '',
      "describe('health', () => {",
      "  it('answers /healthz without a database round-trip', async () => {",
      "    const app = createApp({ db: {} as never, jwtSecret: 'x'.repeat(32), corsOrigins: [], rateLimitPerMinute: 100 });",
      "    const res = await request(app).get('/healthz');",
      '    expect(res.status).toBe(200);',
      '  });',
      '});',
      '',
    ].join('\n');
  }

  // Hand the remaining runtime packages to the apps, so every declared dependency has a home.
  const placed = new Set([...ws.values()].flatMap((w) => [...w.externalDeps]));
  const leftovers = deps.runtime.map((p) => p.name).filter((n) => !placed.has(n));
  leftovers.forEach((n, i) => apps[i % apps.length].externalDeps.add(n));
  const appDevDeps = ['supertest', '@types/supertest', '@types/express', '@types/cors', '@types/compression'].filter((n) => deps.ranges.has(n));

  const files: Files = {};
  const importers: Importer[] = [];
  const rootDev = rangesFor(
    deps.tooling.map((p) => p.name).filter((n) => !appDevDeps.includes(n) || n === '@types/express'),
    deps.ranges,
  );
  importers.push({ path: '', name, version: '0.0.0', dependencies: {}, devDependencies: rootDev });
  for (const w of [...ws.values()].sort((a, b) => byCodeUnit(a.dir, b.dir))) {
    const dependencies: Record<string, string> = {};
    for (const d of [...w.workspaceDeps].sort(byCodeUnit)) dependencies[pkgRef(d)] = workspaceRange;
    Object.assign(dependencies, rangesFor([...w.externalDeps], deps.ranges));
    const sortedDeps = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => byCodeUnit(a, b)));
    const devDependencies = w.kind === 'app' ? rangesFor(appDevDeps.filter((n) => n !== '@types/express'), deps.ranges) : {};
    const version = `0.${code.int(1, 9)}.${code.int(0, 20)}`;
    importers.push({ path: w.dir, name: w.name, version, dependencies: sortedDeps, devDependencies });
    Object.assign(files, prefixed(w.dir, w.files));
    files[`${w.dir}/package.json`] = json(workspaceManifest({ name: w.name, version, app: w.kind === 'app', runner, dependencies: sortedDeps, devDependencies }));
    files[`${w.dir}/tsconfig.json`] = workspaceTsconfig();
  }
  files['test/setup.ts'] = testSetupFile(runner);

  const cfg = rng.fork('configs');
  Object.assign(
    files,
    tsconfigFiles(cfg, { monorepo: true }),
    testRunnerConfig(runner, cfg),
    { '.eslintrc.json': eslintConfig(runner), Dockerfile: dockerfile(cfg, pm, { monorepo: true, port: 8080, seed: String(o.seed) }) },
    workflows(cfg, pm, { name, runner }),
    helmChart(cfg, name, 8080),
    miscFiles(cfg, pm, { name, monorepo: true, workspaceGlobs: globs }),
  );
  if (runner === 'vitest') {
    files['vitest.config.ts'] = files['vitest.config.ts']
      .replace("['src/**/*.{test,spec}.ts', 'test/**/*.test.ts']", "['{apps,packages}/*/src/**/*.{test,spec}.ts', '{apps,packages}/*/test/**/*.test.ts']")
      .replace("include: ['src/**/*.ts']", "include: ['{apps,packages}/*/src/**/*.ts']")
      .replace("exclude: ['src/**/*.test.ts', 'src/**/*.spec.ts']", "exclude: ['**/*.test.ts', '**/*.spec.ts']");
  } else {
    files['jest.config.js'] = files['jest.config.js']
      .replace("roots: ['<rootDir>/src', '<rootDir>/test']", "roots: ['<rootDir>/apps', '<rootDir>/packages']")
      .replace("tsconfig: 'tsconfig.test.json'", "tsconfig: 'tsconfig.base.json'");
  }
  files['package.json'] = json(rootManifest({ name, pm, runner, dependencies: {}, devDependencies: rootDev, workspaces: globs, nodeEngine }));
  const used = new Set(importers.flatMap((i) => [...Object.keys(i.dependencies), ...Object.keys(i.devDependencies)]).filter((n) => deps.ranges.has(n)));
  const directs = [...deps.runtime, ...deps.tooling].filter((p) => used.has(p.name));
  const lock = lockfileFor(o, rng, directs, importers, { workspaceGlobs: pm === 'pnpm' ? undefined : globs, nodeEngine });
  const lockfilePath = LOCKFILE_NAMES[pm];
  files[lockfilePath] = lock.text;
  return { files, name, runner, lockfilePath, lockedPackages: lock.count, workspaces: importers.filter((i) => i.path !== '').map((i) => i.path) };
}

export function buildRepository(options: RepoOptions): RepoModel {
  return options.variant === 'monorepo' ? buildMonorepo(options) : buildService(options);
}
