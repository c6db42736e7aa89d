/**
 * Workspace globs of a repository (pnpm-workspace.yaml `packages` when present, as pnpm reads
 * only that file; else package.json `workspaces`) and the matching of package folders against them, the way npm and pnpm do it:
 * a folder is a workspace package when `<glob>/package.json` matches its package.json.
 */
import picomatch from 'picomatch';
import { isRecord, parseJson, parseYaml } from './parse';

export interface WorkspaceGlobs {
  globs: string[];
  source: 'package.json' | 'pnpm-workspace.yaml';
}

export function workspaceGlobsFrom(packageJsonText: string | undefined, pnpmWorkspaceText: string | undefined): WorkspaceGlobs | null {
  // pnpm's rule: a pnpm-workspace.yaml with `packages` is the only source (package.json
  // `workspaces` is then ignored); every other package manager reads package.json.
  const pnpm = pnpmGlobs(pnpmWorkspaceText);
  if (pnpm) return pnpm;
  if (packageJsonText !== undefined) {
    const parsed = parseJson('package.json', packageJsonText);
    if (parsed.ok && isRecord(parsed.value)) {
      const ws = parsed.value.workspaces;
      const list = Array.isArray(ws) ? ws : isRecord(ws) && Array.isArray(ws.packages) ? ws.packages : null;
      if (list) return { globs: list.filter((g): g is string => typeof g === 'string'), source: 'package.json' };
    }
  }
  return null;
}

function pnpmGlobs(pnpmWorkspaceText: string | undefined): WorkspaceGlobs | null {
  if (pnpmWorkspaceText === undefined) return null;
  const parsed = parseYaml('pnpm-workspace.yaml', pnpmWorkspaceText);
  if (parsed.ok && isRecord(parsed.value) && Array.isArray(parsed.value.packages)) {
    return { globs: parsed.value.packages.filter((g): g is string => typeof g === 'string'), source: 'pnpm-workspace.yaml' };
  }
  return null;
}

function normalizeGlob(glob: string): string {
  return glob.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** A predicate over package.json paths (relative to the workspace root) for the given workspace globs. */
export function workspacePackageMatcher(globs: readonly string[]): (packageJsonPath: string) => boolean {
  const positive = globs.filter((g) => !g.startsWith('!')).map((g) => `${normalizeGlob(g)}/package.json`);
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => `${normalizeGlob(g.slice(1))}/package.json`);
  if (positive.length === 0) return () => false;
  const yes = picomatch(positive);
  const no = negative.length > 0 ? picomatch(negative) : () => false;
  return (path) => !path.split('/').includes('node_modules') && yes(path) && !no(path);
}
