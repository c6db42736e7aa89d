/** Application frameworks declared by the package.json files, from `catalogs/frameworks.yaml`. */
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';
import type { DependencyGroup, DependencyMaps } from './package-json';
import type { LockedPackage } from './lockfile/types';

export interface FrameworkSpec {
  id: string;
  name: string;
  category: string;
  packages: string[];
}

export interface FrameworksCatalog {
  frameworks: FrameworkSpec[];
}

export interface FrameworkHit {
  id: string;
  name: string;
  category: string;
  /** Which of the framework's packages are declared, sorted. */
  packages: string[];
  /** package.json files declaring them, sorted. */
  declared_in: string[];
  /** Dependency groups they are declared in, sorted. */
  groups: DependencyGroup[];
  /** Declared specifiers, sorted and deduplicated. */
  specifiers: string[];
  /** Locked versions of those packages across lockfiles, sorted. */
  locked_versions: string[];
}

export function frameworksCatalog(): FrameworksCatalog {
  return loadCatalog<FrameworksCatalog>('frameworks');
}

export function findFrameworks(
  manifests: ReadonlyArray<{ path: string; dependencies: DependencyMaps }>,
  lockfiles: ReadonlyArray<{ packages: readonly LockedPackage[] }>,
  catalog: FrameworksCatalog = frameworksCatalog(),
): FrameworkHit[] {
  const byPackage = new Map<string, FrameworkSpec>();
  for (const spec of catalog.frameworks) for (const name of spec.packages) byPackage.set(name, spec);
  const hits = new Map<string, { spec: FrameworkSpec; packages: Set<string>; declaredIn: Set<string>; groups: Set<DependencyGroup>; specifiers: Set<string> }>();
  for (const manifest of manifests) {
    for (const [group, deps] of Object.entries(manifest.dependencies) as Array<[DependencyGroup, Record<string, string>]>) {
      for (const [name, specifier] of Object.entries(deps)) {
        const spec = byPackage.get(name);
        if (!spec) continue;
        let hit = hits.get(spec.id);
        if (!hit) hits.set(spec.id, (hit = { spec, packages: new Set(), declaredIn: new Set(), groups: new Set(), specifiers: new Set() }));
        hit.packages.add(name);
        hit.declaredIn.add(manifest.path);
        hit.groups.add(group);
        hit.specifiers.add(specifier);
      }
    }
  }
  if (hits.size === 0) return [];
  const wanted = new Set([...hits.values()].flatMap((h) => [...h.packages]));
  const versions = new Map<string, Set<string>>();
  for (const lockfile of lockfiles) {
    for (const pkg of lockfile.packages) {
      if (!wanted.has(pkg.name)) continue;
      let set = versions.get(pkg.name);
      if (!set) versions.set(pkg.name, (set = new Set()));
      set.add(pkg.version);
    }
  }
  return [...hits.values()]
    .sort((a, b) => byCodeUnit(a.spec.id, b.spec.id))
    .map((h) => ({
      id: h.spec.id,
      name: h.spec.name,
      category: h.spec.category,
      packages: [...h.packages].sort(byCodeUnit),
      declared_in: [...h.declaredIn].sort(byCodeUnit),
      groups: [...h.groups].sort(byCodeUnit),
      specifiers: [...h.specifiers].sort(byCodeUnit),
      locked_versions: [...new Set([...h.packages].flatMap((p) => [...(versions.get(p) ?? [])]))].sort(byCodeUnit),
    }));
}
