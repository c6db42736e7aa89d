/**
 * Builds the compact file index from a list of paths (the listing comes from Nx's workspace
 * context, which already honours .gitignore; this module only classifies it).
 */
import { posix } from 'node:path';
import { loadCatalog } from './catalog';
import type { FileIndex } from './probe-api';
import { byCodeUnit } from './parse';

interface FileIndexCatalog {
  noiseDirs: string[];
  manifests: string[];
}

export function fileIndexCatalog(): FileIndexCatalog {
  return loadCatalog<FileIndexCatalog>('file-index');
}

/**
 * True when a folder of `path` (relative, `/`-separated) is a noise folder: `node_modules` or
 * `.yarn/cache` at any depth, `/build` (leading slash) only at the root.
 */
export function noiseMatcher(noiseDirs: readonly string[]): (path: string) => boolean {
  const rootOnly = noiseDirs.filter((d) => d.startsWith('/')).map((d) => `${d.slice(1)}/`);
  const anyDepth = noiseDirs.filter((d) => !d.startsWith('/'));
  const single = new Set(anyDepth.filter((d) => !d.includes('/')));
  const nested = anyDepth.filter((d) => d.includes('/')).map((d) => `${d}/`);
  return (path) => {
    if (rootOnly.some((d) => path.startsWith(d))) return true;
    const parts = path.split('/');
    for (let i = 0; i < parts.length - 1; i++) if (single.has(parts[i])) return true;
    if (nested.length === 0) return false;
    const withSlash = `/${path}`;
    return nested.some((d) => path.startsWith(d) || withSlash.includes(`/${d}`));
  };
}

/** The same folders as negated input globs (`!**\/node_modules/**`, `!build/**`), relative to a scope. */
export function noiseExclusionGlobs(noiseDirs: readonly string[]): string[] {
  return noiseDirs.map((d) => (d.startsWith('/') ? `!${d.slice(1)}/**` : `!**/${d}/**`));
}

/** Lower-cased last extension the way `path.posix.extname` sees it (`a.d.ts` → `.ts`, `.eslintrc` → ''). */
export function extensionOf(path: string): string {
  return posix.extname(path).toLowerCase();
}

export function buildFileIndex(paths: Iterable<string>, catalog: FileIndexCatalog = fileIndexCatalog()): FileIndex {
  const isNoise = noiseMatcher(catalog.noiseDirs);
  const manifestNames = new Set(catalog.manifests);
  const files: string[] = [];
  let excludedCount = 0;
  for (const path of new Set(paths)) {
    if (isNoise(path)) excludedCount++;
    else files.push(path);
  }
  files.sort(byCodeUnit);
  const byExtension: Record<string, string[]> = {};
  const manifests: string[] = [];
  for (const path of files) {
    (byExtension[extensionOf(path)] ??= []).push(path);
    if (manifestNames.has(posix.basename(path))) manifests.push(path);
  }
  return { files, byExtension, manifests, excludedCount };
}
