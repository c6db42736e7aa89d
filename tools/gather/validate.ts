/**
 * JSON Schema validation of the artifacts (ajv, draft 2020-12). Schemas are compiled once per
 * process; a probe's slice is validated against `schemas/slices/<probe>.schema.json` when it exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { packageRoot } from '../package-root';

const BASE = 'https://codegenie.dev/schemas/';

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function instance(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: true, strict: true });
  const dir = join(packageRoot(), 'schemas');
  for (const sub of ['', 'slices']) {
    const folder = join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.schema.json')).sort()) {
      ajv.addSchema(JSON.parse(readFileSync(join(folder, file), 'utf8')));
    }
  }
  return ajv;
}

function validator(id: string): ValidateFunction | null {
  if (!compiled.has(id)) compiled.set(id, instance().getSchema(BASE + id) ?? null);
  return compiled.get(id)!;
}

/** Returns readable error lines; empty when valid. A missing schema for a slice is not an error. */
export function validateAgainst(schemaId: string, value: unknown, label = schemaId): string[] {
  const validate = validator(schemaId);
  if (!validate) {
    if (schemaId.startsWith('slices/')) return [];
    throw new Error(`codegenie: schema ${schemaId} is missing from the package`);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${label}${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
