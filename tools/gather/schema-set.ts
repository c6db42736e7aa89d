/** The JSON Schemas shipped in `schemas/`, listed once, with a digest of their bytes. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';

export const SCHEMA_BASE = 'https://codegenie.dev/schemas/';

export interface SchemaFile {
  /** Relative to `schemas/`, e.g. `slices/manifest.schema.json`; also the suffix of its `$id`. */
  id: string;
  text: string;
}

export function schemaFiles(): SchemaFile[] {
  const dir = join(packageRoot(), 'schemas');
  const out: SchemaFile[] = [];
  for (const sub of ['', 'slices']) {
    const folder = join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.schema.json')).sort()) {
      out.push({ id: sub ? `${sub}/${file}` : file, text: readFileSync(join(folder, file), 'utf8') });
    }
  }
  return out;
}

/** Changes whenever any schema's bytes change: precompiled validators are used only when it matches. */
export function schemaDigest(files: readonly SchemaFile[] = schemaFiles()): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.id}\0${f.text}\0`);
  return hash.digest('hex');
}
