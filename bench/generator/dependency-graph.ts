/**
 * The package graph behind every generated lockfile: which packages are locked at which versions,
 * what each one depends on (by range), and which workspace (importer) asks for what. The five
 * lockfile writers render this one graph, so all package managers lock the same set.
 *
 * Shape, chosen to look like real lockfiles:
 * - the direct dependencies are real names at real versions (`known-packages.ts`);
 * - underneath, synthetic packages fan out until the graph holds exactly `target` packages;
 * - a "deep tier" of widely shared names (ms, debug, safe-buffer, …) is depended on from all over;
 * - a few names are locked at two majors (`debug@2` next to `debug@4`), which is what forces
 *   nested `node_modules` entries in npm and bun lockfiles.
 * Edges only go from lower to higher rank, so the graph is acyclic and nesting always terminates.
 */
import { createHash } from 'node:crypto';
import * as semver from 'semver';
import { COMMON_TRANSITIVE_NAMES, SHARED_DIRECT_NAMES, type KnownPackage } from './known-packages';
import { formatVersion, parseVersion, randomVersion, rangeFor, syntheticName, type Semver } from './package-names';
import { byCodeUnit, type Rng } from './prng';

export interface LockedPackage {
  name: string;
  version: string;
  /** `sha512-<base64>`, as npm, pnpm, yarn classic and bun record it. */
  integrity: string;
  license: string;
  /** Dependency name → declared range, keys sorted. */
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: Record<string, string>;
  /** The `engines.node` constraint, when the package declares one. */
  engines?: string;
}

export interface Importer {
  /** '' for the repository root, else the workspace folder (`packages/auth`). */
  path: string;
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export interface LockGraph {
  importers: Importer[];
  /** Unique name@version, sorted by name then version. */
  packages: LockedPackage[];
}

export const WORKSPACE_RANGES = new Set(['workspace:*', 'workspace:^', '*']);

export function packageKey(name: string, version: string): string {
  return `${name}@${version}`;
}

/** Deterministic stand-in for a tarball digest. */
export function integrityFor(salt: string, name: string, version: string): string {
  return `sha512-${createHash('sha512').update(`${salt}\0${name}@${version}`).digest('base64')}`;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort(byCodeUnit)) out[key] = record[key];
  return out;
}

interface Node {
  pkg: LockedPackage;
  rank: number;
  /** Deep-tier packages only depend on deep-tier packages of higher rank. */
  deep: boolean;
  leaf: boolean;
}

const LICENSES = ['MIT', 'MIT', 'MIT', 'MIT', 'MIT', 'MIT', 'MIT', 'MIT', 'ISC', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause'];
const ENGINES = ['>=8', '>=10', '>=12', '>=14', '>=16', '>=18', '>= 0.6', '>= 0.8', '^14.17.0 || ^16.13.0 || >=18.0.0', '>=18.12'];
const DEEP_RANK_BASE = 1_000_000;

export interface BuildGraphOptions {
  rng: Rng;
  /** The real packages the importers depend on, with the version to lock. */
  directs: readonly KnownPackage[];
  /** Total unique name@version to lock. */
  target: number;
  /** Salt for integrity digests, so two seeds give two sets of digests. */
  salt: string;
}

/**
 * Locks `directs` and grows the transitive graph under them to exactly `target` packages.
 * Importers are attached by the caller (`withImporters`), because ranges are a manifest concern.
 */
export function buildPackageGraph(options: BuildGraphOptions): LockedPackage[] {
  const { rng, directs, target, salt } = options;
  const taken = new Set<string>([...directs.map((d) => d.name), ...COMMON_TRANSITIVE_NAMES, ...SHARED_DIRECT_NAMES]);
  const byName = new Map<string, Node[]>();
  const all: Node[] = [];
  const queue: Node[] = [];
  let synthRank = directs.length;

  const add = (name: string, version: Semver | string, rank: number, deep: boolean, meta: Partial<KnownPackage> = {}): Node => {
    const v = typeof version === 'string' ? version : formatVersion(version);
    const pkg: LockedPackage = {
      name,
      version: v,
      integrity: integrityFor(salt, name, v),
      license: meta.license ?? rng.pick(LICENSES),
      dependencies: {},
    };
    if (meta.bin) pkg.bin = { ...meta.bin };
    else if (!meta.name && rng.chance(0.04)) pkg.bin = { [name.replace(/^@[^/]+\//, '')]: rng.pick(['cli.js', 'bin/cli.js', 'bin/index.js']) };
    if (meta.engines) pkg.engines = meta.engines;
    else if (!meta.name && rng.chance(0.45)) pkg.engines = rng.pick(ENGINES);
    const node: Node = { pkg, rank, deep, leaf: meta.leaf === true };
    all.push(node);
    queue.push(node);
    const list = byName.get(name) ?? [];
    list.push(node);
    byName.set(name, list);
    return node;
  };

  // Deep tier: shared real names, in a per-seed order that fixes who may depend on whom.
  const deepNames = rng.shuffle([...COMMON_TRANSITIVE_NAMES, ...SHARED_DIRECT_NAMES]);
  const deepRank = new Map(deepNames.map((n, i) => [n, DEEP_RANK_BASE + i * 2]));
  const directByName = new Map(directs.map((d) => [d.name, d]));

  directs.forEach((d, i) => {
    const rank = deepRank.get(d.name) ?? i;
    add(d.name, d.version, rank, deepRank.has(d.name), d);
  });
  const directNodes = new Map(all.map((n) => [n.pkg.name, n]));
  for (const d of directs) {
    if (!d.peers) continue;
    const node = directNodes.get(d.name)!;
    const peers: Record<string, string> = {};
    for (const [peer, range] of Object.entries(d.peers)) if (directNodes.has(peer)) peers[peer] = range;
    if (Object.keys(peers).length > 0) node.pkg.peerDependencies = sortedRecord(peers);
  }

  const full = () => all.length >= target;

  /** The deep-tier node for `name`, created on first use (null when the budget is spent). */
  const deepNode = (name: string): Node | null => {
    const existing = byName.get(name);
    if (existing) return existing[0];
    if (full()) return null;
    const known = directByName.get(name);
    return add(name, known?.version ?? randomVersion(rng), deepRank.get(name)!, true, known ?? {});
  };

  /** Another major (or, for 0.x, another minor) of an existing name. */
  const alternateVersion = (base: Node): Node | null => {
    if (full()) return null;
    const siblings = byName.get(base.pkg.name)!;
    const v = parseVersion(base.pkg.version);
    for (let attempt = 0; attempt < 4; attempt++) {
      const major = v.major === 0 ? 0 : Math.max(0, v.major - rng.int(1, Math.min(3, v.major)));
      const alt: Semver = { major, minor: major === 0 ? rng.int(1, 30) : rng.int(0, 20), patch: rng.int(0, 15) };
      const clash = siblings.some((s) => {
        const sv = parseVersion(s.pkg.version);
        return sv.major === alt.major && (alt.major !== 0 || sv.minor === alt.minor);
      });
      if (!clash) return add(base.pkg.name, alt, base.rank + (base.deep ? 1 : 0.5), base.deep);
    }
    return null;
  };

  const link = (from: Node, to: Node) => {
    if (to.pkg.name === from.pkg.name || from.pkg.dependencies[to.pkg.name]) return;
    if (!(to.rank > from.rank)) return;
    from.pkg.dependencies[to.pkg.name] = rangeFor(rng, parseVersion(to.pkg.version), directByName.has(to.pkg.name));
  };

  const depCount = (node: Node): number => {
    if (node.leaf) return 0;
    if (node.deep) return rng.weighted([0, 1, 2, 3, 4], [45, 25, 15, 10, 5]);
    if (node.rank < directs.length) return rng.int(2, 12);
    return rng.weighted([0, 1, 2, 3, 4, 6, 9, 14], [28, 20, 15, 12, 8, 9, 5, 3]);
  };

  const synthetic = all.filter((n) => !n.deep && n.rank >= directs.length);
  const growFrom = (node: Node, count: number) => {
    for (let k = 0; k < count; k++) {
      if (node.deep) {
        const later = deepNames.filter((n) => deepRank.get(n)! > node.rank);
        if (later.length === 0) return;
        const pickIndex = Math.floor(rng.next() ** 2 * later.length);
        const to = deepNode(later[pickIndex]);
        if (to) link(node, to);
        continue;
      }
      const r = rng.next();
      let to: Node | null = null;
      if (r < 0.5 && !full()) {
        to = add(syntheticName(rng, taken), randomVersion(rng), synthRank++, false);
        synthetic.push(to);
      } else if (r < 0.78) {
        to = deepNode(deepNames[Math.floor(rng.next() ** 2 * deepNames.length)]);
      } else {
        // An existing synthetic package further down the graph (ranks above ours).
        const later = synthetic.filter((s) => s.rank > node.rank);
        if (later.length > 0) to = rng.pick(later);
      }
      if (to && !node.pkg.dependencies[to.pkg.name] && rng.chance(0.035)) to = alternateVersion(to) ?? to;
      if (to) link(node, to);
    }
  };

  for (let i = 0; i < queue.length || !full(); i++) {
    if (i >= queue.length) {
      // The fan-out ran dry before the budget: give a random non-leaf, non-deep package one more child.
      const hosts = all.filter((n) => !n.leaf && !n.deep);
      const host = rng.pick(hosts);
      const child = add(syntheticName(rng, taken), randomVersion(rng), synthRank++, false);
      synthetic.push(child);
      // Keep the new child reachable even when rank order forbids the edge from `host`.
      if (child.rank > host.rank) link(host, child);
      continue;
    }
    const node = queue[i];
    growFrom(node, depCount(node));
  }

  let locked = pruneUnreachable(
    all.map((n) => n.pkg),
    directs.map((d) => d.name),
  );
  // Pruning can leave the graph a few short of `target`: top up with leaves under reachable hosts.
  const reachable = new Set(locked.map((p) => packageKey(p.name, p.version)));
  const hosts = all.filter((n) => !n.leaf && !n.deep && reachable.has(packageKey(n.pkg.name, n.pkg.version)));
  while (locked.length < target) {
    const host = rng.pick(hosts);
    const child = add(syntheticName(rng, taken), randomVersion(rng), synthRank++, false);
    link(host, child);
    locked.push(child.pkg);
  }
  for (const node of all) node.pkg.dependencies = sortedRecord(node.pkg.dependencies);
  locked = sortPackages(locked);
  return locked;
}

/** Drops packages no direct dependency leads to (an edge refused by rank order can orphan one). */
function pruneUnreachable(packages: LockedPackage[], roots: string[]): LockedPackage[] {
  const index = indexPackages(packages);
  const seen = new Set<string>();
  // A root name may carry several versions; the direct one is the first created.
  const stack = roots.map((name) => index.get(name)![0]);
  while (stack.length > 0) {
    const pkg = stack.pop()!;
    const key = packageKey(pkg.name, pkg.version);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      const dep = resolveIn(index, name, range);
      if (dep) stack.push(dep);
    }
  }
  return packages.filter((p) => seen.has(packageKey(p.name, p.version)));
}

export function sortPackages(packages: LockedPackage[]): LockedPackage[] {
  return [...packages].sort((a, b) => byCodeUnit(a.name, b.name) || semver.compare(a.version, b.version));
}

export type PackageIndex = Map<string, LockedPackage[]>;

export function indexPackages(packages: readonly LockedPackage[]): PackageIndex {
  const index: PackageIndex = new Map();
  for (const pkg of packages) {
    const list = index.get(pkg.name) ?? [];
    list.push(pkg);
    index.set(pkg.name, list);
  }
  return index;
}

/** The highest locked version of `name` that `range` admits, as every package manager picks. */
export function resolveIn(index: PackageIndex, name: string, range: string): LockedPackage | undefined {
  const candidates = index.get(name);
  if (!candidates) return undefined;
  const best = semver.maxSatisfying(
    candidates.map((c) => c.version),
    range,
  );
  return best ? candidates.find((c) => c.version === best) : undefined;
}

/** Names of the packages reachable from the importers' production dependencies (npm's non-`dev`). */
export function productionKeys(graph: LockGraph): Set<string> {
  const index = indexPackages(graph.packages);
  const seen = new Set<string>();
  const stack: LockedPackage[] = [];
  for (const importer of graph.importers) {
    for (const [name, range] of Object.entries(importer.dependencies)) {
      const pkg = resolveIn(index, name, range);
      if (pkg) stack.push(pkg);
    }
  }
  while (stack.length > 0) {
    const pkg = stack.pop()!;
    const key = packageKey(pkg.name, pkg.version);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      const dep = resolveIn(index, name, range);
      if (dep) stack.push(dep);
    }
  }
  return seen;
}

/** Names of the workspaces (importer `name` → folder), for resolving `workspace:` ranges. */
export function workspaceFolders(graph: LockGraph): Map<string, string> {
  return new Map(graph.importers.map((i) => [i.name, i.path]));
}
