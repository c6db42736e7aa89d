/**
 * Lockfile ↔ package.json drift: a declared dependency the lockfile does not lock, or locks at a
 * version outside the declared range. Reported as facts and warnings, never as errors: installs
 * with a drifted lockfile still work, they just do not install what package.json says.
 */
import semver from 'semver';
import { GROUP_NAMES, type DependencyGroup, type PackageSummary } from './package-json';
import type { LockedRef, ParsedLockfile } from './lockfile/types';

export type DriftKind = 'missing-from-lockfile' | 'version-outside-range';

export interface DriftItem {
  lockfile: string;
  package_json: string;
  group: DependencyGroup;
  name: string;
  specifier: string;
  kind: DriftKind;
  locked_versions: string[];
}

/** What can be checked for a specifier: nothing (workspace links), presence only, or a semver range. */
export type SpecifierCheck = { check: 'skip' } | { check: 'presence' } | { check: 'range'; range: string };

export function specifierCheck(specifier: string): SpecifierCheck {
  const spec = specifier.trim();
  if (/^(workspace|link|portal):/.test(spec)) return { check: 'skip' };
  if (spec.startsWith('npm:')) {
    // `npm:real@range` installs `real` under another name; the range is what is declared.
    const rest = spec.slice(4);
    const at = rest.lastIndexOf('@');
    const range = at > 0 ? rest.slice(at + 1) : rest;
    return semver.validRange(range, { loose: true }) !== null ? { check: 'range', range } : { check: 'presence' };
  }
  // file:, git URLs, github:, tarball URLs, catalog:, dist-tags (`latest`): present is all we can ask.
  if (/^[a-z+]+:/i.test(spec) || spec.includes('/')) return { check: 'presence' };
  return semver.validRange(spec, { loose: true }) !== null ? { check: 'range', range: spec } : { check: 'presence' };
}

function satisfiesAny(refs: readonly LockedRef[], range: string): boolean | undefined {
  let sawSemver = false;
  for (const ref of refs) {
    if (semver.valid(ref.version, { loose: true }) === null) continue;
    sawSemver = true;
    if (semver.satisfies(ref.version, range, { loose: true, includePrerelease: true })) return true;
  }
  // Only semver versions can be judged; a git or tarball version is not "outside" a range.
  return sawSemver ? false : undefined;
}

export interface ImporterCheck {
  drift: DriftItem[];
  /** `name@version` of every locked package the importer's declarations resolve to. */
  direct: LockedRef[];
  /** The same, with the group that declares each (the roots of dev/optional reachability). */
  declared: Array<{ ref: LockedRef; group: DependencyGroup }>;
}

/**
 * Checks one package.json (the importer at `importerDir`, relative to the lockfile's folder)
 * against `lockfile`. Peer dependencies are resolved for direct marking but never reported as
 * drift: package managers do not always install them. Names in `overridden` skip the range check,
 * since an override or resolution legitimately moves them outside the declared range.
 */
export function checkImporter(
  lockfilePath: string,
  lockfile: ParsedLockfile,
  importerDir: string,
  pkg: PackageSummary,
  overridden: ReadonlySet<string>,
): ImporterCheck {
  const drift: DriftItem[] = [];
  const direct: LockedRef[] = [];
  const declared: ImporterCheck['declared'] = [];
  for (const group of GROUP_NAMES) {
    for (const [name, specifier] of Object.entries(pkg.dependencies[group])) {
      const refs = lockfile.locate(importerDir, name, specifier);
      for (const ref of refs) {
        if (ref.version.startsWith('link:')) continue;
        direct.push(ref);
        declared.push({ ref, group });
      }
      if (group === 'peer') continue;
      const check = specifierCheck(specifier);
      if (check.check === 'skip') continue;
      const base = { lockfile: lockfilePath, package_json: pkg.path, group, name, specifier };
      if (refs.length === 0) {
        drift.push({ ...base, kind: 'missing-from-lockfile', locked_versions: [] });
        continue;
      }
      if (check.check !== 'range' || overridden.has(name)) continue;
      if (satisfiesAny(refs, check.range) === false) {
        drift.push({ ...base, kind: 'version-outside-range', locked_versions: [...new Set(refs.map((r) => r.version))].sort() });
      }
    }
  }
  return { drift, direct, declared };
}
