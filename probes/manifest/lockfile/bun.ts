/**
 * Bun's text lockfile `bun.lock` (bun 1.1.39+): JSONC with trailing commas, read with JSON5.
 * `packages` is keyed by install path (`chalk`, `@babel/highlight/chalk` for a nested copy,
 * `my-workspace/dep` for a workspace-local copy); each value is an array whose first element is the
 * `name@version` ident. npm packages are `[ident, registry, meta, integrity]`; git, tarball, file and
 * workspace packages have other shapes, so fields are picked by type rather than position.
 */
import { isRecord, parseJson5 } from '../../../tools/parse';
import { sourceOfLocator } from './source';
import { EdgeCollector, emptyLockfile, issue, LocalSet, localKindOf, PackageSet, splitNameAndRange, type LockedPackage, type LockedRef, type ParsedLockfile } from './types';

/** `@babel/highlight/chalk` → ['@babel/highlight', 'chalk']. */
export function installPathNames(path: string): string[] {
  const parts = path.split('/');
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) names.push(parts[i].startsWith('@') && i + 1 < parts.length ? `${parts[i]}/${parts[++i]}` : parts[i]);
  return names;
}

/**
 * The package `dep` resolves to from the package installed at `fromPath`: its own nested copy
 * (`fromPath/dep`), then each enclosing install path's, then the hoisted one, as Node resolves.
 */
function resolveFrom(packageAt: Map<string, LockedPackage>, fromPath: string, dep: string): LockedPackage | undefined {
  const names = installPathNames(fromPath);
  for (let n = names.length; n >= 1; n--) {
    const hit = packageAt.get(`${names.slice(0, n).join('/')}/${dep}`);
    if (hit) return hit;
  }
  return packageAt.get(dep);
}

export function parseBunLockfile(file: string, text: string): ParsedLockfile {
  if (text.includes('\u0000')) return emptyLockfile('bun', [issue(file, 'binary-file', 'contains NUL bytes; not a text lockfile')]);
  const parsed = parseJson5<unknown>(file, text);
  if (!parsed.ok) return emptyLockfile('bun', [parsed.issue]);
  const doc = parsed.value;
  if (!isRecord(doc)) return emptyLockfile('bun', [issue(file, 'not-a-lockfile', 'expected a JSON object')]);
  const formatVersion = typeof doc.lockfileVersion === 'number' || typeof doc.lockfileVersion === 'string' ? doc.lockfileVersion : null;
  const workspaces = isRecord(doc.workspaces) ? doc.workspaces : {};
  const packages = isRecord(doc.packages) ? doc.packages : {};

  const set = new PackageSet();
  const local = new LocalSet();
  const edges = new EdgeCollector();
  const byPath = new Map<string, LockedRef>();
  const packageAt = new Map<string, LockedPackage>();
  const localIdents = new Set<string>();
  let malformed = 0;
  for (const path of Object.keys(packages)) {
    const value = packages[path];
    packages[path] = undefined;
    if (!Array.isArray(value) || typeof value[0] !== 'string') {
      malformed++;
      continue;
    }
    const [name, version] = splitNameAndRange(value[0]);
    if (version.startsWith('workspace:')) {
      byPath.set(path, { name, version: `link:${version.slice('workspace:'.length)}` });
      local.add(name, 'workspace', version);
      continue;
    }
    const localKind = localKindOf(version);
    if (localKind !== undefined) {
      localIdents.add(value[0]);
      byPath.set(path, { name, version });
      local.add(name, localKind, version);
      continue;
    }
    const meta = value.find((v, i) => i > 0 && isRecord(v)) as Record<string, unknown> | undefined;
    const integrity = value.find((v, i) => i > 0 && typeof v === 'string' && /^sha\d+-/.test(v)) as string | undefined;
    const registry = typeof value[1] === 'string' && value[1] !== '' && integrity !== undefined ? value[1] : undefined;
    const locator = /^\d/.test(version) ? registry : version;
    const pkg: LockedPackage = { name, version, source: /^\d/.test(version) ? 'registry' : sourceOfLocator(version) };
    if (locator !== undefined) pkg.resolved = locator;
    if (integrity !== undefined) pkg.integrity = integrity;
    if (meta && (meta.os !== undefined || meta.cpu !== undefined || meta.libc !== undefined)) pkg.platform_specific = true;
    const installedAs = installPathNames(path).pop();
    const kept = set.add(pkg, installedAs);
    byPath.set(path, { name, version });
    packageAt.set(path, kept);
    if (meta) {
      for (const [group, optional] of [['dependencies', false], ['optionalDependencies', true]] as const) {
        const deps = meta[group];
        // The dependent's install path goes along: bun resolves a name from there outwards.
        if (isRecord(deps)) for (const dep of Object.keys(deps)) edges.add(kept, dep, path, optional);
      }
    }
  }
  const issues = malformed > 0 ? [issue(file, 'malformed-entry', `${malformed} "packages" values are not [ident, ...] arrays`)] : [];
  return {
    kind: 'bun',
    format_version: formatVersion,
    readable: true,
    packages: set.toSortedArray(),
    local_packages: local.toSortedArray(),
    edges: edges.resolve((_from, dep, fromPath) => resolveFrom(packageAt, fromPath, dep)),
    // The corpus rule: distinct name@version idents except workspaces (local file:/link: included).
    entry_count: set.size + localIdents.size,
    importer_dirs: Object.keys(workspaces).sort(),
    locate: (dir, name) => {
      const ws = workspaces[dir];
      const wsName = isRecord(ws) && typeof ws.name === 'string' ? ws.name : undefined;
      // A workspace's own copy first (bun keys it under the workspace's package name), then the hoisted one.
      const hit = (dir !== '' && wsName !== undefined ? byPath.get(`${wsName}/${name}`) : undefined) ?? byPath.get(name);
      return hit ? [hit] : [];
    },
    issues,
  };
}
