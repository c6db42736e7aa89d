/**
 * Test helper: a fixture folder as the in-memory `{path: bytes}` tree `runProbeInMemory` takes,
 * plus the slice schema validator. Imported by tests only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

export function fixtureTree(dir: string): Record<string, Buffer> {
  const tree: Record<string, Buffer> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) tree[relative(dir, full).split('\\').join('/')] = readFileSync(full);
    }
  };
  walk(dir);
  return tree;
}

export const REPO_ROOT = resolve(__dirname, '../..');

export function fixtureDirs(area: string): string[] {
  const base = join(REPO_ROOT, 'fixtures', area);
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function sliceValidator(probe: string): (slice: unknown) => string[] {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'slices', `${probe}.schema.json`), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  return (slice) => (validate(slice) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
