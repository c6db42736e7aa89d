/**
 * Native modules: locked (or, without a lockfile, declared) packages named in
 * `catalogs/native-modules.yaml`, plus any locked package whose lockfile entry says it runs an
 * install script (npm `hasInstallScript`, pnpm `requiresBuild`).
 */
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';
import type { DependencyMaps } from './package-json';
import type { LockedPackage } from './lockfile/types';

export interface NativeModulesCatalog {
  kinds: Record<string, string>;
  modules: Record<string, string[]>;
}

export type NativeReason = 'catalog' | 'install-script';

export interface NativeModule {
  name: string;
  /** Catalog kinds (`node-gyp`, `prebuilt-binary`, `install-download`); empty when only the install-script flag matched. */
  kinds: string[];
  reasons: NativeReason[];
  /** Locked versions across lockfiles, sorted. */
  versions: string[];
  /** True when some covered package.json declares it directly. */
  direct: boolean;
  lockfiles: string[];
  declared_in: string[];
}

export function nativeModulesCatalog(): NativeModulesCatalog {
  return loadCatalog<NativeModulesCatalog>('native-modules');
}

interface Accumulator {
  kinds: Set<string>;
  reasons: Set<NativeReason>;
  versions: Set<string>;
  direct: boolean;
  lockfiles: Set<string>;
  declaredIn: Set<string>;
}

export function findNativeModules(
  lockfiles: ReadonlyArray<{ path: string; packages: readonly LockedPackage[] }>,
  manifests: ReadonlyArray<{ path: string; dependencies: DependencyMaps }>,
  catalog: NativeModulesCatalog = nativeModulesCatalog(),
): NativeModule[] {
  const found = new Map<string, Accumulator>();
  const entry = (name: string): Accumulator => {
    let acc = found.get(name);
    if (!acc) {
      acc = { kinds: new Set(catalog.modules[name] ?? []), reasons: new Set(), versions: new Set(), direct: false, lockfiles: new Set(), declaredIn: new Set() };
      if (Object.hasOwn(catalog.modules, name)) acc.reasons.add('catalog');
      found.set(name, acc);
    }
    return acc;
  };
  for (const lockfile of lockfiles) {
    for (const pkg of lockfile.packages) {
      const inCatalog = Object.hasOwn(catalog.modules, pkg.name);
      if (!inCatalog && !pkg.has_install_script) continue;
      const acc = entry(pkg.name);
      if (pkg.has_install_script) acc.reasons.add('install-script');
      acc.versions.add(pkg.version);
      acc.lockfiles.add(lockfile.path);
      if (pkg.direct) acc.direct = true;
    }
  }
  for (const manifest of manifests) {
    for (const deps of Object.values(manifest.dependencies)) {
      for (const name of Object.keys(deps)) {
        if (!Object.hasOwn(catalog.modules, name)) continue;
        const acc = entry(name);
        acc.direct = true;
        acc.declaredIn.add(manifest.path);
      }
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([name, acc]) => ({
      name,
      kinds: [...acc.kinds].sort(byCodeUnit),
      reasons: [...acc.reasons].sort(byCodeUnit),
      versions: [...acc.versions].sort(byCodeUnit),
      direct: acc.direct,
      lockfiles: [...acc.lockfiles].sort(byCodeUnit),
      declared_in: [...acc.declaredIn].sort(byCodeUnit),
    }));
}
