/**
 * Loads knowledge that is data (`catalogs/*.yaml`) once per process. Catalogs ship with the
 * package; they are never read from the gathered repository.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from './package-root';

const cache = new Map<string, unknown>();

export function loadCatalog<T>(name: string): T {
  let value = cache.get(name);
  if (value === undefined) {
    value = parse(readFileSync(join(packageRoot(), 'catalogs', `${name}.yaml`), 'utf8'));
    cache.set(name, value);
  }
  return value as T;
}
