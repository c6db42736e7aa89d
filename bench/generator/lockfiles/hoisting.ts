/**
 * Where each locked package lands in a `node_modules` tree, for the two formats that record the
 * tree itself (npm's `node_modules/a/node_modules/b`, bun's `a/b`). One version of each name is
 * hoisted to the top; a package that needs another version gets its own nested copy, exactly as
 * Node's resolution (walk up the `node_modules` folders) requires.
 */
import * as semver from 'semver';
import { indexPackages, resolveIn, WORKSPACE_RANGES, type LockGraph, type LockedPackage } from '../dependency-graph';
import { byCodeUnit } from '../prng';

export interface Placement {
  /** Names from the top: ['chalk', 'ansi-styles'] is node_modules/chalk/node_modules/ansi-styles. */
  chain: string[];
  pkg: LockedPackage;
}

export function placePackages(graph: LockGraph): Placement[] {
  const index = indexPackages(graph.packages);
  const workspaceNames = new Set(graph.importers.map((i) => i.name));

  // Which version of each name goes to the top: the one the workspaces ask for, else the most wanted.
  const top = new Map<string, LockedPackage>();
  for (const importer of graph.importers) {
    for (const [name, range] of [...Object.entries(importer.dependencies), ...Object.entries(importer.devDependencies)]) {
      if (workspaceNames.has(name) && WORKSPACE_RANGES.has(range)) continue;
      const pkg = resolveIn(index, name, range);
      if (pkg && !top.has(name)) top.set(name, pkg);
    }
  }
  const wanted = new Map<LockedPackage, number>();
  for (const pkg of graph.packages) {
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      const dep = resolveIn(index, name, range);
      if (dep) wanted.set(dep, (wanted.get(dep) ?? 0) + 1);
    }
  }
  for (const [name, versions] of index) {
    if (top.has(name)) continue;
    const best = [...versions].sort((a, b) => (wanted.get(b) ?? 0) - (wanted.get(a) ?? 0) || semver.rcompare(a.version, b.version))[0];
    top.set(name, best);
  }

  const placed = new Map<string, Placement>();
  const keyOf = (chain: string[]) => chain.join('\0');
  const queue: Placement[] = [];
  for (const name of [...top.keys()].sort(byCodeUnit)) {
    const placement = { chain: [name], pkg: top.get(name)! };
    placed.set(keyOf(placement.chain), placement);
    queue.push(placement);
  }
  for (let i = 0; i < queue.length; i++) {
    const { chain, pkg } = queue[i];
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      const needed = resolveIn(index, name, range);
      if (!needed) continue;
      let visible: Placement | undefined;
      for (let depth = chain.length; depth >= 0 && !visible; depth--) {
        visible = placed.get(keyOf([...chain.slice(0, depth), name]));
      }
      if (visible && visible.pkg === needed) continue;
      const nested = { chain: [...chain, name], pkg: needed };
      placed.set(keyOf(nested.chain), nested);
      queue.push(nested);
    }
  }
  return [...placed.values()];
}
