/** Locates the codegenie package's own files (catalogs, schemas), from source or from `dist/`. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;
let version: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'codegenie') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`codegenie: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
}

export function codegenieVersion(): string {
  return (version ??= JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string);
}
