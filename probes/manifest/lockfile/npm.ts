/**
 * npm `package-lock.json` and `npm-shrinkwrap.json`.
 *
 * - lockfileVersion 2 and 3: the flat `packages` map keyed by install path
 *   (`node_modules/a`, `node_modules/a/node_modules/b`, `packages/x` for a workspace folder).
 * - lockfileVersion 1 (npm 5/6): the nested `dependencies` tree, walked iteratively.
 */
import { isRecord, parseJson } from '../../../tools/parse';
import type { ProbeIssue } from '../../../tools/probe-api';
import { rootMembers, type MemberSpan } from './json-members';
import { sourceOfLocator } from './source';
import { emptyLockfile, issue, LocalSet, localKindOf, PackageSet, releasingEntries, type LockedPackage, type LockedRef, type ParsedLockfile } from './types';

const NODE_MODULES = 'node_modules/';

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `npm:real@1.2.3` (an alias as npm v1 and some v2 entries write it) → ['real', '1.2.3']. */
function unalias(version: string): [string, string] | undefined {
  if (!version.startsWith('npm:')) return undefined;
  const rest = version.slice(4);
  const at = rest.lastIndexOf('@');
  return at > 0 ? [rest.slice(0, at), rest.slice(at + 1)] : undefined;
}

/** npm (v2/v3) copies a package's `os`/`cpu`/`libc` fields into its entry. */
function restrictsPlatform(entry: Record<string, unknown>): boolean {
  return ['os', 'cpu', 'libc'].some((k) => (Array.isArray(entry[k]) && (entry[k] as unknown[]).length > 0) || (typeof entry[k] === 'string' && entry[k] !== ''));
}

/** Copies what an npm entry says (flags, resolved, integrity) onto a new package record. */
function withFlags(pkg: LockedPackage, entry: Record<string, unknown>, resolved: string | undefined): LockedPackage {
  if (entry.dev === true) pkg.dev = true;
  if (entry.optional === true) pkg.optional = true;
  if (entry.peer === true) pkg.peer = true;
  if (entry.hasInstallScript === true) pkg.has_install_script = true;
  if (restrictsPlatform(entry)) pkg.platform_specific = true;
  if (resolved !== undefined) pkg.resolved = resolved;
  const integrity = str(entry.integrity);
  if (integrity !== undefined) pkg.integrity = integrity;
  return pkg;
}

/** True for `node_modules/a`, `node_modules/a/node_modules/b`, `packages/x/node_modules/a`. */
function isInstallPath(path: string): boolean {
  return path.startsWith(NODE_MODULES) || path.includes(`/${NODE_MODULES}`);
}

/** A map's members, produced one at a time (from a parsed object, or parsed lazily from text spans). */
type Members = Iterable<[string, unknown]>;

function* membersOfSpans(text: string, spans: MemberSpan[]): Members {
  // Duplicate keys: the last one wins, as with JSON.parse.
  const last = new Map<string, MemberSpan>();
  for (const span of spans) last.set(span.key, span);
  for (const [key, span] of last) yield [key, JSON.parse(text.slice(span.start, span.end)) as unknown];
}

interface Shape {
  head: Record<string, unknown>;
  packages?: Members;
  dependencies?: Members;
}

/**
 * The document split into its small members (`head`) and its two big maps, read lazily. Big
 * lockfiles never exist as one object: each entry is parsed, turned into inventory, and dropped.
 */
function streamedShape(text: string): Shape {
  const head: Record<string, unknown> = {};
  const shape: Shape = { head };
  for (const member of rootMembers(text, (key) => key === 'packages' || key === 'dependencies')) {
    if (member.members && (member.key === 'packages' || member.key === 'dependencies')) {
      shape[member.key] = membersOfSpans(text, member.members);
      head[member.key] = {};
    } else head[member.key] = JSON.parse(text.slice(member.start, member.end)) as unknown;
  }
  return shape;
}

export interface NpmParseOptions {
  /** Read entry by entry from the text (default). Tests turn it off to compare with a whole-document parse. */
  streamed?: boolean;
}

export function parseNpmLockfile(file: string, text: string, options: NpmParseOptions = {}): ParsedLockfile {
  if (options.streamed !== false) {
    try {
      return fromShape(file, streamedShape(text));
    } catch {
      // The scanner or a member's JSON.parse objected: let JSON.parse judge the whole file, so the
      // reported error is the real one (and a scanner surprise on valid JSON costs only memory).
    }
  }
  const parsed = parseJson<unknown>(file, text);
  if (!parsed.ok) return emptyLockfile('npm', [parsed.issue]);
  if (!isRecord(parsed.value)) return emptyLockfile('npm', [issue(file, 'not-a-lockfile', 'expected a JSON object')]);
  const doc = parsed.value;
  return fromShape(file, {
    head: doc,
    packages: isRecord(doc.packages) ? releasingEntries(doc.packages) : undefined,
    dependencies: isRecord(doc.dependencies) ? releasingEntries(doc.dependencies) : undefined,
  });
}

function fromShape(file: string, shape: Shape): ParsedLockfile {
  const rawVersion = shape.head.lockfileVersion;
  const formatVersion = typeof rawVersion === 'number' || typeof rawVersion === 'string' ? rawVersion : null;
  if (shape.packages) return fromPackagesMap(file, shape.packages, formatVersion ?? 2);
  if (shape.dependencies || formatVersion === 1 || formatVersion === null) return fromDependencyTree(file, shape.dependencies ?? [], formatVersion ?? 1);
  return emptyLockfile('npm', [issue(file, 'not-a-lockfile', 'neither "packages" nor "dependencies" is an object')], formatVersion);
}

/** lockfileVersion 2/3: the flat `packages` map keyed by install path. */
function fromPackagesMap(file: string, packages: Members, formatVersion: string | number): ParsedLockfile {
  const set = new PackageSet();
  const local = new LocalSet();
  const links: Array<[string, string]> = [];
  const installed = new Map<string, LockedRef>();
  const entryKeys = new Set<string>();
  const importerDirs = new Set<string>(['']);
  const issues: ProbeIssue[] = [];
  let malformed = 0;
  for (const [path, entry] of packages) {
    if (!isRecord(entry)) {
      malformed++;
      continue;
    }
    if (!isInstallPath(path)) {
      // `""` is the root project; any other path without node_modules is a workspace folder.
      if (path !== '') importerDirs.add(path);
      continue;
    }
    const installedAs = path.slice(path.lastIndexOf(NODE_MODULES) + NODE_MODULES.length);
    if (entry.link === true) {
      const target = str(entry.resolved) ?? '';
      installed.set(path, { name: installedAs, version: `link:${target}` });
      links.push([installedAs, target]);
      continue;
    }
    let name = str(entry.name) ?? installedAs;
    let version = str(entry.version) ?? str(entry.resolved) ?? 'unknown';
    const aliased = unalias(version);
    if (aliased) [name, version] = aliased;
    entryKeys.add(`${installedAs}@${version}`);
    const resolved = str(entry.resolved);
    // A `file:` tarball is installed from the repository itself: local, not a locked package.
    const localKind = localKindOf(resolved);
    if (localKind !== undefined) {
      local.add(name, localKind, resolved!);
      installed.set(path, { name, version });
      continue;
    }
    const pkg = set.add(withFlags({ name, version, source: sourceOfLocator(resolved) }, entry, resolved), installedAs);
    installed.set(path, pkg);
  }
  if (malformed > 0) issues.push(issue(file, 'malformed-entry', `${malformed} "packages" entries are not objects`));
  // A link to a workspace folder is that workspace; any other link is a `file:`/`link:` folder.
  for (const [name, target] of links) {
    if (importerDirs.has(target)) local.add(name, 'workspace', `workspace:${target}`);
    else local.add(name, 'link', `link:${target}`);
  }
  return {
    kind: 'npm',
    format_version: formatVersion,
    readable: true,
    packages: set.toSortedArray(),
    local_packages: local.toSortedArray(),
    entry_count: entryKeys.size,
    importer_dirs: [...importerDirs].sort(),
    locate: (dir, name) => {
      // Node's resolution: the importer's own node_modules, then each parent folder's.
      let base = dir;
      for (;;) {
        const hit = installed.get(base === '' ? `${NODE_MODULES}${name}` : `${base}/${NODE_MODULES}${name}`);
        if (hit !== undefined) return [{ name: hit.name, version: hit.version }];
        if (base === '') return [];
        const slash = base.lastIndexOf('/');
        base = slash < 0 ? '' : base.slice(0, slash);
      }
    },
    issues,
  };
}

/** lockfileVersion 1: `dependencies` nested by install location (walked with an explicit stack). */
function fromDependencyTree(file: string, top: Members, formatVersion: string | number): ParsedLockfile {
  const set = new PackageSet();
  const local = new LocalSet();
  const entryKeys = new Set<string>();
  const topLevel = new Map<string, LockedRef>();
  let malformed = 0;
  const visit = (installedAs: string, entry: unknown, isTop: boolean, stack: Array<[string, unknown]>) => {
    if (!isRecord(entry)) {
      malformed++;
      return;
    }
    let name = installedAs;
    let version = str(entry.version) ?? 'unknown';
    const resolved = str(entry.resolved);
    const aliased = unalias(version);
    if (aliased) [name, version] = aliased;
    if (isTop) topLevel.set(installedAs, { name, version });
    entryKeys.add(`${installedAs}@${version}`);
    // Without `resolved`, a git or file version (`git+https://…`, `file:…`) is its own locator.
    const locator = resolved ?? (!aliased && version.includes(':') ? version : undefined);
    const localKind = localKindOf(locator);
    if (localKind !== undefined) local.add(name, localKind, locator!);
    else set.add(withFlags({ name, version, source: sourceOfLocator(locator) }, entry, resolved), installedAs);
    if (isRecord(entry.dependencies)) for (const [k, v] of Object.entries(entry.dependencies)) stack.push([k, v]);
  };
  for (const [installedAs, entry] of top) {
    const stack: Array<[string, unknown]> = [];
    visit(installedAs, entry, true, stack);
    while (stack.length > 0) {
      const [k, v] = stack.pop()!;
      visit(k, v, false, stack);
    }
  }
  return {
    kind: 'npm',
    format_version: formatVersion,
    readable: true,
    packages: set.toSortedArray(),
    local_packages: local.toSortedArray(),
    entry_count: entryKeys.size,
    importer_dirs: [],
    locate: (dir, name) => {
      if (dir !== '') return [];
      const hit = topLevel.get(name);
      return hit === undefined ? [] : [hit];
    },
    issues: malformed > 0 ? [issue(file, 'malformed-entry', `${malformed} "dependencies" entries are not objects`)] : [],
  };
}
