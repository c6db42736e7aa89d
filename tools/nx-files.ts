/**
 * File listings from Nx's own workspace context (the Rust file walker behind the task hasher).
 * Using it means probes see exactly the files Nx hashes: git-ignored files are absent, and no
 * probe walks the repository itself.
 *
 * The context is built in this process, never asked of the daemon. A daemon request carries the
 * client's environment, and a task process's differs from the CLI's (`LERNA_PACKAGE_NAME`,
 * `NX_INVOCATION_ANCESTOR_PIDS`, ...): Nx 24's daemon then discards its project graph, so the
 * next hash request and the next `nx` command each recompute it, restarting every plugin worker.
 * Measured on the standard bench repository (948 files): one GLOB request from a task cost
 * ~1.1 s in the following HASH_TASKS and ~0.9 s at the start of the next run; the local walk
 * costs ~22 ms (it reuses the file-hash archive under the workspace data directory).
 */
import type { ProjectGraph } from '@nx/devkit';
import { globWithWorkspaceContextSync } from 'nx/src/utils/workspace-context';
import { byCodeUnit } from './parse';

/** Roots of other projects nested inside `scopeRoot`: their files belong to them, not to the scope (as in Nx's hashing). */
export function nestedProjectRoots(graph: ProjectGraph | undefined, scopeRoot: string): string[] {
  if (!graph || scopeRoot === '') return [];
  const prefix = `${scopeRoot}/`;
  return Object.values(graph.nodes)
    .map((n) => n.data.root)
    .filter((root) => root.startsWith(prefix))
    .sort(byCodeUnit);
}

/**
 * Files under `scopeRoot` matching `globs` (relative to the scope, `!` for exclusions), as paths
 * relative to the scope root, sorted.
 */
export async function listScopeFiles(
  workspaceRoot: string,
  scopeRoot: string,
  globs: readonly string[],
  nestedRoots: readonly string[] = [],
): Promise<string[]> {
  const anchor = (g: string) => (scopeRoot === '' ? g : `${scopeRoot}/${g}`);
  const positive = globs.filter((g) => !g.startsWith('!')).map(anchor);
  const negative = globs.filter((g) => g.startsWith('!')).map((g) => anchor(g.slice(1)));
  if (positive.length === 0) return [];
  const found = globWithWorkspaceContextSync(workspaceRoot, positive, negative.length > 0 ? negative : undefined);
  const cut = scopeRoot === '' ? 0 : scopeRoot.length + 1;
  const nested = nestedRoots.map((r) => `${r}/`);
  return found
    .filter((p) => !nested.some((n) => p.startsWith(n)))
    .map((p) => p.slice(cut))
    .sort(byCodeUnit);
}
