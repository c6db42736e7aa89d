/**
 * Workspace globs → workspace packages, the way npm (map-workspaces) and pnpm (find-packages) do
 * it: each glob `G` becomes `G/package.json` and is matched against the package.json files present,
 * so `playground/**` also takes `playground/package.json` itself. `!G` excludes. Dotted folders are
 * not entered unless a glob names them (`dot: false`), like both package managers.
 */
import picomatch from 'picomatch';
import { byCodeUnit } from '../../tools/parse';

export type WorkspaceSourceName = 'package.json#workspaces' | 'pnpm-workspace.yaml#packages';

export interface WorkspaceSource {
  source: WorkspaceSourceName;
  /** As declared (order kept: it is the file's own and deterministic). */
  globs: string[];
  /** Matching package.json paths, sorted. */
  package_paths: string[];
}

function normalizeGlob(glob: string): string {
  let g = glob.trim();
  while (g.startsWith('./')) g = g.slice(2);
  while (g.endsWith('/')) g = g.slice(0, -1);
  return g;
}

function asPackageJsonGlob(glob: string): string {
  const g = normalizeGlob(glob);
  return g === '' || g === '.' ? 'package.json' : `${g}/package.json`;
}

/** The non-root package.json paths among `packageJsonPaths` that `globs` select. */
export function matchWorkspaceGlobs(globs: readonly string[], packageJsonPaths: readonly string[]): string[] {
  const positive = globs.filter((g) => !g.startsWith('!')).map(asPackageJsonGlob);
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => asPackageJsonGlob(g.slice(1)));
  if (positive.length === 0) return [];
  let yes: (p: string) => boolean;
  let no: (p: string) => boolean;
  try {
    yes = picomatch(positive, { dot: false });
    no = negative.length > 0 ? picomatch(negative, { dot: false }) : () => false;
  } catch {
    // An unparsable glob matches nothing (picomatch throws only on pathological patterns).
    return [];
  }
  return packageJsonPaths.filter((p) => p !== 'package.json' && yes(p) && !no(p)).sort(byCodeUnit);
}

export function workspaceSource(source: WorkspaceSourceName, globs: string[], packageJsonPaths: readonly string[]): WorkspaceSource {
  return { source, globs, package_paths: matchWorkspaceGlobs(globs, packageJsonPaths) };
}
