/**
 * Version constraints from several sources (`.nvmrc`, `engines`, volta, `.tool-versions`,
 * `packageManager`) and whether they agree. Each value is classified first: only exact versions,
 * partial versions (`20`, `20.11`) and semver ranges can be compared; aliases (`lts/*`, `node`,
 * `lts/hydrogen`) are recorded as written and left out of every comparison.
 */
import semver from 'semver';

export type ConstraintKind = 'exact' | 'partial' | 'range' | 'alias' | 'invalid';
export type Relation = 'equal' | 'satisfies' | 'intersects' | 'conflict';

export interface VersionConstraint {
  /** Where it came from: `nvmrc`, `node-version`, `tool-versions`, `volta`, `engines`, `package-manager-field`. */
  source: string;
  file: string;
  /** As written (trimmed, at most MAX_VALUE_LENGTH characters). */
  value: string;
  kind: ConstraintKind;
}

export interface Comparison {
  a: string;
  b: string;
  relation: Relation;
}

/** Longer values are cut and classified `invalid`: no real version string is this long. */
export const MAX_VALUE_LENGTH = 120;

const PARTIAL = /^\d+(\.\d+)?(\.[xX*])?$/;

export function trimValue(raw: string): { value: string; tooLong: boolean } {
  const value = raw.trim();
  return value.length > MAX_VALUE_LENGTH ? { value: value.slice(0, MAX_VALUE_LENGTH), tooLong: true } : { value, tooLong: false };
}

/** `v20.11.1` → `20.11.1`; other strings unchanged. */
function withoutV(value: string): string {
  return /^[vV]\d/.test(value) ? value.slice(1) : value;
}

export function classifyVersion(value: string, aliases: readonly RegExp[]): ConstraintKind {
  if (value.length === 0 || value.length > MAX_VALUE_LENGTH) return 'invalid';
  if (aliases.some((re) => re.test(value))) return 'alias';
  const bare = withoutV(value);
  if (semver.valid(bare)) return 'exact';
  if (PARTIAL.test(bare)) return 'partial';
  try {
    return semver.validRange(value) !== null ? 'range' : 'invalid';
  } catch {
    return 'invalid';
  }
}

export function makeConstraint(source: string, file: string, raw: string, aliases: readonly RegExp[]): VersionConstraint {
  const { value, tooLong } = trimValue(raw);
  return { source, file, value, kind: tooLong ? 'invalid' : classifyVersion(value, aliases) };
}

function isComparable(c: VersionConstraint): boolean {
  return c.kind === 'exact' || c.kind === 'partial' || c.kind === 'range';
}

/** How two comparable constraints relate; undefined when semver cannot tell. */
export function relate(a: VersionConstraint, b: VersionConstraint): Relation | undefined {
  try {
    if (a.kind === 'exact' && b.kind === 'exact') return semver.eq(withoutV(a.value), withoutV(b.value)) ? 'equal' : 'conflict';
    if (a.kind === 'exact' || b.kind === 'exact') {
      const [exact, range] = a.kind === 'exact' ? [a, b] : [b, a];
      return semver.satisfies(withoutV(exact.value), withoutV(range.value), { includePrerelease: true }) ? 'satisfies' : 'conflict';
    }
    return semver.intersects(withoutV(a.value), withoutV(b.value), { includePrerelease: true }) ? 'intersects' : 'conflict';
  } catch {
    return undefined;
  }
}

/** Every pair of comparable constraints, in the order the constraints are given (callers fix that order). */
export function compareAll(constraints: readonly VersionConstraint[]): { comparisons: Comparison[]; consistent: boolean | null } {
  const comparable = constraints.filter(isComparable);
  const comparisons: Comparison[] = [];
  for (let i = 0; i < comparable.length; i++) {
    for (let j = i + 1; j < comparable.length; j++) {
      const relation = relate(comparable[i], comparable[j]);
      if (relation) comparisons.push({ a: comparable[i].source, b: comparable[j].source, relation });
    }
  }
  const consistent = comparisons.length === 0 ? null : !comparisons.some((c) => c.relation === 'conflict');
  return { comparisons, consistent };
}

/** The first meaningful line of a version file (`.nvmrc`, `.node-version`): comments and blanks skipped. */
export function firstVersionLine(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const content = line.replace(/#.*$/, '').trim();
    if (content) return content;
  }
  return undefined;
}

/** A real `.tool-versions` names a handful of tools; a garbage file must not flood the slice. */
export const MAX_TOOLS = 100;

/** `.tool-versions` lines: `tool version [fallback versions...]`; the first version of each tool. */
export function parseToolVersions(text: string): Map<string, string> {
  const tools = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (tools.size >= MAX_TOOLS) break;
    const parts = line.replace(/#.*$/, '').trim().split(/\s+/);
    if (parts.length < 2 || !parts[0] || parts[0].length > MAX_VALUE_LENGTH) continue;
    // First entry wins, like asdf: a repeated tool line is ignored.
    if (!tools.has(parts[0])) tools.set(parts[0], trimValue(parts[1]).value);
  }
  return tools;
}
