/**
 * OSV range evaluation for npm, as the OSV schema defines it ("Evaluation" section): a range's
 * events are sorted by version and swept — `introduced` opens, `fixed` closes (that version is not
 * affected), `last_affected` closes after that version, `limit` bounds the whole range from above;
 * `introduced: "0"` is below every version. An explicit `versions` list affects exactly those
 * versions. Types SEMVER and ECOSYSTEM both use npm's SemVer 2.0 order (pre-releases included);
 * GIT ranges name commits, not versions, and are ignored. Versions that are not SemVer (file:,
 * git URLs) are never matched.
 */
import { SemVer, compare } from 'semver';
import type { OsvAffected, StoredAdvisory } from './osv';

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface CompiledEvent {
  kind: Kind;
  /** null for `introduced: "0"`. */
  at: SemVer | null;
}

interface CompiledRange {
  events: CompiledEvent[];
  limits: SemVer[];
}

export interface CompiledAffected {
  name: string;
  versions: Set<string>;
  ranges: CompiledRange[];
  fixed: string[];
}

export interface CompiledAdvisory {
  advisory: StoredAdvisory;
  affected: CompiledAffected[];
}

function parseVersion(text: string): SemVer | null {
  try {
    return new SemVer(text);
  } catch {
    return null;
  }
}

// At one version, `introduced` sorts before the closing events so that `introduced: X, fixed: X`
// (an empty range) leaves X unaffected, as a sweep in event order would.
const KIND_ORDER: Record<Kind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

function compileRange(events: ReadonlyArray<Record<string, string>>): CompiledRange | null {
  const out: CompiledEvent[] = [];
  const limits: SemVer[] = [];
  for (const event of events) {
    const kind = Object.keys(event)[0] as Kind;
    const value = event[kind];
    if (value === undefined || value === '') continue; // GitHub writes `fixed: ""` for "no fix yet"
    if (kind === 'introduced' && value === '0') {
      out.push({ kind, at: null });
      continue;
    }
    const at = parseVersion(value);
    if (!at) continue;
    if (kind === 'limit') limits.push(at);
    else out.push({ kind, at });
  }
  if (!out.some((e) => e.kind === 'introduced')) return null;
  out.sort((a, b) => (a.at === null ? (b.at === null ? 0 : -1) : b.at === null ? 1 : compare(a.at, b.at)) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return { events: out, limits };
}

export function compileAffected(entry: OsvAffected): CompiledAffected {
  const ranges: CompiledRange[] = [];
  const fixed = new Set<string>();
  for (const range of entry.ranges ?? []) {
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
    const compiled = compileRange(range.events as unknown as Array<Record<string, string>>);
    if (compiled) ranges.push(compiled);
    for (const e of range.events) if ('fixed' in e && e.fixed !== '' && parseVersion(e.fixed)) fixed.add(e.fixed);
  }
  return { name: entry.package.name, versions: new Set(entry.versions ?? []), ranges, fixed: [...fixed].sort(compare) };
}

export function compileAdvisory(advisory: StoredAdvisory): CompiledAdvisory {
  return { advisory, affected: advisory.affected.map(compileAffected) };
}

export function rangeIncludes(range: CompiledRange, v: SemVer): boolean {
  if (range.limits.length > 0 && range.limits.every((l) => compare(v, l) >= 0)) return false;
  let affected = false;
  for (const e of range.events) {
    if (e.at !== null && compare(v, e.at) < 0) break; // events are sorted: none further applies
    if (e.kind === 'introduced') affected = true;
    else if (e.kind === 'fixed') affected = false;
    else if (e.kind === 'last_affected') affected = compare(v, e.at!) <= 0 ? affected : false;
  }
  return affected;
}

/** Whether one `affected` entry hits `version` (already known to be the entry's package). */
export function affectedIncludes(entry: CompiledAffected, version: string): boolean {
  if (entry.versions.has(version)) return true;
  if (entry.ranges.length === 0) return false;
  const v = parseVersion(version);
  return v !== null && entry.ranges.some((r) => rangeIncludes(r, v));
}

/**
 * Advisories indexed by package name, for matching an inventory in one pass over its packages.
 * Entries are compiled (their versions parsed) on the first lookup of their name: an inventory
 * touches a few hundred of the store's names, so most of a 20,000-record store is never parsed.
 */
export class AdvisoryIndex {
  private readonly raw = new Map<string, Array<{ advisory: StoredAdvisory; entry: OsvAffected }>>();
  private readonly byName = new Map<string, Array<{ advisory: StoredAdvisory; entry: CompiledAffected }>>();

  constructor(advisories: Iterable<StoredAdvisory>) {
    for (const advisory of advisories) {
      if (advisory.withdrawn) continue;
      for (const entry of advisory.affected) {
        const list = this.raw.get(entry.package.name);
        if (list) list.push({ advisory, entry });
        else this.raw.set(entry.package.name, [{ advisory, entry }]);
      }
    }
  }

  private compiled(name: string): Array<{ advisory: StoredAdvisory; entry: CompiledAffected }> | undefined {
    let list = this.byName.get(name);
    if (list) return list;
    const raw = this.raw.get(name);
    if (!raw) return undefined;
    list = raw.map(({ advisory, entry }) => ({ advisory, entry: compileAffected(entry) }));
    this.byName.set(name, list);
    return list;
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  /** Every advisory hitting `name@version`, with the fixed versions of the entries that hit it. */
  lookup(name: string, version: string): Array<{ advisory: StoredAdvisory; fixed: string[] }> {
    const list = this.compiled(name);
    if (!list) return [];
    const hits = new Map<string, { advisory: StoredAdvisory; fixed: Set<string> }>();
    for (const { advisory, entry } of list) {
      if (!affectedIncludes(entry, version)) continue;
      let hit = hits.get(advisory.id);
      if (!hit) hits.set(advisory.id, (hit = { advisory, fixed: new Set() }));
      for (const f of entry.fixed) hit.fixed.add(f);
    }
    return [...hits.values()].map((h) => ({ advisory: h.advisory, fixed: [...h.fixed].sort(compare) }));
  }
}
