/**
 * pnpm-lock.yaml, lockfileVersion '9.0' (pnpm 9 and 10): `importers` per workspace, `packages`
 * for what was downloaded, `snapshots` for how each was wired (with pnpm's peer suffixes,
 * `eslint-plugin-n@17.20.0(eslint@8.57.1)`).
 *
 * The text is written here rather than by a YAML library so the layout matches pnpm's own
 * (blank line between entries, flow maps for `resolution` and `engines`, single quotes).
 */
import { parse } from 'yaml';
import { indexPackages, packageKey, resolveIn, WORKSPACE_RANGES, type LockGraph, type LockedPackage } from '../dependency-graph';
import { byCodeUnit } from '../prng';
import type { BumpEdit } from './types';

interface ImporterDep {
  specifier: string;
  version: string;
}
type ImporterDoc = Partial<Record<'dependencies' | 'devDependencies', Record<string, ImporterDep>>>;
interface PackageDoc {
  resolution: { integrity: string };
  engines?: { node: string };
  hasBin?: boolean;
  peerDependencies?: Record<string, string>;
}
interface SnapshotDoc {
  dependencies?: Record<string, string>;
}
export interface PnpmDoc {
  lockfileVersion: string;
  settings: { autoInstallPeers: boolean; excludeLinksFromLockfile: boolean };
  importers: Record<string, ImporterDoc>;
  packages: Record<string, PackageDoc>;
  snapshots: Record<string, SnapshotDoc>;
}

/** Quotes a scalar the way pnpm's YAML dumper does: only when a plain scalar would misread. */
export function pnpmScalar(value: string): string {
  const plain =
    value !== '' &&
    !/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(value) &&
    !/: |\s#|:$|\s$/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~)$/i.test(value) &&
    !/^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(value);
  return plain ? value : `'${value.replace(/'/g, "''")}'`;
}

/** `workspace:*` in folder `from` pointing at folder `to`, as pnpm writes it: `link:../to`. */
function linkVersion(from: string, to: string): string {
  const fromParts = from === '.' || from === '' ? [] : from.split('/');
  const toParts = to === '' ? [] : to.split('/');
  let common = 0;
  while (common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]) common++;
  const up = fromParts.slice(common).map(() => '..');
  return `link:${[...up, ...toParts.slice(common)].join('/') || '.'}`;
}

export function pnpmDocFromGraph(graph: LockGraph): PnpmDoc {
  const index = indexPackages(graph.packages);
  const workspaceByName = new Map(graph.importers.map((i) => [i.name, i.path]));
  const root = graph.importers.find((i) => i.path === '')!;

  // Peers resolve against the root's direct dependencies, like pnpm's auto-installed peers.
  const rootResolved = new Map<string, LockedPackage>();
  for (const [name, range] of [...Object.entries(root.dependencies), ...Object.entries(root.devDependencies)]) {
    const pkg = resolveIn(index, name, range);
    if (pkg) rootResolved.set(name, pkg);
  }
  const suffixCache = new Map<LockedPackage, string>();
  const suffix = (pkg: LockedPackage): string => {
    const cached = suffixCache.get(pkg);
    if (cached !== undefined) return cached;
    let out = '';
    for (const peer of Object.keys(pkg.peerDependencies ?? {}).sort(byCodeUnit)) {
      const target = rootResolved.get(peer);
      if (target) out += `(${peer}@${target.version}${suffix(target)})`;
    }
    suffixCache.set(pkg, out);
    return out;
  };

  const importers: Record<string, ImporterDoc> = {};
  for (const importer of graph.importers) {
    const path = importer.path === '' ? '.' : importer.path;
    const doc: ImporterDoc = {};
    for (const field of ['dependencies', 'devDependencies'] as const) {
      const entries = Object.entries(importer[field]);
      if (entries.length === 0) continue;
      const deps: Record<string, ImporterDep> = {};
      for (const [name, specifier] of entries) {
        const ws = workspaceByName.get(name);
        if (ws !== undefined && WORKSPACE_RANGES.has(specifier)) {
          deps[name] = { specifier, version: linkVersion(path, ws) };
          continue;
        }
        const pkg = resolveIn(index, name, specifier);
        if (!pkg) throw new Error(`${importer.name}: ${name}@${specifier} is not locked`);
        deps[name] = { specifier, version: `${pkg.version}${suffix(pkg)}` };
      }
      doc[field] = deps;
    }
    importers[path] = doc;
  }

  const packages: Record<string, PackageDoc> = {};
  const snapshots: Record<string, SnapshotDoc> = {};
  for (const pkg of graph.packages) {
    const entry: PackageDoc = { resolution: { integrity: pkg.integrity } };
    if (pkg.engines) entry.engines = { node: pkg.engines };
    if (pkg.bin) entry.hasBin = true;
    if (pkg.peerDependencies) entry.peerDependencies = pkg.peerDependencies;
    packages[packageKey(pkg.name, pkg.version)] = entry;

    const deps: Record<string, string> = {};
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      const dep = resolveIn(index, name, range);
      if (dep) deps[name] = `${dep.version}${suffix(dep)}`;
    }
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
      const target = rootResolved.get(peer);
      if (target) deps[peer] = `${target.version}${suffix(target)}`;
    }
    const snapshot: SnapshotDoc = {};
    if (Object.keys(deps).length > 0) snapshot.dependencies = deps;
    snapshots[`${packageKey(pkg.name, pkg.version)}${suffix(pkg)}`] = snapshot;
  }

  return {
    lockfileVersion: '9.0',
    settings: { autoInstallPeers: true, excludeLinksFromLockfile: false },
    importers,
    packages,
    snapshots,
  };
}

const sortedKeys = (record: object) => Object.keys(record).sort(byCodeUnit);

function flowMap(record: Record<string, string>): string {
  return `{${sortedKeys(record)
    .map((k) => `${k}: ${pnpmScalar(record[k])}`)
    .join(', ')}}`;
}

function plainMap(lines: string[], indent: string, record: Record<string, string>): void {
  for (const key of sortedKeys(record)) lines.push(`${indent}${pnpmScalar(key)}: ${pnpmScalar(record[key])}`);
}

export function writePnpmDoc(doc: PnpmDoc): string {
  const lines: string[] = [`lockfileVersion: ${pnpmScalar(doc.lockfileVersion)}`, '', 'settings:'];
  lines.push(`  autoInstallPeers: ${doc.settings.autoInstallPeers}`);
  lines.push(`  excludeLinksFromLockfile: ${doc.settings.excludeLinksFromLockfile}`);
  lines.push('', 'importers:');
  for (const path of sortedKeys(doc.importers)) {
    const importer = doc.importers[path];
    lines.push('');
    const fields = (['dependencies', 'devDependencies'] as const).filter((f) => importer[f] && Object.keys(importer[f]!).length > 0);
    if (fields.length === 0) {
      lines.push(`  ${pnpmScalar(path)}: {}`);
      continue;
    }
    lines.push(`  ${pnpmScalar(path)}:`);
    for (const field of fields) {
      lines.push(`    ${field}:`);
      const deps = importer[field]!;
      for (const name of sortedKeys(deps)) {
        lines.push(`      ${pnpmScalar(name)}:`);
        lines.push(`        specifier: ${pnpmScalar(deps[name].specifier)}`);
        lines.push(`        version: ${pnpmScalar(deps[name].version)}`);
      }
    }
  }
  lines.push('', 'packages:');
  for (const key of sortedKeys(doc.packages)) {
    const pkg = doc.packages[key];
    lines.push('', `  ${pnpmScalar(key)}:`);
    lines.push(`    resolution: ${flowMap(pkg.resolution)}`);
    if (pkg.engines) lines.push(`    engines: ${flowMap(pkg.engines)}`);
    if (pkg.hasBin) lines.push('    hasBin: true');
    if (pkg.peerDependencies) {
      lines.push('    peerDependencies:');
      plainMap(lines, '      ', pkg.peerDependencies);
    }
  }
  lines.push('', 'snapshots:');
  for (const key of sortedKeys(doc.snapshots)) {
    const snapshot = doc.snapshots[key];
    lines.push('');
    if (!snapshot.dependencies) {
      lines.push(`  ${pnpmScalar(key)}: {}`);
      continue;
    }
    lines.push(`  ${pnpmScalar(key)}:`, '    dependencies:');
    plainMap(lines, '      ', snapshot.dependencies);
  }
  return `${lines.join('\n')}\n`;
}

export function writePnpmLock(graph: LockGraph): string {
  return writePnpmDoc(pnpmDocFromGraph(graph));
}

export function readPnpmDoc(text: string): PnpmDoc {
  const doc = parse(text) as PnpmDoc;
  doc.importers ??= {};
  doc.packages ??= {};
  doc.snapshots ??= {};
  for (const [key, value] of Object.entries(doc.importers)) if (value === null) doc.importers[key] = {};
  for (const [key, value] of Object.entries(doc.snapshots)) if (value === null) doc.snapshots[key] = {};
  return doc;
}

/** Moves `name` from the old to the new version everywhere: importers, packages, snapshots, peer suffixes. */
export function bumpPnpmLock(text: string, edit: BumpEdit): string {
  const doc = readPnpmDoc(text);
  const oldId = `${edit.name}@${edit.oldVersion}`;
  const newId = `${edit.name}@${edit.newVersion}`;
  const renameSuffixes = (s: string) => s.split(`(${oldId})`).join(`(${newId})`).split(`(${oldId}(`).join(`(${newId}(`);
  const renameVersion = (name: string, version: string) =>
    name === edit.name && (version === edit.oldVersion || version.startsWith(`${edit.oldVersion}(`))
      ? edit.newVersion + renameSuffixes(version.slice(edit.oldVersion.length))
      : renameSuffixes(version);

  const importerKey = edit.importerPath === '' ? '.' : edit.importerPath;
  for (const [path, importer] of Object.entries(doc.importers)) {
    for (const field of ['dependencies', 'devDependencies'] as const) {
      for (const [name, dep] of Object.entries(importer[field] ?? {})) {
        dep.version = renameVersion(name, dep.version);
        if (path === importerKey && name === edit.name) dep.specifier = edit.newRange;
      }
    }
  }
  const packages: Record<string, PackageDoc> = {};
  for (const [key, pkg] of Object.entries(doc.packages)) {
    if (key === oldId) packages[newId] = { ...pkg, resolution: { integrity: edit.newIntegrity } };
    else packages[key] = pkg;
  }
  doc.packages = packages;
  const snapshots: Record<string, SnapshotDoc> = {};
  for (const [key, snapshot] of Object.entries(doc.snapshots)) {
    const newKey = key === oldId || key.startsWith(`${oldId}(`) ? newId + renameSuffixes(key.slice(oldId.length)) : renameSuffixes(key);
    if (snapshot.dependencies) {
      for (const [name, version] of Object.entries(snapshot.dependencies)) snapshot.dependencies[name] = renameVersion(name, version);
    }
    snapshots[newKey] = snapshot;
  }
  doc.snapshots = snapshots;
  return writePnpmDoc(doc);
}
