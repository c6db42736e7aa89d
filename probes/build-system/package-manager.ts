/**
 * Which package manager a project uses: the root `packageManager` field (corepack's
 * `name@version[+algo.hash]`) when present, otherwise the lockfiles at the project root with the
 * catalog's precedence (pnpm > yarn > bun > npm). Lockfiles are found by name in the file index
 * and never opened here: the manifest probe parses them, and reading them would make this probe
 * re-run on every dependency bump.
 */
import { posix } from 'node:path';
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';

interface ToolchainCatalog {
  lockfiles: Record<string, { manager: string; binary?: boolean }>;
  lockfilePrecedence: string[];
  packageManagers: string[];
  yarnBerryMarkers: { files: string[]; folders: string[] };
  toolVersionsNames: Record<string, string[]>;
  nodeAliasPatterns: string[];
}

export function toolchainCatalog(): ToolchainCatalog {
  return loadCatalog<ToolchainCatalog>('toolchain');
}

export interface LockfileFact {
  path: string;
  manager: string;
  /** Directly in the project root (the ones that decide the package manager). */
  root: boolean;
  binary: boolean;
}

export interface PackageManagerField {
  name: string;
  version: string;
  /** The hash algorithm of a `+sha512.…` suffix; the hash itself is not repeated. */
  hash_algorithm: string | null;
}

const FIELD = /^([a-z][a-z0-9-]*)@([^\s+]+)(?:\+([A-Za-z0-9-]+)\.[A-Za-z0-9+/=_-]+)?$/;

/** Parses `pnpm@9.1.0+sha512.abc…`; undefined when the value does not have that shape. */
export function parsePackageManagerField(raw: string): PackageManagerField | undefined {
  const m = FIELD.exec(raw.trim());
  if (!m) return undefined;
  return { name: m[1], version: m[2], hash_algorithm: m[3] ?? null };
}

/** Lockfiles among `paths` (the file index's manifests, which list every lockfile name of the catalog). */
export function findLockfiles(paths: readonly string[]): LockfileFact[] {
  const { lockfiles } = toolchainCatalog();
  const out: LockfileFact[] = [];
  for (const path of paths) {
    const name = posix.basename(path);
    const spec = Object.prototype.hasOwnProperty.call(lockfiles, name) ? lockfiles[name] : undefined;
    if (!spec) continue;
    out.push({ path, manager: spec.manager, root: !path.includes('/'), binary: spec.binary === true });
  }
  return out.sort((a, b) => byCodeUnit(a.path, b.path));
}

/** The manager the root lockfiles point to, by precedence; null without root lockfiles. */
export function managerFromLockfiles(lockfiles: readonly LockfileFact[]): string | null {
  const present = new Set(lockfiles.filter((l) => l.root).map((l) => l.manager));
  return toolchainCatalog().lockfilePrecedence.find((m) => present.has(m)) ?? null;
}

/** `classic` / `berry` for yarn when the field's major version or berry's root files tell; else null. */
export function yarnFlavor(fieldVersion: string | null, indexedPaths: readonly string[]): 'classic' | 'berry' | null {
  const major = fieldVersion ? /^(\d+)\./.exec(fieldVersion) : null;
  if (major) return Number(major[1]) >= 2 ? 'berry' : 'classic';
  const { files, folders } = toolchainCatalog().yarnBerryMarkers;
  const rootFiles = new Set(files);
  const prefixes = folders.map((f) => `${f}/`);
  for (const p of indexedPaths) {
    if (rootFiles.has(p) || prefixes.some((f) => p.startsWith(f))) return 'berry';
  }
  return null;
}
