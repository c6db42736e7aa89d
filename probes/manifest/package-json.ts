/**
 * One `package.json` read into the facts the manifest slice reports. Pure: text in, summary out;
 * a malformed file gives an issue and a summary with `readable: false`.
 */
import { posix } from 'node:path';
import { isRecord, parseJson } from '../../tools/parse';
import type { ProbeIssue } from '../../tools/probe-api';

export const DEPENDENCY_GROUPS = {
  production: 'dependencies',
  dev: 'devDependencies',
  optional: 'optionalDependencies',
  peer: 'peerDependencies',
} as const;

export type DependencyGroup = keyof typeof DEPENDENCY_GROUPS;
export const GROUP_NAMES = Object.keys(DEPENDENCY_GROUPS) as DependencyGroup[];

export type DependencyMaps = Record<DependencyGroup, Record<string, string>>;

/** One reachable `exports` target: the subpath, the conditions leading to it (in declared order, which is what Node honours), the target. */
export interface ExportEntry {
  subpath: string;
  conditions: string[];
  target: string | null;
}

export type PackageRole = 'root' | 'workspace' | 'importer' | 'lockfile-root';

export interface PackageSummary {
  path: string;
  dir: string;
  role: PackageRole;
  readable: boolean;
  name: string | null;
  version: string | null;
  private: boolean | null;
  type: string | null;
  main: string | null;
  module: string | null;
  types: string | null;
  exports: ExportEntry[] | null;
  bin: Record<string, string> | null;
  engines: Record<string, string> | null;
  package_manager: string | null;
  dependencies: DependencyMaps;
}

/** What the probe needs from a package.json beyond its summary (root only). */
export interface PackageExtras {
  workspaces: string[] | null;
  /** Names whose version an override/resolution may force outside the declared range. */
  overridden: string[];
}

export interface ReadPackage {
  summary: PackageSummary;
  extras: PackageExtras;
  issues: ProbeIssue[];
}

function emptyGroups(): DependencyMaps {
  return { production: {}, dev: {}, optional: {}, peer: {} };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stringMap(value: unknown): Record<string, string> | null {
  if (!isRecord(value)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Walks `exports` (string, array of fallbacks, subpath map or condition map), depth-bounded. */
export function flattenExports(value: unknown): ExportEntry[] | null {
  if (value === undefined || value === null) return null;
  const out: ExportEntry[] = [];
  const walk = (node: unknown, subpath: string, conditions: string[], depth: number): void => {
    if (depth > 16) return;
    if (typeof node === 'string' || node === null) out.push({ subpath, conditions, target: node });
    else if (Array.isArray(node)) for (const item of node) walk(item, subpath, conditions, depth + 1);
    else if (isRecord(node)) {
      for (const [key, child] of Object.entries(node)) {
        // Keys starting with "." are subpaths (only at the top level); others are conditions.
        if (key.startsWith('.') && conditions.length === 0 && subpath === '.') walk(child, key, conditions, depth + 1);
        else walk(child, subpath, [...conditions, key], depth + 1);
      }
    }
  };
  walk(value, '.', [], 0);
  return out;
}

function binOf(value: unknown, name: string | null): Record<string, string> | null {
  if (typeof value === 'string') {
    // A string `bin` installs one command named after the package (without its scope).
    const command = name === null ? '' : name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
    return { [command]: value };
  }
  return stringMap(value);
}

function workspacesOf(value: unknown): string[] | null {
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.packages) ? value.packages : null;
  return list === null ? null : list.filter((g): g is string => typeof g === 'string');
}

/** `name@range` / `**\/name` / `a>b` / `a/b` override keys → the package names they touch. */
export function overrideNames(keys: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const key of keys) {
    for (const part of splitOverridePath(key)) {
      const at = part.indexOf('@', part.startsWith('@') ? 1 : 0);
      names.add(at > 0 ? part.slice(0, at) : part);
    }
  }
  names.delete('');
  names.delete('**');
  return [...names];
}

function splitOverridePath(key: string): string[] {
  // pnpm `a>b`, yarn `a/b` and `**/b`; a scoped name keeps its own slash.
  const parts: string[] = [];
  for (const chunk of key.split('>')) {
    const segs = chunk.split('/');
    for (let i = 0; i < segs.length; i++) parts.push(segs[i].startsWith('@') && i + 1 < segs.length ? `${segs[i]}/${segs[++i]}` : segs[i]);
  }
  return parts;
}

/** npm `overrides` nest: `{ "a": { "b": "1.0.0", ".": "2.0.0" } }` touches a and b. */
function nestedKeys(value: Record<string, unknown>, into: string[], depth = 0): void {
  if (depth > 8) return;
  for (const [key, child] of Object.entries(value)) {
    if (key !== '.') into.push(key);
    if (isRecord(child)) nestedKeys(child, into, depth + 1);
  }
}

function overriddenOf(pkg: Record<string, unknown>): string[] {
  const keys: string[] = [];
  if (isRecord(pkg.overrides)) nestedKeys(pkg.overrides, keys);
  if (isRecord(pkg.resolutions)) keys.push(...Object.keys(pkg.resolutions));
  if (isRecord(pkg.pnpm) && isRecord(pkg.pnpm.overrides)) keys.push(...Object.keys(pkg.pnpm.overrides));
  return overrideNames(keys);
}

export function readPackageJson(path: string, text: string, role: PackageRole): ReadPackage {
  const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
  const summary: PackageSummary = {
    path,
    dir,
    role,
    readable: false,
    name: null,
    version: null,
    private: null,
    type: null,
    main: null,
    module: null,
    types: null,
    exports: null,
    bin: null,
    engines: null,
    package_manager: null,
    dependencies: emptyGroups(),
  };
  const extras: PackageExtras = { workspaces: null, overridden: [] };
  const parsed = parseJson<unknown>(path, text);
  if (!parsed.ok) return { summary, extras, issues: [parsed.issue] };
  const pkg = parsed.value;
  if (!isRecord(pkg)) return { summary, extras, issues: [{ code: 'parse-error', file: path, message: `${path}: expected a JSON object` }] };
  const issues: ProbeIssue[] = [];
  summary.readable = true;
  summary.name = stringOrNull(pkg.name);
  summary.version = stringOrNull(pkg.version);
  summary.private = typeof pkg.private === 'boolean' ? pkg.private : null;
  summary.type = stringOrNull(pkg.type);
  summary.main = stringOrNull(pkg.main);
  summary.module = stringOrNull(pkg.module);
  summary.types = stringOrNull(pkg.types) ?? stringOrNull(pkg.typings);
  summary.exports = flattenExports(pkg.exports);
  summary.bin = binOf(pkg.bin, summary.name);
  summary.engines = stringMap(pkg.engines);
  summary.package_manager = stringOrNull(pkg.packageManager);
  for (const group of GROUP_NAMES) {
    const raw = pkg[DEPENDENCY_GROUPS[group]];
    if (raw === undefined) continue;
    const map = stringMap(raw);
    if (map === null || Object.keys(map).length !== Object.keys(raw as object).length) {
      issues.push({ code: 'malformed-dependencies', file: path, message: `${path}: "${DEPENDENCY_GROUPS[group]}" has values that are not strings` });
    }
    if (map) summary.dependencies[group] = map;
  }
  extras.workspaces = workspacesOf(pkg.workspaces);
  extras.overridden = overriddenOf(pkg);
  return { summary, extras, issues };
}
