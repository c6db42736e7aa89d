/**
 * Generates a deterministic JavaScript/TypeScript monorepo for the scan bench: services,
 * repositories, controllers, React components, hooks, tests, legacy CommonJS modules, scripts
 * and configs, written the way such code usually is (imports, async/await, JSON.parse, timers,
 * parameterised SQL...). A small share of files carries a rule trigger. The same seed and size
 * always give the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** mulberry32: tiny, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['invoice', 'customer', 'order', 'payment', 'shipment', 'account', 'product', 'cart', 'report', 'team', 'project', 'ticket', 'subscription', 'coupon', 'warehouse', 'supplier', 'refund', 'ledger', 'notification', 'audit', 'document', 'catalog', 'region', 'tenant'];
const VERBS = ['create', 'update', 'find', 'list', 'remove', 'sync', 'validate', 'format', 'compute', 'load', 'save', 'archive', 'publish', 'reconcile'];
const PACKAGES = ['billing', 'orders', 'catalog', 'identity', 'shipping', 'analytics', 'notifications', 'web', 'admin', 'shared', 'gateway', 'workers'];

/** One trigger per line of concern; each is what the matching rule is about. */
const TRIGGERS: string[] = [
  'export function evaluateFormula(expr: string): number {\n  return eval(expr);\n}\n',
  "import { exec } from 'node:child_process';\nexport function archive(dir: string) {\n  exec(`tar czf /tmp/backup.tgz ${dir}`);\n}\n",
  'export const decode = (b64: string) => new Buffer(b64, \'base64\').toString();\n',
  "import url from 'url';\nexport const hostOf = (u: string) => url.parse(u).hostname;\n",
  'export const agentOptions = { keepAlive: true, rejectUnauthorized: false };\n',
  "export const smtp = { host: 'smtp.internal', user: 'mailer', password: 'Sup3rS3cretMail!' };\n",
  'export function newResetToken() {\n  return Math.random().toString(36).slice(2);\n}\n',
  "import _ from 'lodash';\nexport const withDefaults = (cfg: object, defaults: object) => _.merge({}, defaults, cfg);\n",
  'export async function findByEmail(db: { query(sql: string): Promise<unknown> }, email: string) {\n  return db.query(`SELECT * FROM users WHERE email = \'${email}\'`);\n}\n',
  "import crypto from 'crypto';\nexport const etag = (body: string) => crypto.createHash('md5').update(body).digest('hex');\n",
  'export async function loadPlugin(name: string) {\n  return import(`./plugins/${name}.js`);\n}\n',
  "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\n",
  'export const compile = (src: string) => new Function(\'ctx\', src);\n',
  "import vm from 'node:vm';\nexport const run = (code: string) => vm.runInNewContext(code, {});\n",
  'export const isList = (v: unknown) => util.isArray(v);\n',
];

interface Gen {
  r: () => number;
  pick<T>(xs: readonly T[]): T;
  int(lo: number, hi: number): number;
}

function gen(seed: number): Gen {
  const r = rng(seed);
  return {
    r,
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
  };
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

function fields(g: Gen, noun: string): string[] {
  const all = ['id: string', 'createdAt: Date', 'updatedAt: Date', `${noun}Number: string`, 'status: Status', 'amount: number', 'currency: string', 'ownerId: string', 'notes?: string', 'tags: string[]', 'version: number'];
  return all.slice(0, g.int(4, all.length));
}

function method(g: Gen, noun: string, verb: string, typed: boolean, retries: boolean): string {
  const T = cap(noun);
  const arg = typed ? `input: ${T}Input` : 'input';
  const ret = typed ? `: Promise<${T}>` : '';
  const body = [
    `    const started = Date.now();`,
    `    this.logger.debug({ ${noun}Id: input.id }, '${verb} ${noun}');`,
    g.r() < 0.3 ? `    const cached = await this.cache.get(\`${noun}:\${input.id}\`);\n    if (cached) return JSON.parse(cached);` : `    if (!input.id) throw new Error('${noun} id is required');`,
    `    const existing = await this.repository.findById(input.id);`,
    g.r() < 0.5 ? `    const next = { ...existing, ...input, updatedAt: new Date() };` : `    const next = Object.assign({}, existing, input, { version: (existing?.version ?? 0) + 1 });`,
    retries && g.r() < 0.5 ? `    await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));` : `    this.metrics.observe('${noun}_${verb}_ms', Date.now() - started);`,
    `    await this.repository.save(next);`,
    `    this.events.emit('${noun}.${verb}d', { id: next.id });`,
    `    return next;`,
  ];
  return `  async ${verb}${T}(${arg})${ret} {\n${body.join('\n')}\n  }\n`;
}

function tsService(g: Gen, noun: string): string {
  const T = cap(noun);
  const imports = [
    `import { Injectable } from '@acme/di';`,
    `import type { Logger } from '@acme/logging';`,
    `import { ${T}Repository } from '../repositories/${noun}-repository';`,
    `import type { ${T}, ${T}Input } from '../models/${noun}';`,
    `import { EventBus } from '../events/event-bus';`,
    g.r() < 0.5 ? `import { z } from 'zod';` : `import { formatISO } from 'date-fns';`,
  ];
  // A minority of services back off between retries with a timer.
  const retries = g.r() < 0.15;
  const methods = Array.from({ length: g.int(3, 7) }, () => method(g, noun, g.pick(VERBS), true, retries)).join('\n');
  return `${imports.join('\n')}

const ${T}Schema = { required: ['id', 'status'] as const };

/** Application service for ${noun}s: validation, caching and domain events. */
@Injectable()
export class ${T}Service {
  private readonly retryDelayMs = ${g.int(50, 500)};

  constructor(
    private readonly repository: ${T}Repository,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly cache: { get(key: string): Promise<string | null> },
    private readonly metrics: { observe(name: string, value: number): void },
  ) {}

${methods}
  describe(item: ${T}): string {
    return \`${noun} \${item.id} (\${${T}Schema.required.join(', ')})\`;
  }
}
`;
}

function tsRepository(g: Gen, noun: string): string {
  const T = cap(noun);
  const table = `${noun}s`;
  return `import type { Pool } from 'pg';
import type { ${T} } from '../models/${noun}';

const COLUMNS = 'id, status, amount, currency, owner_id, created_at, updated_at';

export class ${T}Repository {
  constructor(private readonly pool: Pool) {}

  async findById(id: string): Promise<${T} | undefined> {
    const { rows } = await this.pool.query(\`SELECT \${COLUMNS} FROM ${table} WHERE id = $1\`, [id]);
    return rows[0] as ${T} | undefined;
  }

  async listByOwner(ownerId: string, limit = ${g.int(20, 200)}): Promise<${T}[]> {
    const { rows } = await this.pool.query('SELECT ' + COLUMNS + ' FROM ${table} WHERE owner_id = $1 ORDER BY created_at DESC LIMIT $2', [ownerId, limit]);
    return rows as ${T}[];
  }

  async save(item: ${T}): Promise<void> {
    await this.pool.query(
      'INSERT INTO ${table} (id, status, amount, currency, owner_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status',
      [item.id, item.status, item.amount, item.currency, item.ownerId],
    );
  }
}
`;
}

function tsModel(g: Gen, noun: string): string {
  const T = cap(noun);
  return `export type Status = 'draft' | 'active' | 'suspended' | 'closed';

export interface ${T} {
${fields(g, noun).map((f) => `  ${f};`).join('\n')}
}

export type ${T}Input = Partial<${T}> & { id: string };

export const ${noun.toUpperCase()}_STATUSES: readonly Status[] = ['draft', 'active', 'suspended', 'closed'];

export function is${T}(value: unknown): value is ${T} {
  return typeof value === 'object' && value !== null && 'id' in value && 'status' in value;
}
`;
}

function tsController(g: Gen, noun: string): string {
  const T = cap(noun);
  return `import { Router, type Request, type Response } from 'express';
import { ${T}Service } from '../services/${noun}-service';

export function ${noun}Routes(service: ${T}Service): Router {
  const router = Router();

  router.get('/${noun}s/:id', async (req: Request, res: Response) => {
    const item = await service.find${T}({ id: req.params.id });
    if (!item) return res.status(404).json({ error: 'not found' });
    res.json(item);
  });

  router.post('/${noun}s', async (req: Request, res: Response) => {
    const body = typeof req.body === 'string' ? JSON.parse(req.body) : req.body;
    const created = await service.create${T}(body);
    res.status(201).json(created);
  });

  router.delete('/${noun}s/:id', async (req: Request, res: Response) => {
    await service.remove${T}({ id: req.params.id });
    res.sendStatus(${g.pick([200, 204])});
  });

  return router;
}
`;
}

function tsUtil(g: Gen, noun: string): string {
  const n = g.int(3, 8);
  const fns = Array.from({ length: n }, (_, i) => {
    const name = `${g.pick(VERBS)}${cap(noun)}${cap(g.pick(['key', 'label', 'total', 'range', 'slug', 'path', 'amount']))}${i}`;
    const kind = g.int(0, 3);
    if (kind === 0) return `export function ${name}(parts: string[]): string {\n  return parts.map((p) => p.trim().toLowerCase()).filter(Boolean).join('-');\n}\n`;
    if (kind === 1) return `export function ${name}(values: number[]): number {\n  let total = 0;\n  for (const v of values) total += Number.isFinite(v) ? v : 0;\n  return Math.round(total * 100) / 100;\n}\n`;
    if (kind === 2) return `export const ${name} = (from: Date, to: Date): number =>\n  Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 86_400_000));\n`;
    return `export async function ${name}<T>(items: T[], size = ${g.int(5, 50)}): Promise<T[][]> {\n  const out: T[][] = [];\n  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));\n  return Promise.resolve(out);\n}\n`;
  });
  return `/** Small helpers around ${noun}s. */\n\n${fns.join('\n')}`;
}

function tsxComponent(g: Gen, noun: string): string {
  const T = cap(noun);
  const lazy = g.r() < 0.15;
  return `import { useEffect, useMemo, useState${lazy ? ', lazy, Suspense' : ''} } from 'react';
import type { ${T} } from '../models/${noun}';
import { use${T}s } from '../hooks/use-${noun}s';
${lazy ? `\nconst ${T}Chart = lazy(() => import('./${noun}-chart'));\n` : ''}
interface Props {
  ownerId: string;
  pageSize?: number;
  onSelect?: (item: ${T}) => void;
}

export function ${T}List({ ownerId, pageSize = ${g.int(10, 50)}, onSelect }: Props) {
  const { items, loading, error } = use${T}s(ownerId);
  const [page, setPage] = useState(0);
  const [query, setQuery] = useState('');
  const visible = useMemo(
    () => items.filter((i) => i.id.includes(query)).slice(page * pageSize, (page + 1) * pageSize),
    [items, query, page, pageSize],
  );
  useEffect(() => setPage(0), [query]);

  if (error) return <p role="alert">Could not load ${noun}s: {error.message}</p>;
  return (
    <section className="${noun}-list">
      <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search ${noun}s" />
      {loading ? <p>Loading…</p> : (
        <ul>
          {visible.map((item) => (
            <li key={item.id} onClick={() => onSelect?.(item)}>
              <strong>{item.id}</strong> <span>{item.status}</span>
            </li>
          ))}
        </ul>
      )}${lazy ? `\n      <Suspense fallback={null}><${T}Chart items={visible} /></Suspense>` : ''}
      <button disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
      <button onClick={() => setPage(page + 1)}>Next</button>
    </section>
  );
}
`;
}

function tsHook(g: Gen, noun: string): string {
  const T = cap(noun);
  return `import { useEffect, useState } from 'react';
import type { ${T} } from '../models/${noun}';

export function use${T}s(ownerId: string) {
  const [items, setItems] = useState<${T}[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let cancelled = false;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ${g.int(2, 15) * 1000});
    fetch(\`/api/${noun}s?owner=\${encodeURIComponent(ownerId)}\`, { signal: controller.signal })
      .then((r) => r.json())
      .then((data: ${T}[]) => !cancelled && setItems(data))
      .catch((e: Error) => !cancelled && setError(e))
      .finally(() => {
        clearTimeout(timer);
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [ownerId]);
  return { items, loading, error };
}
`;
}

function tsTest(g: Gen, noun: string): string {
  const T = cap(noun);
  const cases = Array.from({ length: g.int(2, 6) }, (_, i) => `  it('${g.pick(VERBS)}s a ${noun} (${i})', async () => {
    const repo = { findById: vi.fn().mockResolvedValue({ id: 'a${i}', status: 'active' }), save: vi.fn() };
    const service = new ${T}Service(repo as never, { emit: vi.fn() } as never, console as never, { get: async () => null }, { observe: () => {} });
    const result = await service.update${T}({ id: 'a${i}', status: 'closed' } as never);
    expect(result.status).toBe('closed');
    expect(repo.save).toHaveBeenCalledTimes(1);
  });`);
  return `import { describe, expect, it, vi } from 'vitest';
import { ${T}Service } from '../src/services/${noun}-service';

describe('${T}Service', () => {
${cases.join('\n\n')}
});
`;
}

function cjsModule(g: Gen, noun: string): string {
  const T = cap(noun);
  return `'use strict';

const path = require('path');
const fs = require('fs');
const { promisify } = require('util');
const ${g.pick(['axios', 'got', 'superagent'])} = require('${g.pick(['axios', 'superagent', 'node-fetch-commonjs'])}');

const readFile = promisify(fs.readFile);
const DATA_DIR = path.join(__dirname, '..', 'data', '${noun}s');

/** Legacy ${noun} loader kept for the nightly export job. */
async function load${T}(id) {
  const raw = await readFile(path.join(DATA_DIR, id + '.json'), 'utf8');
  const item = JSON.parse(raw);
  if (!item.id) throw new Error('corrupt ${noun} file: ' + id);
  return item;
}

function summarize${T}s(items) {
  return items.reduce(function (acc, item) {
    acc[item.status] = (acc[item.status] || 0) + 1;
    return acc;
  }, {});
}

module.exports = { load${T}, summarize${T}s };
`;
}

function esmScript(g: Gen, noun: string): string {
  return `#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

async function main() {
  const input = JSON.parse(await readFile(join(root, 'data', '${noun}s.json'), 'utf8'));
  const rows = input.map((r) => [r.id, r.status, r.amount ?? 0].join(','));
  await writeFile(join(root, 'out', '${noun}s.csv'), ['id,status,amount', ...rows].join('\\n'));
  console.log(\`wrote \${rows.length} ${noun}s\`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = ${g.int(1, 3)};
});
`;
}

function cjsConfig(g: Gen, noun: string): string {
  return `/** @type {import('jest').Config} */
module.exports = {
  displayName: '${noun}',
  testEnvironment: '${g.pick(['node', 'jsdom'])}',
  transform: { '^.+\\\\.tsx?$': ['ts-jest', { isolatedModules: true }] },
  coverageThreshold: { global: { lines: ${g.int(60, 90)} } },
};
`;
}

function minifiedBundle(g: Gen): string {
  const parts = Array.from({ length: 300 }, (_, i) => `function a${i}(n){return n*${g.int(2, 9)}+${i}}`);
  return `!function(){${parts.join(';')};window.acme={run:function(x){return a1(x)}}}();\n`;
}

function generatedClient(noun: string): string {
  return `// @generated by openapi-typescript. DO NOT EDIT.\nexport interface paths {\n  '/${noun}s/{id}': { get: { parameters: { path: { id: string } } } };\n}\n`;
}

export interface GeneratedRepo {
  files: Record<string, string>;
  /** Paths that carry a rule trigger. */
  triggered: string[];
}

/** `count` JavaScript/TypeScript files (exactly) plus a root package.json; deterministic for a seed. */
export function generateRepo(count = 5000, seed = 20260101): GeneratedRepo {
  const g = gen(seed);
  const files: Record<string, string> = {};
  const triggered: string[] = [];
  const kinds: Array<[number, string]> = [
    [0.2, 'service'], [0.08, 'repository'], [0.12, 'model'], [0.08, 'controller'], [0.12, 'util'],
    [0.13, 'component'], [0.05, 'hook'], [0.12, 'test'], [0.04, 'cjs'], [0.03, 'script'], [0.02, 'config'],
    [0.005, 'minified'], [0.005, 'generated'],
  ];
  const total = kinds.reduce((s, [w]) => s + w, 0);
  let i = 0;
  while (Object.keys(files).length < count) {
    i++;
    const pkg = g.pick(PACKAGES);
    const noun = g.pick(NOUNS);
    let x = g.r() * total;
    const kind = kinds.find(([w]) => (x -= w) < 0)?.[1] ?? 'util';
    let path: string;
    let text: string;
    switch (kind) {
      case 'service': path = `packages/${pkg}/src/services/${noun}-service-${i}.ts`; text = tsService(g, noun); break;
      case 'repository': path = `packages/${pkg}/src/repositories/${noun}-repository-${i}.ts`; text = tsRepository(g, noun); break;
      case 'model': path = `packages/${pkg}/src/models/${noun}-${i}.ts`; text = tsModel(g, noun); break;
      case 'controller': path = `packages/${pkg}/src/routes/${noun}-routes-${i}.ts`; text = tsController(g, noun); break;
      case 'component': path = `packages/${pkg}/src/components/${cap(noun)}List${i}.tsx`; text = tsxComponent(g, noun); break;
      case 'hook': path = `packages/${pkg}/src/hooks/use-${noun}s-${i}.ts`; text = tsHook(g, noun); break;
      case 'test': path = `packages/${pkg}/test/${noun}-service-${i}.test.ts`; text = tsTest(g, noun); break;
      case 'cjs': path = `packages/${pkg}/lib/legacy/${noun}-loader-${i}.js`; text = cjsModule(g, noun); break;
      case 'script': path = `packages/${pkg}/scripts/export-${noun}s-${i}.mjs`; text = esmScript(g, noun); break;
      case 'config': path = `packages/${pkg}/jest.config.${i}.cjs`; text = cjsConfig(g, noun); break;
      case 'minified': path = `packages/${pkg}/public/vendor/widgets-${i}.min.js`; text = minifiedBundle(g); break;
      case 'generated': path = `packages/${pkg}/src/generated/${noun}-api-${i}.ts`; text = generatedClient(noun); break;
      default: path = `packages/${pkg}/src/utils/${noun}-${i}.ts`; text = tsUtil(g, noun);
    }
    // About 3 % of hand-written TypeScript files carry one of the triggers.
    if (path.endsWith('.ts') && kind !== 'generated' && kind !== 'test' && g.r() < 0.03) {
      text += `\n${TRIGGERS[triggered.length % TRIGGERS.length]}`;
      triggered.push(path);
    }
    files[path] = text;
  }
  files['package.json'] = JSON.stringify({ name: 'acme-platform', private: true, workspaces: ['packages/*'] }, null, 2);
  return { files, triggered };
}

export function writeRepo(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}
