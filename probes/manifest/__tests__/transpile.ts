/**
 * Transpiles the probe and the tools it needs to plain CommonJS under `node_modules/.cache`, so a
 * child process can run them with bare `node` (no loader hooks, no TypeScript compiler in the
 * measured process). Kept under the package root so `catalogs/` and `node_modules/` resolve as usual.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Returns the output folder; `<out>/probes/manifest/__tests__/measure-memory.js` is the entry point. */
export function transpileForChild(): string {
  const out = join(PACKAGE_ROOT, 'node_modules', '.cache', 'codegenie-manifest-memory');
  for (const file of [...sources(join(PACKAGE_ROOT, 'tools')), ...sources(join(PACKAGE_ROOT, 'probes', 'manifest'))]) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    const target = join(out, relative(PACKAGE_ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  return out;
}
