/**
 * Yarn classic (`# yarn lockfile v1`), read with `@yarnpkg/parsers`' `parseSyml`, which splits a
 * block header such as `"debug@^2.2.0", "debug@^2.6.9":` into one key per descriptor, all pointing
 * at the same entry object. Aliases (`string-width-cjs@npm:string-width@^4.2.0`) are folded into
 * the package they install. The format records no dev/optional flags and no importers.
 */
import { isRecord } from '../../../tools/parse';
import { sourceOfLocator } from './source';
import { loadSyml, yamlString } from './syml';
import { emptyLockfile, issue, PackageSet, splitNameAndRange, type LockedPackage, type LockedRef, type ParsedLockfile } from './types';

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
  const byDescriptor = new Map<string, LockedRef>();
  const byInstalledName = new Map<string, LockedRef[]>();
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
    const pkg: LockedPackage = { name: real, version, source: sourceOfLocator(locator) };
    if (resolved !== undefined) pkg.resolved = resolved;
    const integrity = yamlString(entry.integrity);
    if (integrity !== undefined) pkg.integrity = integrity;
    set.add(pkg, installed);
    const ref = { name: real, version };
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
    entry_count: set.size,
    importer_dirs: [],
    locate: (_dir, name, specifier) => {
      const exact = byDescriptor.get(`${name}@${specifier}`);
      // A specifier edited in package.json but not re-locked: every locked version of the name.
      return exact ? [exact] : (byInstalledName.get(name) ?? []);
    },
    issues: malformed > 0 ? [issue(file, 'malformed-entry', `${malformed} entries are not blocks`)] : [],
  };
}
