/**
 * The files of one entity module: types, zod schema, knex repository, service, express routes,
 * a unit test beside the service (`*.test.ts`), a route spec (`*.spec.ts`) and a knex migration
 * in JavaScript. The code is meant to read like a real service's, not to be compiled here.
 */
import type { TestRunner } from '../known-packages';
import type { Rng } from '../prng';
import type { Entity, Field } from './entities';

export interface ModuleImports {
  errors: string;
  logger: string;
  pagination: string;
  http: string;
  /** Where the service of a referenced entity is imported from. */
  refService: (ref: Entity) => string;
  testRunner: TestRunner;
}

export type Files = Record<string, string>;

const lines = (...parts: Array<string | string[] | false | undefined>) =>
  `${parts
    .flat()
    .filter((p): p is string => typeof p === 'string')
    .join('\n')}\n`;

function tsType(entity: Entity, field: Field): string {
  if (field.type === 'enum') return `${entity.pascal}${field.name[0].toUpperCase()}${field.name.slice(1)}`;
  return field.type;
}

const refField = (ref: Entity) => `${ref.camel}Id`;
const refColumn = (ref: Entity) => `${ref.table.replace(/s$/, '')}_id`;

function typesFile(e: Entity): string {
  const enums = e.fields.filter((f) => f.type === 'enum');
  return lines(
    `export type ${e.pascal}Status = ${e.statusValues.map((v) => `'${v}'`).join(' | ')};`,
    enums.map((f) => `export type ${tsType(e, f)} = ${f.values!.map((v) => `'${v}'`).join(' | ')};`),
    '',
    `export interface ${e.pascal} {`,
    '  id: string;',
    `  status: ${e.pascal}Status;`,
    e.refs.map((r) => `  ${refField(r)}: string;`),
    e.fields.map((f) => `  ${f.name}${f.optional ? '?' : ''}: ${tsType(e, f)}${f.optional ? ' | null' : ''};`),
    '  createdAt: Date;',
    '  updatedAt: Date;',
    '}',
    '',
    `export interface Create${e.pascal}Input {`,
    e.refs.map((r) => `  ${refField(r)}: string;`),
    e.fields.map((f) => `  ${f.name}${f.optional ? '?' : ''}: ${tsType(e, f)};`),
    '}',
    '',
    `export type Update${e.pascal}Input = Partial<Create${e.pascal}Input> & { status?: ${e.pascal}Status };`,
    '',
    `export interface ${e.pascal}ListQuery {`,
    '  limit?: number;',
    '  cursor?: string;',
    `  status?: ${e.pascal}Status;`,
    e.refs.slice(0, 1).map((r) => `  ${refField(r)}?: string;`),
    '}',
    '',
    `export interface ${e.pascal}Page {`,
    `  items: ${e.pascal}[];`,
    '  nextCursor: string | null;',
    '}',
  );
}

function zodFor(e: Entity, f: Field): string {
  switch (f.type) {
    case 'string':
      return f.name === 'email' ? `z.string().email().max(${f.max})` : f.name === 'url' ? `z.string().url().max(${f.max})` : `z.string().trim().min(1).max(${f.max})`;
    case 'number':
      return `z.number().int().min(0).max(${f.max})`;
    case 'boolean':
      return 'z.boolean()';
    case 'Date':
      return 'z.coerce.date()';
    case 'enum':
      return `z.enum([${f.values!.map((v) => `'${v}'`).join(', ')}])`;
  }
}

function schemaFile(e: Entity): string {
  return lines(
    "import { z } from 'zod';",
    '',
    `export const ${e.camel}StatusSchema = z.enum([${e.statusValues.map((v) => `'${v}'`).join(', ')}]);`,
    '',
    `export const create${e.pascal}Schema = z.object({`,
    e.refs.map((r) => `  ${refField(r)}: z.string().uuid(),`),
    e.fields.map((f) => `  ${f.name}: ${zodFor(e, f)}${f.optional ? '.optional()' : ''},`),
    '});',
    '',
    `export const update${e.pascal}Schema = create${e.pascal}Schema.partial().extend({`,
    `  status: ${e.camel}StatusSchema.optional(),`,
    '});',
    '',
    `export const ${e.camel}ListQuerySchema = z.object({`,
    '  limit: z.coerce.number().int().min(1).max(100).default(25),',
    '  cursor: z.string().max(200).optional(),',
    `  status: ${e.camel}StatusSchema.optional(),`,
    e.refs.slice(0, 1).map((r) => `  ${refField(r)}: z.string().uuid().optional(),`),
    '});',
    '',
    `export type Create${e.pascal}Body = z.infer<typeof create${e.pascal}Schema>;`,
    `export type Update${e.pascal}Body = z.infer<typeof update${e.pascal}Schema>;`,
  );
}

function repositoryFile(e: Entity, imp: ModuleImports, rng: Rng): string {
  const cols = [...e.refs.map((r) => ({ prop: refField(r), column: refColumn(r), optional: false })), ...e.fields.map((f) => ({ prop: f.name, column: f.column, optional: f.optional }))];
  const enumField = e.fields.find((f) => f.type === 'enum');
  const numberField = e.fields.find((f) => f.type === 'number');
  return lines(
    "import type { Knex } from 'knex';",
    `import { NotFoundError, ConflictError } from '${imp.errors}';`,
    `import { decodeCursor, encodeCursor } from '${imp.pagination}';`,
    `import type { ${e.pascal}, ${e.pascal}ListQuery, ${e.pascal}Page, Create${e.pascal}Input, Update${e.pascal}Input } from './${e.kebab}.types';`,
    '',
    `const TABLE = '${e.table}';`,
    `const DEFAULT_PAGE_SIZE = ${rng.pick([20, 25, 50])};`,
    `const MAX_PAGE_SIZE = ${rng.pick([100, 200])};`,
    '',
    `interface ${e.pascal}Row {`,
    '  id: string;',
    '  status: string;',
    cols.map((c) => `  ${c.column}: ${c.optional ? 'unknown | null' : 'unknown'};`),
    '  created_at: Date;',
    '  updated_at: Date;',
    '}',
    '',
    `function toEntity(row: ${e.pascal}Row): ${e.pascal} {`,
    '  return {',
    '    id: row.id,',
    `    status: row.status as ${e.pascal}['status'],`,
    cols.map((c) => `    ${c.prop}: row.${c.column} as ${e.pascal}['${c.prop}'],`),
    '    createdAt: row.created_at,',
    '    updatedAt: row.updated_at,',
    '  };',
    '}',
    '',
    `function toRow(input: Update${e.pascal}Input): Partial<${e.pascal}Row> {`,
    `  const row: Partial<${e.pascal}Row> = {};`,
    "  if (input.status !== undefined) row.status = input.status;",
    cols.map((c) => `  if (input.${c.prop} !== undefined) row.${c.column} = input.${c.prop};`),
    '  return row;',
    '}',
    '',
    `export class ${e.pascal}Repository {`,
    '  constructor(private readonly db: Knex) {}',
    '',
    `  async findById(id: string): Promise<${e.pascal} | null> {`,
    `    const row = await this.db<${e.pascal}Row>(TABLE).where({ id }).first();`,
    '    return row ? toEntity(row) : null;',
    '  }',
    '',
    `  async getById(id: string): Promise<${e.pascal}> {`,
    '    const found = await this.findById(id);',
    `    if (!found) throw new NotFoundError('${e.kebab}', id);`,
    '    return found;',
    '  }',
    '',
    `  async list(query: ${e.pascal}ListQuery = {}): Promise<${e.pascal}Page> {`,
    '    const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);',
    `    const builder = this.db<${e.pascal}Row>(TABLE).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1);`,
    '    if (query.status) builder.where({ status: query.status });',
    e.refs.slice(0, 1).map((r) => `    if (query.${refField(r)}) builder.where({ ${refColumn(r)}: query.${refField(r)} });`),
    '    if (query.cursor) {',
    '      const { createdAt, id } = decodeCursor(query.cursor);',
    "      builder.where((qb) => qb.where('created_at', '<', createdAt).orWhere((inner) => inner.where('created_at', '=', createdAt).andWhere('id', '<', id)));",
    '    }',
    '    const rows = await builder;',
    '    const items = rows.slice(0, limit).map(toEntity);',
    '    const last = items[items.length - 1];',
    '    return { items, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };',
    '  }',
    '',
    `  async create(input: Create${e.pascal}Input): Promise<${e.pascal}> {`,
    '    try {',
    `      const [row] = await this.db<${e.pascal}Row>(TABLE).insert({ ...toRow(input), status: '${e.statusValues[0]}' }).returning('*');`,
    '      return toEntity(row);',
    '    } catch (error) {',
    "      if ((error as { code?: string }).code === '23505') {",
    `        throw new ConflictError('${e.kebab} already exists');`,
    '      }',
    '      throw error;',
    '    }',
    '  }',
    '',
    `  async update(id: string, input: Update${e.pascal}Input): Promise<${e.pascal}> {`,
    `    const [row] = await this.db<${e.pascal}Row>(TABLE)`,
    '      .where({ id })',
    '      .update({ ...toRow(input), updated_at: this.db.fn.now() } as never)',
    "      .returning('*');",
    `    if (!row) throw new NotFoundError('${e.kebab}', id);`,
    '    return toEntity(row);',
    '  }',
    '',
    '  async remove(id: string): Promise<void> {',
    `    const deleted = await this.db<${e.pascal}Row>(TABLE).where({ id }).delete();`,
    `    if (deleted === 0) throw new NotFoundError('${e.kebab}', id);`,
    '  }',
    '',
    '  async countByStatus(): Promise<Record<string, number>> {',
    `    const rows = await this.db<${e.pascal}Row>(TABLE).select('status').count<{ status: string; count: string }[]>('id as count').groupBy('status');`,
    '    const counts: Record<string, number> = {};',
    '    for (const row of rows) counts[row.status] = Number(row.count);',
    '    return counts;',
    '  }',
    enumField && [
      '',
      `  async listBy${enumField.name[0].toUpperCase()}${enumField.name.slice(1)}(value: ${tsType(e, enumField)}, limit = ${rng.pick([10, 20, 50])}): Promise<${e.pascal}[]> {`,
      `    const rows = await this.db<${e.pascal}Row>(TABLE).where({ ${enumField.column}: value }).limit(limit);`,
      '    return rows.map(toEntity);',
      '  }',
    ],
    numberField && [
      '',
      `  async sum${numberField.name[0].toUpperCase()}${numberField.name.slice(1)}(status?: ${e.pascal}['status']): Promise<number> {`,
      `    const builder = this.db<${e.pascal}Row>(TABLE).sum<{ total: string | null }>('${numberField.column} as total');`,
      '    if (status) builder.where({ status });',
      '    const result = await builder.first();',
      '    return Number(result?.total ?? 0);',
      '  }',
    ],
    '}',
  );
}

function serviceFile(e: Entity, imp: ModuleImports, rng: Rng): string {
  const numberField = e.fields.find((f) => f.type === 'number');
  const dateFields = e.fields.filter((f) => f.type === 'Date');
  const threshold = rng.pick([100, 500, 1000, 5000]);
  return lines(
    `import { ValidationError } from '${imp.errors}';`,
    `import { logger } from '${imp.logger}';`,
    `import type { ${e.pascal}Repository } from './${e.kebab}.repository';`,
    `import type { ${e.pascal}, ${e.pascal}ListQuery, ${e.pascal}Page, Create${e.pascal}Input, Update${e.pascal}Input } from './${e.kebab}.types';`,
    e.refs.map((r) => `import type { ${r.pascal}Service } from '${imp.refService(r)}';`),
    '',
    `const log = logger.child({ module: '${e.kebab}' });`,
    '',
    `const TRANSITIONS: Record<${e.pascal}['status'], ReadonlyArray<${e.pascal}['status']>> = {`,
    e.statusValues.map((s, i) => `  ${s}: [${e.statusValues
      .slice(i + 1)
      .map((t) => `'${t}'`)
      .join(', ')}],`),
    '};',
    '',
    `export interface ${e.pascal}Summary {`,
    '  total: number;',
    '  byStatus: Record<string, number>;',
    numberField && `  ${numberField.name}Total: number;`,
    '}',
    '',
    `export class ${e.pascal}Service {`,
    '  constructor(',
    `    private readonly repository: ${e.pascal}Repository,`,
    e.refs.map((r) => `    private readonly ${r.plural}: ${r.pascal}Service,`),
    '  ) {}',
    '',
    `  async get(id: string): Promise<${e.pascal}> {`,
    '    return this.repository.getById(id);',
    '  }',
    '',
    `  async list(query: ${e.pascal}ListQuery): Promise<${e.pascal}Page> {`,
    '    return this.repository.list(query);',
    '  }',
    '',
    `  async create(input: Create${e.pascal}Input): Promise<${e.pascal}> {`,
    e.refs.map((r) => `    await this.${r.plural}.get(input.${refField(r)});`),
    numberField && [
      `    if (input.${numberField.name} !== undefined && input.${numberField.name} > ${threshold * 10}) {`,
      `      throw new ValidationError('${numberField.name} is above the allowed maximum');`,
      '    }',
    ],
    dateFields.length >= 2 && [
      `    if (input.${dateFields[0].name} && input.${dateFields[1].name} && input.${dateFields[1].name} < input.${dateFields[0].name}) {`,
      `      throw new ValidationError('${dateFields[1].name} must come after ${dateFields[0].name}');`,
      '    }',
    ],
    '    const created = await this.repository.create(input);',
    `    log.info({ id: created.id }, '${e.kebab} created');`,
    '    return created;',
    '  }',
    '',
    `  async update(id: string, input: Update${e.pascal}Input): Promise<${e.pascal}> {`,
    '    const current = await this.repository.getById(id);',
    '    if (input.status && input.status !== current.status && !TRANSITIONS[current.status].includes(input.status)) {',
    '      throw new ValidationError(`cannot move from ${current.status} to ${input.status}`);',
    '    }',
    e.refs.map((r) => `    if (input.${refField(r)}) await this.${r.plural}.get(input.${refField(r)});`),
    '    return this.repository.update(id, input);',
    '  }',
    '',
    '  async remove(id: string): Promise<void> {',
    '    const current = await this.repository.getById(id);',
    `    if (current.status === '${e.statusValues[1]}') {`,
    `      throw new ValidationError('a ${e.statusValues[1]} ${e.kebab} cannot be removed');`,
    '    }',
    '    await this.repository.remove(id);',
    `    log.info({ id }, '${e.kebab} removed');`,
    '  }',
    '',
    `  async summary(): Promise<${e.pascal}Summary> {`,
    '    const byStatus = await this.repository.countByStatus();',
    '    const total = Object.values(byStatus).reduce((sum, n) => sum + n, 0);',
    numberField
      ? [`    const ${numberField.name}Total = await this.repository.sum${numberField.name[0].toUpperCase()}${numberField.name.slice(1)}();`, `    return { total, byStatus, ${numberField.name}Total };`]
      : '    return { total, byStatus };',
    '  }',
    '',
    `  async *iterateAll(pageSize = ${rng.pick([50, 100, 250])}): AsyncGenerator<${e.pascal}> {`,
    '    let cursor: string | undefined;',
    '    do {',
    '      const page = await this.repository.list({ limit: pageSize, cursor });',
    '      yield* page.items;',
    '      cursor = page.nextCursor ?? undefined;',
    '    } while (cursor);',
    '  }',
    '}',
  );
}

function routesFile(e: Entity, imp: ModuleImports): string {
  return lines(
    "import { Router } from 'express';",
    `import { asyncHandler, validateBody, validateQuery } from '${imp.http}';`,
    `import { create${e.pascal}Schema, update${e.pascal}Schema, ${e.camel}ListQuerySchema } from './${e.kebab}.schema';`,
    `import type { ${e.pascal}Service } from './${e.kebab}.service';`,
    '',
    `export function ${e.camel}Routes(service: ${e.pascal}Service): Router {`,
    '  const router = Router();',
    '',
    '  router.get(',
    "    '/',",
    `    validateQuery(${e.camel}ListQuerySchema),`,
    '    asyncHandler(async (req, res) => {',
    '      const page = await service.list(res.locals.query);',
    "      res.setHeader('Cache-Control', 'private, max-age=0');",
    '      res.json(page);',
    '    }),',
    '  );',
    '',
    '  router.get(',
    "    '/summary',",
    '    asyncHandler(async (_req, res) => {',
    '      res.json(await service.summary());',
    '    }),',
    '  );',
    '',
    '  router.get(',
    "    '/:id',",
    '    asyncHandler(async (req, res) => {',
    '      res.json(await service.get(req.params.id));',
    '    }),',
    '  );',
    '',
    '  router.post(',
    "    '/',",
    `    validateBody(create${e.pascal}Schema),`,
    '    asyncHandler(async (req, res) => {',
    '      const created = await service.create(req.body);',
    `      res.status(201).location(\`/${e.plural.toLowerCase()}/\${created.id}\`).json(created);`,
    '    }),',
    '  );',
    '',
    '  router.patch(',
    "    '/:id',",
    `    validateBody(update${e.pascal}Schema),`,
    '    asyncHandler(async (req, res) => {',
    '      res.json(await service.update(req.params.id, req.body));',
    '    }),',
    '  );',
    '',
    '  router.delete(',
    "    '/:id',",
    '    asyncHandler(async (req, res) => {',
    '      await service.remove(req.params.id);',
    '      res.status(204).end();',
    '    }),',
    '  );',
    '',
    '  return router;',
    '}',
  );
}

function sampleValue(f: Field, i: number): string {
  switch (f.type) {
    case 'string':
      return f.name === 'email' ? `'person${i}@example.com'` : f.name === 'url' ? `'https://example.com/${i}'` : `'${f.name}-${i}'`;
    case 'number':
      return String((i * 7) % Math.max(f.max, 10));
    case 'boolean':
      return i % 2 === 0 ? 'true' : 'false';
    case 'Date':
      return `new Date('2024-0${(i % 9) + 1}-1${i % 10}T08:00:00Z')`;
    case 'enum':
      return `'${f.values![i % f.values!.length]}'`;
  }
}

function mockFn(runner: TestRunner): string {
  return runner === 'vitest' ? 'vi.fn()' : 'jest.fn()';
}

function serviceTestFile(e: Entity, imp: ModuleImports): string {
  const fn = mockFn(imp.testRunner);
  const fixture = (i: number) => [
    `    id: '00000000-0000-4000-8000-00000000000${i}',`,
    `    status: '${e.statusValues[0]}',`,
    ...e.refs.map((r) => `    ${refField(r)}: '00000000-0000-4000-8000-0000000000a${i}',`),
    ...e.fields.map((f) => `    ${f.name}: ${sampleValue(f, i)},`),
    "    createdAt: new Date('2024-01-01T00:00:00Z'),",
    "    updatedAt: new Date('2024-01-02T00:00:00Z'),",
  ];
  const numberField = e.fields.find((f) => f.type === 'number');
  return lines(
    imp.testRunner === 'vitest' && "import { beforeEach, describe, expect, it, vi } from 'vitest';",
    `import { ${e.pascal}Service } from './${e.kebab}.service';`,
    `import type { ${e.pascal} } from './${e.kebab}.types';`,
    '',
    `function make${e.pascal}(overrides: Partial<${e.pascal}> = {}): ${e.pascal} {`,
    '  return {',
    fixture(1),
    '    ...overrides,',
    '  };',
    '}',
    '',
    `describe('${e.pascal}Service', () => {`,
    '  const repository = {',
    `    getById: ${fn},`,
    `    list: ${fn},`,
    `    create: ${fn},`,
    `    update: ${fn},`,
    `    remove: ${fn},`,
    `    countByStatus: ${fn},`,
    numberField && `    sum${numberField.name[0].toUpperCase()}${numberField.name.slice(1)}: ${fn},`,
    '  };',
    e.refs.map((r) => `  const ${r.plural} = { get: ${fn} };`),
    `  let service: ${e.pascal}Service;`,
    '',
    '  beforeEach(() => {',
    `    ${imp.testRunner === 'vitest' ? 'vi' : 'jest'}.resetAllMocks();`,
    `    service = new ${e.pascal}Service(repository as never${e.refs.map((r) => `, ${r.plural} as never`).join('')});`,
    '  });',
    '',
    `  it('returns a ${e.kebab} by id', async () => {`,
    `    const item = make${e.pascal}();`,
    '    repository.getById.mockResolvedValue(item);',
    '    await expect(service.get(item.id)).resolves.toEqual(item);',
    '    expect(repository.getById).toHaveBeenCalledWith(item.id);',
    '  });',
    '',
    `  it('creates a ${e.kebab}${e.refs.length > 0 ? ' after checking its references' : ''}', async () => {`,
    `    const item = make${e.pascal}();`,
    '    repository.create.mockResolvedValue(item);',
    e.refs.map((r) => `    ${r.plural}.get.mockResolvedValue({ id: item.${refField(r)} });`),
    `    const created = await service.create({ ${[...e.refs.map((r) => `${refField(r)}: item.${refField(r)}`), ...e.fields.map((f) => `${f.name}: item.${f.name} as never`)].join(', ')} });`,
    '    expect(created.id).toBe(item.id);',
    e.refs.map((r) => `    expect(${r.plural}.get).toHaveBeenCalledTimes(1);`),
    '  });',
    '',
    `  it('refuses a status change that skips the workflow backwards', async () => {`,
    `    repository.getById.mockResolvedValue(make${e.pascal}({ status: '${e.statusValues[e.statusValues.length - 1]}' }));`,
    `    await expect(service.update('x', { status: '${e.statusValues[0]}' })).rejects.toThrow(/cannot move/);`,
    '    expect(repository.update).not.toHaveBeenCalled();',
    '  });',
    '',
    `  it('does not remove a ${e.statusValues[1]} ${e.kebab}', async () => {`,
    `    repository.getById.mockResolvedValue(make${e.pascal}({ status: '${e.statusValues[1]}' }));`,
    "    await expect(service.remove('x')).rejects.toThrow();",
    '    expect(repository.remove).not.toHaveBeenCalled();',
    '  });',
    '',
    "  it('summarises counts by status', async () => {",
    `    repository.countByStatus.mockResolvedValue({ ${e.statusValues[0]}: 3, ${e.statusValues[1]}: 2 });`,
    numberField && `    repository.sum${numberField.name[0].toUpperCase()}${numberField.name.slice(1)}.mockResolvedValue(42);`,
    '    const summary = await service.summary();',
    '    expect(summary.total).toBe(5);',
    numberField && `    expect(summary.${numberField.name}Total).toBe(42);`,
    '  });',
    '',
    "  it('iterates over every page', async () => {",
    '    repository.list',
    `      .mockResolvedValueOnce({ items: [make${e.pascal}()], nextCursor: 'c1' })`,
    `      .mockResolvedValueOnce({ items: [make${e.pascal}({ id: 'second' })], nextCursor: null });`,
    '    const seen: string[] = [];',
    '    for await (const item of service.iterateAll(1)) seen.push(item.id);',
    "    expect(seen).toEqual(['00000000-0000-4000-8000-000000000001', 'second']);",
    '  });',
    '});',
  );
}

function routesSpecFile(e: Entity, imp: ModuleImports): string {
  const fn = mockFn(imp.testRunner);
  const required = e.fields.filter((f) => !f.optional);
  return lines(
    imp.testRunner === 'vitest' && "import { describe, expect, it, vi } from 'vitest';",
    "import express from 'express';",
    "import request from 'supertest';",
    `import { ${e.camel}Routes } from './${e.kebab}.routes';`,
    '',
    'function makeApp(service: Record<string, unknown>) {',
    '  const app = express();',
    '  app.use(express.json());',
    `  app.use('/${e.plural.toLowerCase()}', ${e.camel}Routes(service as never));`,
    '  return app;',
    '}',
    '',
    `describe('${e.camel}Routes', () => {`,
    `  it('lists ${e.plural} with the default page size', async () => {`,
    `    const list = ${fn}.mockResolvedValue({ items: [], nextCursor: null });`,
    `    const res = await request(makeApp({ list })).get('/${e.plural.toLowerCase()}');`,
    '    expect(res.status).toBe(200);',
    '    expect(list).toHaveBeenCalledWith(expect.objectContaining({ limit: 25 }));',
    '  });',
    '',
    "  it('rejects an invalid body with 400', async () => {",
    `    const create = ${fn};`,
    `    const res = await request(makeApp({ create })).post('/${e.plural.toLowerCase()}').send({ unexpected: true });`,
    '    expect(res.status).toBe(400);',
    '    expect(create).not.toHaveBeenCalled();',
    '  });',
    '',
    "  it('creates and answers 201 with a location', async () => {",
    `    const create = ${fn}.mockResolvedValue({ id: 'abc' });`,
    '    const res = await request(makeApp({ create }))',
    `      .post('/${e.plural.toLowerCase()}')`,
    '      .send({',
    e.refs.map((r) => `        ${refField(r)}: '00000000-0000-4000-8000-000000000001',`),
    required.map((f) => `        ${f.name}: ${f.type === 'Date' ? "'2024-03-01T00:00:00Z'" : sampleValue(f, 2)},`),
    '      });',
    '    expect(res.status).toBe(201);',
    `    expect(res.headers.location).toBe('/${e.plural.toLowerCase()}/abc');`,
    '  });',
    '',
    "  it('answers 204 on delete', async () => {",
    `    const remove = ${fn}.mockResolvedValue(undefined);`,
    `    const res = await request(makeApp({ remove })).delete('/${e.plural.toLowerCase()}/abc');`,
    '    expect(res.status).toBe(204);',
    "    expect(remove).toHaveBeenCalledWith('abc');",
    '  });',
    '});',
  );
}

function knexColumn(f: Field): string {
  switch (f.type) {
    case 'string':
      return f.max > 255 ? `table.text('${f.column}')` : `table.string('${f.column}', ${f.max})`;
    case 'number':
      return f.max > 100_000 ? `table.bigInteger('${f.column}')` : `table.integer('${f.column}')`;
    case 'boolean':
      return `table.boolean('${f.column}').defaultTo(false)`;
    case 'Date':
      return `table.timestamp('${f.column}', { useTz: true })`;
    case 'enum':
      return `table.enu('${f.column}', [${f.values!.map((v) => `'${v}'`).join(', ')}])`;
  }
}

export function migrationFile(e: Entity): string {
  return lines(
    "'use strict';",
    '',
    "/** @param {import('knex').Knex} knex */",
    'exports.up = async function up(knex) {',
    `  await knex.schema.createTable('${e.table}', (table) => {`,
    "    table.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));",
    `    table.string('status', 32).notNullable().defaultTo('${e.statusValues[0]}');`,
    e.refs.map((r) => `    table.uuid('${refColumn(r)}').notNullable().references('id').inTable('${r.table}').onDelete('CASCADE');`),
    e.fields.map((f) => `    ${knexColumn(f)}${f.optional ? '.nullable()' : f.type === 'boolean' ? '' : '.notNullable()'};`),
    '    table.timestamps(true, true);',
    "    table.index(['status', 'created_at']);",
    e.refs.slice(0, 1).map((r) => `    table.index(['${refColumn(r)}']);`),
    '  });',
    '};',
    '',
    "/** @param {import('knex').Knex} knex */",
    'exports.down = async function down(knex) {',
    `  await knex.schema.dropTableIfExists('${e.table}');`,
    '};',
  );
}

/** A CommonJS helper, the kind of JavaScript that survives in TypeScript services. */
export function legacyHelperFile(e: Entity, rng: Rng): string {
  const stringFields = e.fields.filter((f) => f.type === 'string');
  return lines(
    "'use strict';",
    '',
    `const MAX_EXPORT_ROWS = ${rng.pick([500, 1000, 5000])};`,
    '',
    '/**',
    ` * Flattens ${e.plural} for the CSV export used by the back office.`,
    ` * @param {Array<Record<string, unknown>>} ${e.plural}`,
    ' * @returns {string}',
    ' */',
    `function to${e.pluralPascal}Csv(${e.plural}) {`,
    `  const header = ['id', 'status'${e.fields.map((f) => `, '${f.column}'`).join('')}];`,
    `  const rows = ${e.plural}.slice(0, MAX_EXPORT_ROWS).map((item) =>`,
    '    header.map((key) => {',
    "      const value = item[key.replace(/_([a-z])/g, (_m, c) => c.toUpperCase())];",
    "      if (value === null || value === undefined) return '';",
    '      const text = value instanceof Date ? value.toISOString() : String(value);',
    '      return /[",\\n]/.test(text) ? `"${text.replace(/"/g, \'""\')}"` : text;',
    "    }).join(','),",
    '  );',
    "  return [header.join(','), ...rows].join('\\n');",
    '}',
    '',
    '/**',
    ` * @param {Record<string, unknown>} ${e.camel}`,
    ' * @returns {string}',
    ' */',
    `function describe${e.pascal}(${e.camel}) {`,
    stringFields.length > 0
      ? `  const label = ${e.camel}.${stringFields[0].name} || ${e.camel}.id;`
      : `  const label = ${e.camel}.id;`,
    `  return \`${e.kebab} \${label} (\${${e.camel}.status})\`;`,
    '}',
    '',
    `module.exports = { to${e.pluralPascal}Csv, describe${e.pascal}, MAX_EXPORT_ROWS };`,
  );
}

/** The module's files, keyed by path relative to its `modules/<entity>/` folder. */
export function moduleFiles(e: Entity, imp: ModuleImports, rng: Rng): Files {
  return {
    [`${e.kebab}.types.ts`]: typesFile(e),
    [`${e.kebab}.schema.ts`]: schemaFile(e),
    [`${e.kebab}.repository.ts`]: repositoryFile(e, imp, rng),
    [`${e.kebab}.service.ts`]: serviceFile(e, imp, rng),
    [`${e.kebab}.routes.ts`]: routesFile(e, imp),
    [`${e.kebab}.service.test.ts`]: serviceTestFile(e, imp),
    [`${e.kebab}.routes.spec.ts`]: routesSpecFile(e, imp),
    'index.ts': lines(
      `export * from './${e.kebab}.types';`,
      `export * from './${e.kebab}.schema';`,
      `export { ${e.pascal}Repository } from './${e.kebab}.repository';`,
      `export { ${e.pascal}Service } from './${e.kebab}.service';`,
      `export { ${e.camel}Routes } from './${e.kebab}.routes';`,
    ),
  };
}

/** An integration test under `test/` that exercises the module against a real database. */
export function integrationTestFile(e: Entity, imp: ModuleImports, modulePath: string, dbHelper: string): string {
  const required = e.fields.filter((f) => !f.optional);
  return lines(
    imp.testRunner === 'vitest' && "import { afterAll, beforeAll, describe, expect, it } from 'vitest';",
    `import { ${e.pascal}Repository } from '${modulePath}';`,
    `import { createTestDatabase, type TestDatabase } from '${dbHelper}';`,
    '',
    `describe('${e.table} (integration)', () => {`,
    '  let db: TestDatabase;',
    `  let repository: ${e.pascal}Repository;`,
    '',
    '  beforeAll(async () => {',
    `    db = await createTestDatabase(['${e.table}'${e.refs.map((r) => `, '${r.table}'`).join('')}]);`,
    `    repository = new ${e.pascal}Repository(db.knex);`,
    '  });',
    '',
    '  afterAll(async () => {',
    '    await db.close();',
    '  });',
    '',
    "  it('round-trips a row', async () => {",
    e.refs.map((r) => `    const ${r.camel}Id = await db.insertFixture('${r.table}');`),
    '    const created = await repository.create({',
    e.refs.map((r) => `      ${refField(r)}: ${r.camel}Id,`),
    required.map((f) => `      ${f.name}: ${sampleValue(f, 3)},`),
    '    } as never);',
    '    const found = await repository.getById(created.id);',
    `    expect(found.status).toBe('${e.statusValues[0]}');`,
    '  });',
    '',
    "  it('pages through results with a cursor', async () => {",
    '    const first = await repository.list({ limit: 1 });',
    '    expect(first.items.length).toBeLessThanOrEqual(1);',
    '    if (first.nextCursor) {',
    '      const second = await repository.list({ limit: 1, cursor: first.nextCursor });',
    '      expect(second.items[0]?.id).not.toBe(first.items[0]?.id);',
    '    }',
    '  });',
    '});',
  );
}
