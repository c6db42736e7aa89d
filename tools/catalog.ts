/**
 * Loads knowledge that is data (`catalogs/*.yaml`) once per process. Catalogs ship with the
 * package; they are never read from the gathered repository.
 *
 * The YAML files are the source of truth. The build also writes every catalog as JSON beside this
 * module (`compile-catalogs.ts`), keyed by a digest of the YAML bytes: a catalog whose bytes still
 * match is taken from there, anything else (sources run by tests, an edited catalog) is parsed
 * from YAML. Why: every probe worker thread and the gather step load catalogs afresh, and parsing
 * them with the `yaml` library cost ~70 ms of a ~140 ms gather step on the standard bench
 * repository; reading the JSON costs ~1 ms.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root';

export const COMPILED_CATALOGS = 'catalogs.generated.json';

export type CompiledCatalogs = Record<string, { digest: string; value: unknown }>;

const cache = new Map<string, unknown>();
let compiled: CompiledCatalogs | null | undefined;

export function catalogDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function compiledCatalogs(): CompiledCatalogs | null {
  if (compiled === undefined) {
    const file = join(__dirname, COMPILED_CATALOGS);
    compiled = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CompiledCatalogs) : null;
  }
  return compiled;
}

export function catalogPath(name: string): string {
  return join(packageRoot(), 'catalogs', `${name}.yaml`);
}

export function loadCatalog<T>(name: string): T {
  let value = cache.get(name);
  if (value === undefined) {
    const text = readFileSync(catalogPath(name), 'utf8');
    const entry = compiledCatalogs()?.[name];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    value = entry && entry.digest === catalogDigest(text) ? entry.value : (require('yaml') as typeof import('yaml')).parse(text);
    cache.set(name, value);
  }
  return value as T;
}
