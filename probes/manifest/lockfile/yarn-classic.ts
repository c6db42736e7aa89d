/**
 * Yarn classic (`# yarn lockfile v1`), read with `@yarnpkg/parsers`' `parseSyml`, which splits a
 * block header such as `"debug@^2.2.0", "debug@^2.6.9":` into one key per descriptor, all pointing
 * at the same entry object. Aliases (`string-width-cjs@npm:string-width@^4.2.0`) are folded into
 * the package they install. The format records no dev/optional flags and no importers.
 */
import { isRecord } from '../../../tools/parse';
import { sourceOfLocator } from './source';
import { loadSyml, yamlString } from './syml';
import { EdgeCollector, emptyLockfile, issue, LocalSet, localKindOf, PackageSet, splitNameAndRange, type LockedPackage, type LockedRef, type ParsedLockfile } from './types';

export const YARN_V1_HEADER = /^# yarn lockfile v1\r?$/m;

/** `alias@npm:real@range` → ['alias', 'real', 'range']; `name@range` → ['name', 'name', 'range']. */
export function descriptorNames(descriptor: string): [installed: string, real: string, range: string] {
  const [installed, range] = splitNameAndRange(descriptor);
  if (range.startsWith('npm:')) {
    const [real, realRange] = splitNameAndRange(range.slice(4));
    // `npm:1.2.3` (a protocol-prefixed range without a name) keeps the installed name.
    if (realRange !== '' && !/^\d/.test(real)) return [installed, real, realRange];
  }
  return [installed, installed, range];
}

export function parseYarnClassicLockfile(file: string, text: string): ParsedLockfile {
  const loaded = loadSyml(file, text);
  if (!loaded.ok) return emptyLockfile('yarn-classic', [loaded.issue], 'v1');
  const set = new PackageSet();
  const local = new LocalSet();
  const edges = new EdgeCollector();
  const byDescriptor = new Map<string, LockedRef>();
  const byInstalledName = new Map<string, LockedRef[]>();
  // parseSyml hands out one object per block, under each of its descriptors: edges once per block.
  const seenBlocks = new Set<object>();
  const localEntries = new Set<string>();
  let malformed = 0;
  for (const [descriptor, entry] of Object.entries(loaded.value)) {
    if (!isRecord(entry)) {
      malformed++;
      continue;
    }
    const [installed, real, range] = descriptorNames(descriptor);
    const resolved = yamlString(entry.resolved);
    const version = yamlString(entry.version) ?? resolved ?? 'unknown';
    // `file:` and `link:` entries carry no `resolved`; their descriptor says where they come from.
    const locator = resolved ?? (/^[a-z+]+:/.test(range) ? range : undefined);
    const ref = { name: real, version };
    const localKind = localKindOf(/^[a-z+]+:/.test(range) ? range : undefined) ?? localKindOf(resolved);
    if (localKind !== undefined) {
      local.add(real, localKind, /^[a-z+]+:/.test(range) ? range : resolved!);
    } else {
      const pkg: LockedPackage = { name: real, version, source: sourceOfLocator(locator) };
      if (resolved !== undefined) pkg.resolved = resolved;
      const integrity = yamlString(entry.integrity);
      if (integrity !== undefined) pkg.integrity = integrity;
      const kept = set.add(pkg, installed);
      if (!seenBlocks.has(entry)) {
        seenBlocks.add(entry);
        for (const [group, optional] of [['dependencies', false], ['optionalDependencies', true]] as const) {
          const deps = entry[group];
          if (!isRecord(deps)) continue;
          for (const [dep, depRange] of Object.entries(deps)) {
            const r = yamlString(depRange);
            if (r !== undefined) edges.add(kept, dep, r, optional);
          }
        }
      }
    }
    if (localKind !== undefined) localEntries.add(`${real}@${version}`);
    byDescriptor.set(descriptor, ref);
    const list = byInstalledName.get(installed) ?? [];
    if (!list.some((r) => r.version === version)) list.push(ref);
    byInstalledName.set(installed, list);
  }
  return {
    kind: 'yarn-classic',
    format_version: 'v1',
    readable: true,
    packages: set.toSortedArray(),
    local_packages: local.toSortedArray(),
    edges: edges.resolve((_from, dep, r) => {
      const ref = byDescriptor.get(`${dep}@${r}`);
      return ref ? set.get(ref.name, ref.version) : undefined;
    }),
    // The corpus rule: distinct real name@version over all blocks, local blocks included.
    entry_count: set.size + localEntries.size,
    importer_dirs: [],
    locate: (_dir, name, specifier) => {
      const exact = byDescriptor.get(`${name}@${specifier}`);
      // A specifier edited in package.json but not re-locked: every locked version of the name.
      return exact ? [exact] : (byInstalledName.get(name) ?? []);
    },
    issues: malformed > 0 ? [issue(file, 'malformed-entry', `${malformed} entries are not blocks`)] : [],
  };
}
