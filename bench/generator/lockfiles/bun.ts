/**
 * bun.lock, the text lockfile (lockfileVersion 1) Bun writes since 1.2: JSON with trailing
 * commas, `workspaces` keyed by folder, `packages` keyed by install path (`chalk/ansi-styles` is
 * the copy nested under chalk), each a tuple `[ident, registry, metadata, integrity]`.
 */
import JSON5 from 'json5';
import { WORKSPACE_RANGES, type LockGraph } from '../dependency-graph';
import { byCodeUnit } from '../prng';
import { placePackages } from './hoisting';
import type { BumpEdit } from './types';

interface BunWorkspace {
  name: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
type BunMeta = { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; bin?: Record<string, string> };
export type BunPackage = [string] | [string, string, BunMeta, string];
export interface BunDoc {
  lockfileVersion: number;
  configVersion: number;
  workspaces: Record<string, BunWorkspace>;
  packages: Record<string, BunPackage>;
}

export function bunDocFromGraph(graph: LockGraph): BunDoc {
  const workspaces: Record<string, BunWorkspace> = {};
  const packages: Record<string, BunPackage> = {};
  for (const importer of graph.importers) {
    const ws: BunWorkspace = { name: importer.name };
    if (importer.path !== '') ws.version = importer.version;
    if (Object.keys(importer.dependencies).length > 0) ws.dependencies = importer.dependencies;
    if (Object.keys(importer.devDependencies).length > 0) ws.devDependencies = importer.devDependencies;
    workspaces[importer.path] = ws;
    if (importer.path !== '') packages[importer.name] = [`${importer.name}@workspace:${importer.path}`];
  }
  for (const { chain, pkg } of placePackages(graph)) {
    const meta: BunMeta = {};
    if (Object.keys(pkg.dependencies).length > 0) meta.dependencies = pkg.dependencies;
    if (pkg.peerDependencies) meta.peerDependencies = pkg.peerDependencies;
    if (pkg.bin) meta.bin = pkg.bin;
    packages[chain.join('/')] = [`${pkg.name}@${pkg.version}`, '', meta, pkg.integrity];
  }
  return { lockfileVersion: 1, configVersion: 1, workspaces, packages };
}

const q = (s: string) => JSON.stringify(s);

/** `{ "a": "1", "b": { "c": "2" } }` on one line, as Bun prints package metadata. */
function inline(value: unknown): string {
  if (typeof value === 'string') return q(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${q(k)}: ${inline(v)}`).join(', ')} }`;
}

function block(lines: string[], indent: string, record: Record<string, string>): void {
  for (const key of Object.keys(record).sort(byCodeUnit)) lines.push(`${indent}${q(key)}: ${q(record[key])},`);
}

export function writeBunDoc(doc: BunDoc): string {
  const lines = ['{', `  "lockfileVersion": ${doc.lockfileVersion},`, `  "configVersion": ${doc.configVersion},`, '  "workspaces": {'];
  const wsKeys = Object.keys(doc.workspaces).sort(byCodeUnit);
  for (const path of wsKeys) {
    const ws = doc.workspaces[path];
    lines.push(`    ${q(path)}: {`, `      "name": ${q(ws.name)},`);
    if (ws.version) lines.push(`      "version": ${q(ws.version)},`);
    for (const field of ['dependencies', 'devDependencies'] as const) {
      if (!ws[field]) continue;
      lines.push(`      ${q(field)}: {`);
      block(lines, '        ', ws[field]!);
      lines.push('      },');
    }
    lines.push('    },');
  }
  lines.push('  },', '  "packages": {');
  const keys = Object.keys(doc.packages).sort(byCodeUnit);
  keys.forEach((key, i) => {
    if (i > 0) lines.push('');
    lines.push(`    ${q(key)}: ${inline(doc.packages[key])},`);
  });
  lines.push('  }', '}');
  return `${lines.join('\n')}\n`;
}

export function writeBunLock(graph: LockGraph): string {
  return writeBunDoc(bunDocFromGraph(graph));
}

export function readBunDoc(text: string): BunDoc {
  return JSON5.parse(text) as BunDoc;
}

export function bumpBunLock(text: string, edit: BumpEdit): string {
  const doc = readBunDoc(text);
  const ws = doc.workspaces[edit.importerPath];
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const deps = ws[field];
    if (deps && deps[edit.name] !== undefined && !WORKSPACE_RANGES.has(deps[edit.name])) deps[edit.name] = edit.newRange;
  }
  for (const entry of Object.values(doc.packages)) {
    if (entry.length === 4 && entry[0] === `${edit.name}@${edit.oldVersion}`) {
      entry[0] = `${edit.name}@${edit.newVersion}`;
      entry[3] = edit.newIntegrity;
    }
  }
  return writeBunDoc(doc);
}
