/**
 * `pnpm-lock.yaml`, lockfile versions 5.x (pnpm 5–7), 6.x (pnpm 8) and 9.x (pnpm 9+).
 *
 * Package keys by version:
 *   5.x  `/name/1.0.0`, `/@scope/name/1.0.0_react@18.2.0+react-dom@18.2.0` (peers after `_`)
 *   6.x  `/name@1.0.0(react@18.2.0)`, `/name@1.0.0(patch_hash=…)`
 *   9.x  `name@1.0.0` in `packages` (peer variants only in `snapshots`)
 * Non-registry keys (`github.com/a/b/<sha>`, `file:packages/x`, `name@file:…`, tarball URLs) carry
 * `name`/`version` fields or a locator as version. A file may hold several YAML documents (pnpm 11
 * writes an "env" lockfile first); the last one is the project's lockfile.
 */
import { posix } from 'node:path';
import { isRecord } from '../../../tools/parse';
import type { ProbeIssue } from '../../../tools/probe-api';
import { sourceOfLocator } from './source';
import { loadSyml, loadSymlSectioned, SectionChunkError, splitYamlDocuments, yamlString, yamlTrue } from './syml';
import { EdgeCollector, emptyLockfile, issue, LocalSet, PackageSet, releasingEntries, splitNameAndRange, type LocalKind, type LockedPackage, type ParsedLockfile, type PackageSource } from './types';

const GROUPS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

type Generation = 5 | 6 | 9;

function generationOf(version: string | undefined): Generation {
  const major = version === undefined ? NaN : parseFloat(version);
  return major >= 9 ? 9 : major >= 6 ? 6 : 5;
}

/** Removes the peer/patch suffix: `(…)` from 6.x/9.x versions, `_…` from 5.x ones. */
function stripSuffix(key: string, generation: Generation): string {
  if (generation === 5) {
    // The suffix starts at the first `_` after the last `/` of the version segment.
    const lastSlash = key.lastIndexOf('/');
    const underscore = key.indexOf('_', lastSlash + 1);
    return underscore < 0 ? key : key.slice(0, underscore);
  }
  const paren = key.indexOf('(');
  return paren < 0 ? key : key.slice(0, paren);
}

/** Name and version from a registry-style key (suffix already stripped). */
function nameAndVersionFromKey(key: string, generation: Generation): [string, string] | undefined {
  const bare = key.startsWith('/') ? key.slice(1) : key;
  if (generation === 5) {
    const parts = bare.split('/');
    const nameParts = bare.startsWith('@') ? 2 : 1;
    if (parts.length !== nameParts + 1) return undefined;
    return [parts.slice(0, nameParts).join('/'), parts[nameParts]];
  }
  const [name, version] = splitNameAndRange(bare);
  return version === '' ? undefined : [name, version];
}

function resolutionOf(entry: Record<string, unknown>): { resolved?: string; integrity?: string; source: PackageSource } {
  const res = isRecord(entry.resolution) ? entry.resolution : {};
  const integrity = yamlString(res.integrity);
  const tarball = yamlString(res.tarball);
  const repo = yamlString(res.repo);
  const directory = yamlString(res.directory);
  if (yamlString(res.type) === 'git' && repo) {
    const commit = yamlString(res.commit);
    return { resolved: commit ? `${repo}#${commit}` : repo, integrity, source: 'git' };
  }
  if (tarball) return { resolved: tarball, integrity, source: tarball.startsWith('file:') ? 'tarball' : sourceOfLocator(tarball) };
  if (directory !== undefined) return { resolved: `file:${directory}`, integrity, source: 'directory' };
  return { integrity, source: 'registry' };
}

export interface PnpmParseOptions {
  /** Read `packages`/`snapshots` piecewise when the layout allows (default). Tests turn it off to compare. */
  sectioned?: boolean;
  /** Entries per piece when sectioned (tests use tiny pieces to cross many boundaries). */
  chunkEntries?: number;
}

function entriesOf(value: unknown): Iterable<[string, unknown]> {
  return isRecord(value) ? releasingEntries(value) : [];
}

export function parsePnpmLockfile(file: string, text: string, options: PnpmParseOptions = {}): ParsedLockfile {
  const documents = splitYamlDocuments(text);
  // Only the last document is the project's lockfile; earlier ones describe pnpm's own install.
  const last = documents[documents.length - 1];
  if (options.sectioned !== false) {
    const sectioned = loadSymlSectioned(file, last, ['packages', 'snapshots'], options.chunkEntries);
    if (sectioned) {
      try {
        return fromDocument(file, last, sectioned.head, sectioned.sections.get('packages') ?? [], sectioned.sections.get('snapshots') ?? []);
      } catch (err) {
        // A chunk the whole-document parser may still read: fall through to it.
        if (!(err instanceof SectionChunkError)) throw err;
      }
    }
  }
  const loaded = loadSyml(file, last);
  if (!loaded.ok) return emptyLockfile('pnpm', [loaded.issue]);
  return fromDocument(file, last, loaded.value, entriesOf(loaded.value.packages), entriesOf(loaded.value.snapshots));
}

/**
 * The marker as YAML types it: pnpm 5–7 write `lockfileVersion: 5.4` (a number), pnpm 8+ quote it
 * (`'6.0'`, `'9.0'`). Failsafe parsing gives strings, so the quoting is read from the text.
 */
function typedFormatVersion(raw: string | undefined, text: string): string | number | null {
  if (raw === undefined) return null;
  const line = /^lockfileVersion:[ \t]*(\S+)/m.exec(text);
  const unquoted = line !== null && !/^['"]/.test(line[1]);
  return unquoted && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

function fromDocument(
  file: string,
  text: string,
  doc: Record<string, unknown>,
  packages: Iterable<[string, unknown]>,
  snapshots: Iterable<[string, unknown]>,
): ParsedLockfile {
  const rawVersion = yamlString(doc.lockfileVersion);
  const formatVersion = typedFormatVersion(rawVersion, text);
  if (rawVersion === undefined || formatVersion === null) return emptyLockfile('pnpm', [issue(file, 'not-a-lockfile', 'no lockfileVersion')]);
  const generation = generationOf(rawVersion);
  const issues: ProbeIssue[] = [];
  const patched = patchedKeys(doc.patchedDependencies);

  const set = new PackageSet();
  const local = new LocalSet();
  const byKey = new Map<string, LockedPackage>();
  const keys = new Set<string>();
  const edges = new EdgeCollector();
  let malformed = 0;
  for (const [key, entry] of packages) {
    if (!isRecord(entry)) {
      malformed++;
      continue;
    }
    keys.add(key);
    const stripped = stripSuffix(key, generation);
    const fromKey = nameAndVersionFromKey(stripped, generation);
    const name = yamlString(entry.name) ?? fromKey?.[0] ?? stripped;
    const version = yamlString(entry.version) ?? fromKey?.[1] ?? 'unknown';
    const { resolved, integrity, source } = resolutionOf(entry);
    // An injected workspace folder (`name@file:packages/x`) or a `file:` tarball: local.
    const localKind: LocalKind | undefined = source === 'directory' || resolved?.startsWith('file:') ? 'file' : undefined;
    if (localKind !== undefined) {
      local.add(name, localKind, resolved ?? stripped);
      // Still resolvable for `locate` (drift checks), but never part of the inventory.
      byKey.set(stripped, { name, version, source });
      continue;
    }
    const pkg: LockedPackage = { name, version, source };
    if (resolved !== undefined) pkg.resolved = resolved;
    if (integrity !== undefined) pkg.integrity = integrity;
    if (generation < 9) {
      // 5.x/6.x record `dev: true|false` on every package; 9.x records none.
      if (yamlTrue(entry.dev)) pkg.dev = true;
    }
    if (yamlTrue(entry.optional)) pkg.optional = true;
    if (yamlTrue(entry.requiresBuild)) pkg.has_install_script = true;
    if (entry.os !== undefined || entry.cpu !== undefined || entry.libc !== undefined) pkg.platform_specific = true;
    if (key.includes('(patch_hash=') || patched.has(`${name}@${version}`) || patched.has(name)) pkg.patched = true;
    byKey.set(stripped, set.add(pkg));
  }
  if (malformed > 0) issues.push(issue(file, 'malformed-entry', `${malformed} "packages" entries are not mappings`));

  // 9.x keeps `optional` and the dependency edges in snapshots (5.x/6.x record `dev` themselves).
  for (const [key, snap] of snapshots) {
    if (generation !== 9 || !isRecord(snap)) continue;
    const pkg = byKey.get(stripSuffix(key, generation));
    if (!pkg) continue;
    if (yamlTrue(snap.optional)) pkg.optional = true;
    for (const [group, optional] of [['dependencies', false], ['optionalDependencies', true]] as const) {
      const deps = snap[group];
      if (!isRecord(deps)) continue;
      for (const [dep, value] of Object.entries(deps)) {
        const v = yamlString(value);
        if (v !== undefined) edges.add(pkg, dep, v, optional);
      }
    }
  }

  const importers = importersOf(doc, generation);
  const resolve = (depName: string, value: string): { name: string; version: string } => {
    if (value.startsWith('link:')) return { name: depName, version: value };
    const version = stripSuffix(value, generation);
    const key = /^\d/.test(version)
      ? generation === 5
        ? `/${depName}/${version}`
        : generation === 6
          ? `/${depName}@${version}`
          : `${depName}@${version}`
      : /^(file:|https?:|git)/.test(version) && generation === 9
        ? `${depName}@${version}`
        : version;
    const pkg = byKey.get(key);
    if (pkg) return { name: pkg.name, version: pkg.version };
    const guess = nameAndVersionFromKey(key, generation);
    return guess ? { name: guess[0], version: guess[1] } : { name: depName, version };
  };

  // `link:` dependencies of importers: another importer (a workspace) or a folder elsewhere.
  for (const [dir, deps] of importers) {
    for (const [dep, value] of deps) {
      if (!value.startsWith('link:')) continue;
      const target = posix.normalize(posix.join(dir === '' ? '.' : dir, value.slice('link:'.length)));
      if (importers.has(target === '.' ? '' : target)) local.add(dep, 'workspace', `workspace:${target}`);
      else local.add(dep, 'link', value);
    }
  }
  const resolveEdge = (_from: LockedPackage, dep: string, value: string): LockedPackage | undefined => {
    if (value.startsWith('link:')) return undefined;
    const ref = resolve(dep, value);
    return set.get(ref.name, ref.version);
  };
  return {
    kind: 'pnpm',
    format_version: formatVersion,
    readable: true,
    packages: set.toSortedArray(),
    local_packages: local.toSortedArray(),
    ...(generation === 9 ? { edges: edges.resolve(resolveEdge) } : {}),
    entry_count: keys.size,
    importer_dirs: [...importers.keys()].sort(),
    locate: (dir, name) => {
      const value = importers.get(dir)?.get(name);
      return value === undefined ? [] : [resolve(name, value)];
    },
    issues,
  };
}

/** `patchedDependencies` keys: `name@version` (or a bare `name`, which patches every version). */
function patchedKeys(value: unknown): Set<string> {
  return new Set(isRecord(value) ? Object.keys(value) : []);
}

/** Importer folder (`''` for the lockfile's own) → dependency name → locked version string. */
function importersOf(doc: Record<string, unknown>, generation: Generation): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  const add = (id: string, importer: Record<string, unknown>) => {
    const deps = new Map<string, string>();
    for (const group of GROUPS) {
      const map = importer[group];
      if (!isRecord(map)) continue;
      for (const [dep, spec] of Object.entries(map)) {
        // 5.x: `name: version`; 6.x/9.x: `name: {specifier, version}`.
        const version = isRecord(spec) ? yamlString(spec.version) : yamlString(spec);
        if (version !== undefined) deps.set(dep, version);
      }
    }
    result.set(id === '.' ? '' : id.replace(/^\.\//, ''), deps);
  };
  if (isRecord(doc.importers)) {
    for (const [id, importer] of Object.entries(doc.importers)) if (isRecord(importer)) add(id, importer);
  } else if (generation < 9) {
    // A single-project lockfile keeps the root importer's maps at the top level.
    add('.', doc);
  }
  return result;
}
