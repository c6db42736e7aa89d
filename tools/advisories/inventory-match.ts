/**
 * Matches a manifest slice's locked inventory (every lockfile, every locked name@version) against
 * the store. Each occurrence is checked: a package locked at three versions is three lookups, and
 * the same package in two lockfiles is reported per lockfile. Aliased packages (`npm:` aliases,
 * yarn `patch:`) are already recorded under their real name by the lockfile parsers.
 */
import { compare } from 'semver';
import { byCodeUnit, isRecord } from '../parse';
import type { AdvisoryIndex } from './match';
import type { StoredAdvisory } from './osv';
import { severityOf, type SeverityLevel } from './severity';

export interface VulnerabilityFact {
  id: string;
  aliases: string[];
  package: string;
  version: string;
  lockfile: string;
  /** Names the package is installed under when they differ (aliases), sorted. */
  installed_as: string[];
  patched: boolean;
  fixed_versions: string[];
  fix_available: boolean;
  severity: SeverityLevel;
  cvss_score: number | null;
  cvss_vector: string | null;
  summary: string | null;
  /** True/false when the lockfile records dev flags, else null. */
  dev_only: boolean | null;
  /** Whether a covered package.json declares it directly (its path is then the root → it). */
  direct: boolean;
}

const SEVERITY_RANK: Record<SeverityLevel, number> = { critical: 0, high: 1, medium: 2, low: 3, none: 4, unknown: 5 };

/** Groups advisories that name each other (GHSA ↔ CVE aliases) into one fact. */
function mergeAliases(hits: Array<{ advisory: StoredAdvisory; fixed: string[] }>): Array<{ primary: StoredAdvisory; ids: Set<string>; fixed: Set<string> }> {
  const groups: Array<{ primary: StoredAdvisory; ids: Set<string>; fixed: Set<string> }> = [];
  for (const hit of hits) {
    const ids = new Set([hit.advisory.id, ...hit.advisory.aliases]);
    const group = groups.find((g) => [...ids].some((id) => g.ids.has(id)));
    if (!group) {
      groups.push({ primary: hit.advisory, ids, fixed: new Set(hit.fixed) });
      continue;
    }
    for (const id of ids) group.ids.add(id);
    for (const f of hit.fixed) group.fixed.add(f);
    // The GHSA record is the primary (it carries the npm ranges); else the smallest id.
    const better = (a: string, b: string) => (a.startsWith('GHSA-') !== b.startsWith('GHSA-') ? a.startsWith('GHSA-') : byCodeUnit(a, b) < 0);
    if (better(hit.advisory.id, group.primary.id)) group.primary = hit.advisory;
  }
  return groups;
}

export function matchManifestSlice(slice: Record<string, unknown>, index: AdvisoryIndex): VulnerabilityFact[] {
  const facts: VulnerabilityFact[] = [];
  // One severity per advisory, however many locked versions it hits.
  const severities = new Map<string, ReturnType<typeof severityOf>>();
  const severity = (a: StoredAdvisory) => severities.get(a.id) ?? severities.set(a.id, severityOf(a)).get(a.id)!;
  const lockfiles = Array.isArray(slice.lockfiles) ? slice.lockfiles.filter(isRecord) : [];
  for (const lockfile of lockfiles) {
    const path = String(lockfile.path ?? '');
    // `flags_recorded` says whether this lockfile format records dev flags at all.
    const recordsDev = Array.isArray(lockfile.flags_recorded) && lockfile.flags_recorded.includes('dev');
    for (const pkg of Array.isArray(lockfile.packages) ? lockfile.packages.filter(isRecord) : []) {
      const name = String(pkg.name ?? '');
      const version = String(pkg.version ?? '');
      if (!index.has(name)) continue;
      for (const group of mergeAliases(index.lookup(name, version))) {
        const level = severity(group.primary);
        const fixed = [...group.fixed].sort(compare);
        facts.push({
          id: group.primary.id,
          aliases: [...group.ids].filter((id) => id !== group.primary.id).sort(byCodeUnit),
          package: name,
          version,
          lockfile: path,
          installed_as: Array.isArray(pkg.aliases) ? pkg.aliases.map(String).sort(byCodeUnit) : [],
          patched: pkg.patched === true,
          fixed_versions: fixed,
          fix_available: fixed.length > 0,
          severity: level.level,
          cvss_score: level.score ?? null,
          cvss_vector: level.vector ?? null,
          summary: group.primary.summary ?? null,
          dev_only: recordsDev ? pkg.dev === true : null,
          direct: pkg.direct === true,
        });
      }
    }
  }
  return facts.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      byCodeUnit(a.lockfile, b.lockfile) ||
      byCodeUnit(a.package, b.package) ||
      byCodeUnit(a.version, b.version) ||
      byCodeUnit(a.id, b.id),
  );
}
