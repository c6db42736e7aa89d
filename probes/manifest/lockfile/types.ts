/**
 * What every lockfile parser returns. The parsers are pure: text in, typed result out, no I/O and
 * no throwing (a malformed file gives `issues` and whatever could still be read).
 *
 * `LockedPackage` uses snake_case field names because its objects go into the slice unchanged: a
 * 50,000-package inventory is not copied into a second shape.
 */
import type { ProbeIssue } from '../../../tools/probe-api';
import { byCodeUnit } from '../../../tools/parse';

export type LockfileKind = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';

export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** Where a locked package comes from, as far as its lockfile entry tells. */
export type PackageSource = 'registry' | 'tarball' | 'git' | 'directory' | 'link' | 'other';

export interface LockedPackage {
  /** The real package name (an `npm:` alias is folded into the package it installs). */
  name: string;
  /** The locked version; for a local directory or tarball with no version, the locator (`file:...`). */
  version: string;
  source: PackageSource;
  /** Installed names that differ from `name` (npm/yarn/bun aliases), sorted. */
  aliases?: string[];
  /** Tarball URL or resolution locator, when the lockfile records one. */
  resolved?: string;
  /** `integrity` (npm, pnpm, yarn classic, bun) or `checksum` (yarn berry). */
  integrity?: string;
  /** Flags exactly as the format records them; absent when the format does not say. */
  dev?: boolean;
  optional?: boolean;
  peer?: boolean;
  /** npm `hasInstallScript: true` or pnpm (v5/v6) `requiresBuild: true`. */
  has_install_script?: boolean;
  /**
   * A package modified by a patch (yarn `patch:`, pnpm `patchedDependencies`). The patched and the
   * unpatched copy of one name@version are one package: counted once, with this flag set.
   */
  patched?: boolean;
  /** The entry restricts `os`/`cpu`/`libc` (npm, pnpm, bun fields; berry `conditions`): a per-platform build. */
  platform_specific?: boolean;
  /** Set by the probe: the resolution of a dependency some covered package.json declares. */
  direct?: boolean;
}

/**
 * An entry that points into the repository (or the machine) instead of locking a published
 * package: a workspace, a `link:`/`portal:` symlink, a `file:` folder or tarball. Listed, never
 * counted as a locked package (nothing was downloaded, no advisory can name it).
 */
export type LocalKind = 'workspace' | 'link' | 'portal' | 'file';

export interface LocalPackage {
  name: string;
  kind: LocalKind;
  /** The reference as the lockfile writes it (`workspace:packages/a`, `portal:../x`, `file:./y.tgz`). */
  locator: string;
}

/** A dependency edge of the locked graph (formats that record no dev/optional flags give it). */
export interface DependencyEdge {
  to: LockedPackage;
  /** Declared in optionalDependencies (or berry `dependenciesMeta.<name>.optional`). */
  optional: boolean;
}

export interface LockedRef {
  name: string;
  version: string;
}

export interface ParsedLockfile {
  kind: LockfileKind;
  /** The format marker exactly as the file has it (`3`, `'9.0'`, `'v1'`, `8`), or null when unknown. */
  format_version: string | number | null;
  /** False when the file could not be parsed at all (its issue says why); `packages` is then empty. */
  readable: boolean;
  /**
   * One entry per distinct locked package (real name, version), sorted by name then version:
   * aliases and patches folded in, local entries (workspaces, links, portals, `file:`) left out.
   */
  packages: LockedPackage[];
  /** Local entries, sorted by name, kind, locator (see `LocalPackage`). */
  local_packages: LocalPackage[];
  /**
   * The dependency graph between locked packages, for formats whose flags must be derived by
   * reachability (pnpm 9, yarn classic and berry, bun). Absent for formats that record flags.
   */
  edges?: Map<LockedPackage, DependencyEdge[]>;
  /**
   * The format's own count of locked entries (see the slice schema: npm install paths by installed
   * name, pnpm `packages` keys, yarn berry entries, ...). Differs from `packages.length` where the
   * format lists one package several times (aliases, peer variants).
   */
  entry_count: number;
  /**
   * Folders (relative to the lockfile's folder, `''` for its own) that the lockfile itself records
   * as importers/workspaces. Empty when the format does not record them (yarn classic, npm v1).
   */
  importer_dirs: string[];
  /**
   * What the lockfile locks for dependency `name`, declared with `specifier` by the package in
   * `dir` (relative to the lockfile's folder): the real package name (aliases resolved) and its
   * version, `link:…` as version for a workspace link; `[]` when the lockfile has nothing for it.
   */
  locate(dir: string, name: string, specifier: string): LockedRef[];
  issues: ProbeIssue[];
}

/** A parse that read nothing: used when the file is not even structurally a lockfile. */
export function emptyLockfile(kind: LockfileKind, issues: ProbeIssue[], formatVersion: string | number | null = null): ParsedLockfile {
  return { kind, format_version: formatVersion, readable: false, packages: [], local_packages: [], entry_count: 0, importer_dirs: [], locate: () => [], issues };
}

export function comparePackages(a: LockedPackage, b: LockedPackage): number {
  return byCodeUnit(a.name, b.name) || byCodeUnit(a.version, b.version);
}

/** The kind of local entry a locator names, or undefined for a locked (downloaded) package. */
export function localKindOf(locator: string | undefined): LocalKind | undefined {
  if (locator === undefined) return undefined;
  if (locator.startsWith('workspace:')) return 'workspace';
  if (locator.startsWith('portal:')) return 'portal';
  if (locator.startsWith('link:')) return 'link';
  if (locator.startsWith('file:')) return 'file';
  return undefined;
}

/** Collects local entries, each (name, kind, locator) once. */
export class LocalSet {
  private readonly byKey = new Map<string, LocalPackage>();

  add(name: string, kind: LocalKind, locator: string): void {
    const key = `${name}\u0000${kind}\u0000${locator}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { name, kind, locator });
  }

  toSortedArray(): LocalPackage[] {
    return [...this.byKey.values()].sort((a, b) => byCodeUnit(a.name, b.name) || byCodeUnit(a.kind, b.kind) || byCodeUnit(a.locator, b.locator));
  }
}

/** Dependency edges collected by name and descriptor while parsing, resolved once every package is known. */
export class EdgeCollector {
  private readonly pending: Array<[LockedPackage, string, string, boolean]> = [];

  add(from: LockedPackage, name: string, descriptor: string, optional: boolean): void {
    this.pending.push([from, name, descriptor, optional]);
  }

  /** `resolve` maps (from, name, descriptor) to the locked package, or undefined (local or missing). */
  resolve(resolve: (from: LockedPackage, name: string, descriptor: string) => LockedPackage | undefined): Map<LockedPackage, DependencyEdge[]> {
    const edges = new Map<LockedPackage, DependencyEdge[]>();
    for (const [from, name, descriptor, optional] of this.pending) {
      const to = resolve(from, name, descriptor);
      if (to === undefined || to === from) continue;
      const list = edges.get(from);
      const existing = list?.find((e) => e.to === to);
      // Required wins over optional when a package names the same dependency twice.
      if (existing) existing.optional &&= optional;
      else if (list) list.push({ to, optional });
      else edges.set(from, [{ to, optional }]);
    }
    this.pending.length = 0;
    return edges;
  }
}

/**
 * Collects packages by identity (name, version), merging what several entries of the same
 * package say: flags are OR-ed for `has_install_script`, AND-ed for dev/optional/peer (a package
 * is dev-only when every copy is), `patched` and `platform_specific` are OR-ed, first
 * resolved/integrity wins, aliases are unioned.
 */
export class PackageSet {
  private readonly byKey = new Map<string, LockedPackage>();

  add(pkg: LockedPackage, installedAs?: string): LockedPackage {
    const key = `${pkg.name}@${pkg.version}`;
    const existing = this.byKey.get(key);
    if (!existing) {
      if (installedAs !== undefined && installedAs !== pkg.name) pkg.aliases = [installedAs];
      this.byKey.set(key, pkg);
      return pkg;
    }
    if (installedAs !== undefined && installedAs !== existing.name) {
      const aliases = (existing.aliases ??= []);
      if (!aliases.includes(installedAs)) aliases.push(installedAs);
    }
    existing.resolved ??= pkg.resolved;
    existing.integrity ??= pkg.integrity;
    for (const flag of ['dev', 'optional', 'peer'] as const) {
      if (existing[flag] !== undefined || pkg[flag] !== undefined) existing[flag] = (existing[flag] ?? false) && (pkg[flag] ?? false);
      if (existing[flag] === false) delete existing[flag];
    }
    if (pkg.has_install_script) existing.has_install_script = true;
    if (pkg.patched) existing.patched = true;
    if (pkg.platform_specific) existing.platform_specific = true;
    return existing;
  }

  get(name: string, version: string): LockedPackage | undefined {
    return this.byKey.get(`${name}@${version}`);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The sorted list; aliases sorted too. */
  toSortedArray(): LockedPackage[] {
    const list = [...this.byKey.values()];
    for (const p of list) if (p.aliases) p.aliases.sort(byCodeUnit);
    return list.sort(comparePackages);
  }
}

/** Options every parser accepts. */
export interface ParseOptions {
  /** Path of the lockfile relative to the project root, used in issues. */
  file: string;
}

/**
 * The entries of a parsed map, each released from the map as it is handed out, so the document
 * shrinks while the inventory built from it grows.
 */
export function* releasingEntries(map: Record<string, unknown>): Iterable<[string, unknown]> {
  for (const key of Object.keys(map)) {
    const value = map[key];
    map[key] = undefined;
    yield [key, value];
  }
}

export function issue(file: string, code: string, message: string): ProbeIssue {
  return { code, file, message: `${file}: ${message}` };
}

/** The package name part of `name@range` / `@scope/name@range` (the `@` that separates the version). */
export function splitNameAndRange(descriptor: string): [string, string] {
  const at = descriptor.indexOf('@', descriptor.startsWith('@') ? 1 : 0);
  return at <= 0 ? [descriptor, ''] : [descriptor.slice(0, at), descriptor.slice(at + 1)];
}
