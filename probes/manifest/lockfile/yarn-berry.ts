/**
 * Yarn berry (2+) `yarn.lock`: YAML read with `@yarnpkg/parsers`' `parseSyml`. Keys join several
 * descriptors (`"a@npm:^1.0.0, a@npm:^1.1.0"`); `resolution` names the locked locator
 * (`a@npm:1.1.0`, `a@patch:a@npm%3A1.1.0#…::version=1.1.0&hash=…`, `app@workspace:.`).
 * Workspace entries are the project's own packages: they are importers, not locked packages.
 */
import { isRecord } from '../../../tools/parse';
import { loadSyml, yamlString } from './syml';
import { EdgeCollector, emptyLockfile, issue, LocalSet, localKindOf, PackageSet, splitNameAndRange, type LockedPackage, type LockedRef, type PackageSource, type ParsedLockfile } from './types';

function sourceOfReference(reference: string): PackageSource {
  if (reference.startsWith('npm:')) return 'registry';
  if (reference.startsWith('patch:')) return reference.includes('@npm%3A') ? 'registry' : 'other';
  if (reference.startsWith('link:') || reference.startsWith('portal:')) return 'link';
  if (reference.startsWith('file:')) return /\.(tgz|tar\.gz|tar)(#|$)/.test(reference) ? 'tarball' : 'directory';
  if (/^(git\+|git:|github:|https?:\/\/github\.com\/.*\.git)/.test(reference) || reference.includes('#commit=')) return 'git';
  if (/^https?:/.test(reference)) return 'tarball';
  return 'other';
}

/** The locator a `patch:` reference patches (`patch:a@npm%3A1.0.0#…` → `npm:1.0.0`); the reference itself otherwise. */
export function patchedBase(reference: string): string {
  if (!reference.startsWith('patch:')) return reference;
  const end = reference.indexOf('#');
  const inner = reference.slice('patch:'.length, end < 0 ? undefined : end);
  let decoded: string;
  try {
    decoded = decodeURIComponent(inner);
  } catch {
    return reference;
  }
  return splitNameAndRange(decoded)[1] || reference;
}

export function parseYarnBerryLockfile(file: string, text: string): ParsedLockfile {
  const loaded = loadSyml(file, text);
  if (!loaded.ok) return emptyLockfile('yarn-berry', [loaded.issue]);
  const doc = loaded.value;
  const metadata = isRecord(doc.__metadata) ? doc.__metadata : undefined;
  const rawVersion = metadata ? yamlString(metadata.version) : undefined;
  // Failsafe YAML yields strings; the marker is an integer in every berry lockfile.
  const formatVersion = rawVersion === undefined ? null : /^\d+$/.test(rawVersion) ? Number(rawVersion) : rawVersion;
  if (!metadata) return emptyLockfile('yarn-berry', [issue(file, 'not-a-lockfile', 'no __metadata block (neither yarn classic nor berry)')]);

  const set = new PackageSet();
  const local = new LocalSet();
  const edges = new EdgeCollector();
  const byDescriptor = new Map<string, LockedRef>();
  const byName = new Map<string, LockedRef[]>();
  const workspaces = new Map<string, Record<string, unknown>>();
  let entries = 0;
  let malformed = 0;
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (!isRecord(entry)) {
      malformed++;
      continue;
    }
    const resolution = yamlString(entry.resolution) ?? key.split(', ')[0];
    const [name, reference] = splitNameAndRange(resolution);
    // `file:`/`portal:`/`link:`/`patch:` descriptors carry `::locator=<dependent>`; package.json does not.
    const descriptors = key.split(/,\s*/).flatMap((d) => (d.includes('::') ? [d, d.slice(0, d.indexOf('::'))] : [d]));
    if (reference.startsWith('workspace:')) {
      const dir = reference.slice('workspace:'.length);
      workspaces.set(dir === '.' ? '' : dir, isRecord(entry.dependencies) ? entry.dependencies : {});
      for (const d of descriptors) byDescriptor.set(d, { name, version: `link:${dir}` });
      local.add(name, 'workspace', reference);
      continue;
    }
    entries++;
    const version = yamlString(entry.version) ?? 'unknown';
    const ref = { name, version };
    // portal:/link:/file: (also when patched) point into the repository: listed, not locked.
    const localKind = localKindOf(patchedBase(reference));
    if (localKind !== undefined) {
      local.add(name, localKind, patchedBase(reference));
      for (const d of descriptors) byDescriptor.set(d, ref);
      continue;
    }
    const pkg: LockedPackage = { name, version, source: sourceOfReference(reference), resolved: resolution };
    const checksum = yamlString(entry.checksum);
    if (checksum !== undefined) pkg.integrity = checksum;
    if (reference.startsWith('patch:')) pkg.patched = true;
    if (yamlString(entry.conditions) !== undefined) pkg.platform_specific = true;
    let kept: LockedPackage | undefined;
    for (const d of descriptors) {
      const [installed] = splitNameAndRange(d);
      kept = set.add({ ...pkg }, installed);
      byDescriptor.set(d, ref);
      const list = byName.get(installed) ?? [];
      if (!list.some((r) => r.version === version)) list.push(ref);
      byName.set(installed, list);
    }
    if (kept && isRecord(entry.dependencies)) {
      const meta = isRecord(entry.dependenciesMeta) ? entry.dependenciesMeta : {};
      for (const [dep, range] of Object.entries(entry.dependencies)) {
        const r = yamlString(range);
        const depMeta = meta[dep];
        if (r !== undefined) edges.add(kept, dep, r, isRecord(depMeta) && yamlString(depMeta.optional) === 'true');
      }
    }
    if (kept && isRecord(entry.optionalDependencies)) {
      for (const [dep, range] of Object.entries(entry.optionalDependencies)) {
        const r = yamlString(range);
        if (r !== undefined) edges.add(kept, dep, r, true);
      }
    }
  }
  const issues = malformed > 0 ? [issue(file, 'malformed-entry', `${malformed} entries are not mappings`)] : [];
  return {
    kind: 'yarn-berry',
    format_version: formatVersion,
    readable: true,
    packages: set.toSortedArray(),
    local_packages: local.toSortedArray(),
    edges: edges.resolve((_from, dep, r) => {
      const ref = byDescriptor.get(`${dep}@${r}`) ?? byDescriptor.get(`${dep}@npm:${r}`);
      return ref ? set.get(ref.name, ref.version) : undefined;
    }),
    entry_count: entries,
    importer_dirs: [...workspaces.keys()].sort(),
    locate: (dir, name, specifier) => {
      const recorded = yamlString(workspaces.get(dir)?.[name]);
      // The package.json specifier first (berry writes bare ranges as `npm:<range>`), then what
      // the workspace entry recorded, then any locked version of the name.
      for (const candidate of [`${name}@${specifier}`, `${name}@npm:${specifier}`, recorded && `${name}@${recorded}`]) {
        const hit = candidate ? byDescriptor.get(candidate) : undefined;
        if (hit) return [hit];
      }
      return byName.get(name) ?? [];
    },
    issues,
  };
}
