/**
 * Build step (`npm run build`): writes every `catalogs/*.yaml` as JSON into
 * `catalogs.generated.json` beside the compiled `catalog.js`, with a digest of the YAML bytes, so
 * processes load catalogs with `JSON.parse` instead of the YAML parser (see `catalog.ts`).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMPILED_CATALOGS, catalogDigest, type CompiledCatalogs } from './catalog';
import { packageRoot } from './package-root';

export function compileCatalogs(outFile: string): number {
  const dir = join(packageRoot(), 'catalogs');
  const out: CompiledCatalogs = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    out[file.slice(0, -'.yaml'.length)] = { digest: catalogDigest(text), value: parse(text) };
  }
  writeFileSync(outFile, `${JSON.stringify(out)}\n`);
  return Object.keys(out).length;
}

if (require.main === module) {
  const count = compileCatalogs(join(__dirname, COMPILED_CATALOGS));
  process.stdout.write(`codegenie: compiled ${count} catalogs to ${COMPILED_CATALOGS}\n`);
}
