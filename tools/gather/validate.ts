/**
 * JSON Schema validation of the artifacts (ajv, draft 2020-12). Validators come precompiled from
 * the build (`compile-schemas.ts`) when their digest matches the schemas on disk; otherwise (from
 * sources, or after a schema edit) they are compiled here, once per process. A probe's slice is
 * validated against `schemas/slices/<probe>.schema.json` when it exists.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv/dist/2020';
import { SCHEMA_BASE, schemaDigest, schemaFiles } from './schema-set';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

let lookup: ((id: string) => Validator | undefined) | undefined;

function precompiled(): ((id: string) => Validator | undefined) | undefined {
  const file = join(__dirname, 'validators.generated.js');
  if (!existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as Record<string, Validator> & { __digest?: string };
  if (mod.__digest !== schemaDigest()) return undefined;
  return (id) => mod[id];
}

function compiledHere(): (id: string) => Validator | undefined {
  // Loaded only on this path: the build's validators make ajv itself unnecessary (~25 ms to load).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv2020 } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  for (const f of schemaFiles()) ajv.addSchema(JSON.parse(f.text));
  return (id) => ajv.getSchema(SCHEMA_BASE + id) as Validator | undefined;
}

function validator(id: string): Validator | undefined {
  lookup ??= precompiled() ?? compiledHere();
  return lookup(id);
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
