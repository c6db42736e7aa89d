/**
 * Native modules: locked (or, without any lockfile, declared) packages named in
 * `catalogs/native-modules.yaml`, plus what the lockfile itself shows:
 * - an install script (npm `hasInstallScript`, pnpm 5/6 `requiresBuild`): `install-script`;
 * - an `os`/`cpu`/`libc` restriction (npm, pnpm, bun; berry `conditions`): `platform-binary`.
 * Per-platform builds are grouped into one entry per family: a catalog family pattern
 * (`@esbuild/*`, `@rollup/rollup-*`, ...; `platform-family`), else, for a platform-restricted
 * package, its name minus the platform tail (`@oxc-resolver/binding-linux-x64-gnu` →
 * `@oxc-resolver/binding-*`). The family entry lists its locked members.
 * Peer dependencies never count (nothing installs an optional peer), and once a lockfile exists
 * only locked packages do.
 */
import picomatch from 'picomatch';
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';
import type { DependencyMaps } from './package-json';
import type { LockedPackage } from './lockfile/types';

export interface NativeModulesCatalog {
  kinds: Record<string, string>;
  modules: Record<string, string[]>;
  families?: Record<string, string[]>;
}

export type NativeReason = 'catalog' | 'install-script' | 'platform-binary' | 'platform-family';

export interface NativeModule {
  /** The package name, or for a family of platform builds its pattern (`@esbuild/*`). */
  name: string;
  /** The locked packages of a family, sorted; absent for a single package. */
  members?: string[];
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
  members: Set<string> | undefined;
  kinds: Set<string>;
  reasons: Set<NativeReason>;
  versions: Set<string>;
  direct: boolean;
  lockfiles: Set<string>;
  declaredIn: Set<string>;
}

/** `os` values npm knows (process.platform); a name segment starting with one is a platform tail. */
const PLATFORM_TAIL = /-(darwin|linux|win32|windows|freebsd|openbsd|netbsd|android|openharmony|sunos|aix|wasm32|musl|linuxmusl)(-[a-z0-9_-]*)?$/;

/** The family a platform-restricted package belongs to by name (`@x/bin-linux-x64` → `@x/bin-*`), if its name has a platform tail. */
export function platformFamilyOf(name: string): string | undefined {
  const m = PLATFORM_TAIL.exec(name);
  if (!m || m.index === 0) return undefined;
  return `${name.slice(0, m.index)}-*`;
}

function familyMatchers(catalog: NativeModulesCatalog): Array<{ pattern: string; kinds: string[]; test: (name: string) => boolean }> {
  return Object.entries(catalog.families ?? {})
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([pattern, kinds]) => ({ pattern, kinds, test: picomatch(pattern, { dot: true }) }));
}

export function findNativeModules(
  lockfiles: ReadonlyArray<{ path: string; packages: readonly LockedPackage[] }>,
  manifests: ReadonlyArray<{ path: string; dependencies: DependencyMaps }>,
  catalog: NativeModulesCatalog = nativeModulesCatalog(),
): NativeModule[] {
  const families = familyMatchers(catalog);
  const found = new Map<string, Accumulator>();
  const entry = (name: string, family?: { kinds: string[]; reason: NativeReason }): Accumulator => {
    let acc = found.get(name);
    if (!acc) {
      acc = {
        members: family ? new Set() : undefined,
        kinds: new Set(family ? family.kinds : (catalog.modules[name] ?? [])),
        reasons: new Set(),
        versions: new Set(),
        direct: false,
        lockfiles: new Set(),
        declaredIn: new Set(),
      };
      if (family) acc.reasons.add(family.reason);
      else if (Object.hasOwn(catalog.modules, name)) acc.reasons.add('catalog');
      found.set(name, acc);
    }
    return acc;
  };
  /** The entry a locked package goes to: its catalog module, its family, or its own. */
  const target = (pkg: LockedPackage): Accumulator | undefined => {
    if (Object.hasOwn(catalog.modules, pkg.name)) return entry(pkg.name);
    const byPattern = families.find((f) => f.test(pkg.name));
    if (byPattern) return entry(byPattern.pattern, { kinds: byPattern.kinds, reason: 'platform-family' });
    if (pkg.platform_specific) {
      const byName = platformFamilyOf(pkg.name);
      return byName ? entry(byName, { kinds: ['prebuilt-binary'], reason: 'platform-binary' }) : entry(pkg.name);
    }
    return pkg.has_install_script ? entry(pkg.name) : undefined;
  };
  for (const lockfile of lockfiles) {
    for (const pkg of lockfile.packages) {
      const acc = target(pkg);
      if (!acc) continue;
      acc.members?.add(pkg.name);
      if (pkg.has_install_script) acc.reasons.add('install-script');
      if (pkg.platform_specific) {
        acc.reasons.add('platform-binary');
        acc.kinds.add('prebuilt-binary');
      }
      acc.versions.add(pkg.version);
      acc.lockfiles.add(lockfile.path);
      if (pkg.direct) acc.direct = true;
    }
  }
  const lockedOnly = lockfiles.length > 0;
  for (const manifest of manifests) {
    for (const [group, deps] of Object.entries(manifest.dependencies)) {
      if (group === 'peer') continue;
      for (const name of Object.keys(deps)) {
        // With a lockfile, a declared name only annotates what is locked (an unlocked declaration installs nothing).
        if (lockedOnly ? !found.has(name) : !Object.hasOwn(catalog.modules, name)) continue;
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
      ...(acc.members ? { members: [...acc.members].sort(byCodeUnit) } : {}),
      kinds: [...acc.kinds].sort(byCodeUnit),
      reasons: [...acc.reasons].sort(byCodeUnit),
      versions: [...acc.versions].sort(byCodeUnit),
      direct: acc.direct,
      lockfiles: [...acc.lockfiles].sort(byCodeUnit),
      declared_in: [...acc.declaredIn].sort(byCodeUnit),
    }));
}
