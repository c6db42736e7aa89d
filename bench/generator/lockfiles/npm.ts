/** package-lock.json, lockfileVersion 3 (npm 9 and later): the `packages` map only. */
import { packageKey, productionKeys, WORKSPACE_RANGES, type LockGraph } from '../dependency-graph';
import { byCodeUnit } from '../prng';
import { placePackages } from './hoisting';
import type { BumpEdit, LockfileContext } from './types';

export function npmTarballUrl(name: string, version: string, registry = 'https://registry.npmjs.org'): string {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return `${registry}/${name}/-/${base}-${version}.tgz`;
}

type Entry = Record<string, unknown>;

export function writeNpmLock(graph: LockGraph, ctx: LockfileContext): string {
  const root = graph.importers.find((i) => i.path === '')!;
  const workspaces = graph.importers.filter((i) => i.path !== '');
  const packages: Record<string, Entry> = {};

  const rootEntry: Entry = { name: root.name, version: root.version };
  if (ctx.license) rootEntry.license = ctx.license;
  if (ctx.workspaceGlobs) rootEntry.workspaces = [...ctx.workspaceGlobs];
  if (Object.keys(root.dependencies).length > 0) rootEntry.dependencies = root.dependencies;
  if (Object.keys(root.devDependencies).length > 0) rootEntry.devDependencies = root.devDependencies;
  if (ctx.nodeEngine) rootEntry.engines = { node: ctx.nodeEngine };
  packages[''] = rootEntry;

  const entries: Array<[string, Entry]> = [];
  for (const ws of workspaces) {
    const entry: Entry = { name: ws.name, version: ws.version };
    if (Object.keys(ws.dependencies).length > 0) entry.dependencies = ws.dependencies;
    if (Object.keys(ws.devDependencies).length > 0) entry.devDependencies = ws.devDependencies;
    entries.push([ws.path, entry]);
    entries.push([`node_modules/${ws.name}`, { resolved: ws.path, link: true }]);
  }

  const prod = productionKeys(graph);
  for (const { chain, pkg } of placePackages(graph)) {
    const entry: Entry = {
      version: pkg.version,
      resolved: npmTarballUrl(pkg.name, pkg.version),
      integrity: pkg.integrity,
    };
    if (!prod.has(packageKey(pkg.name, pkg.version))) entry.dev = true;
    entry.license = pkg.license;
    if (Object.keys(pkg.dependencies).length > 0) entry.dependencies = pkg.dependencies;
    if (pkg.peerDependencies) entry.peerDependencies = pkg.peerDependencies;
    if (pkg.bin) entry.bin = pkg.bin;
    if (pkg.engines) entry.engines = { node: pkg.engines };
    entries.push([`node_modules/${chain.join('/node_modules/')}`, entry]);
  }
  entries.sort((a, b) => byCodeUnit(a[0], b[0]));
  for (const [key, entry] of entries) packages[key] = entry;

  const doc = { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Re-locks one package at a new version: every entry of the old version, plus the manifest range. */
export function bumpNpmLock(text: string, edit: BumpEdit): string {
  const doc = JSON.parse(text) as { packages: Record<string, Entry> };
  const importer = doc.packages[edit.importerPath];
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const deps = importer[field] as Record<string, string> | undefined;
    if (deps && deps[edit.name] !== undefined && !WORKSPACE_RANGES.has(deps[edit.name])) deps[edit.name] = edit.newRange;
  }
  for (const [key, entry] of Object.entries(doc.packages)) {
    if (!key.endsWith(`node_modules/${edit.name}`) || entry.version !== edit.oldVersion) continue;
    entry.version = edit.newVersion;
    entry.resolved = npmTarballUrl(edit.name, edit.newVersion);
    entry.integrity = edit.newIntegrity;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}
