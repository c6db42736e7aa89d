/**
 * Dev and optional flags for lockfile formats that do not record them (pnpm 9, yarn classic and
 * berry, bun), derived the way npm derives its own: from the importers' declared dependencies
 * through the locked dependency graph.
 *
 * - `dev`: reachable from some importer's devDependencies, and from no importer's
 *   dependencies/optionalDependencies/peerDependencies.
 * - `optional`: reachable, but every path from every root crosses an optional edge (an
 *   optionalDependencies root or an optional dependency of a locked package).
 * Packages no root reaches (stale entries) get neither flag.
 */
import type { DependencyEdge, LockedPackage } from './lockfile/types';

export interface Root {
  pkg: LockedPackage;
  /** Declared in devDependencies. */
  dev: boolean;
  /** Declared in optionalDependencies. */
  optional: boolean;
}

function walk(starts: Iterable<LockedPackage>, edges: ReadonlyMap<LockedPackage, DependencyEdge[]>, follow: (e: DependencyEdge) => boolean): Set<LockedPackage> {
  const seen = new Set<LockedPackage>();
  const stack = [...starts];
  while (stack.length > 0) {
    const pkg = stack.pop()!;
    if (seen.has(pkg)) continue;
    seen.add(pkg);
    for (const e of edges.get(pkg) ?? []) if (follow(e) && !seen.has(e.to)) stack.push(e.to);
  }
  return seen;
}

export interface DerivedFlags {
  reached: number;
  dev: number;
  optional: number;
}

/**
 * Sets `dev`/`optional` on `packages` (and clears them where the graph says otherwise). Returns
 * the counts; `reached: 0` means no root resolved and nothing was changed.
 */
export function deriveFlags(packages: readonly LockedPackage[], edges: ReadonlyMap<LockedPackage, DependencyEdge[]>, roots: readonly Root[], which: { dev: boolean; optional: boolean }): DerivedFlags {
  const reached = walk(
    roots.map((r) => r.pkg),
    edges,
    () => true,
  );
  if (reached.size === 0) return { reached: 0, dev: 0, optional: 0 };
  const prod = walk(
    roots.filter((r) => !r.dev).map((r) => r.pkg),
    edges,
    () => true,
  );
  const required = walk(
    roots.filter((r) => !r.optional).map((r) => r.pkg),
    edges,
    (e) => !e.optional,
  );
  let dev = 0;
  let optional = 0;
  for (const pkg of packages) {
    if (!reached.has(pkg)) continue;
    if (which.dev) {
      if (prod.has(pkg)) delete pkg.dev;
      else {
        pkg.dev = true;
        dev++;
      }
    }
    if (which.optional) {
      if (required.has(pkg)) delete pkg.optional;
      else {
        pkg.optional = true;
        optional++;
      }
    }
  }
  return { reached: reached.size, dev, optional };
}
