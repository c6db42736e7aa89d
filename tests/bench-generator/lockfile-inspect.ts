/**
 * Reads a generated lockfile with the field's own parsers (JSON, `yaml`, `@yarnpkg/parsers`,
 * json5) and checks it the way a package manager would: every dependency range of every locked
 * package resolves to a locked package. Written independently of the generator's writers so the
 * tests do not grade the generator with its own code.
 */
import { parseSyml } from '@yarnpkg/parsers';
import JSON5 from 'json5';
import * as semver from 'semver';
import { parse } from 'yaml';
import type { PackageManager } from '../../bench/generator';

export interface Inspection {
  /** Unique name@version locked from the registry. */
  packages: Set<string>;
  /** Folders of the workspaces the lockfile lists as importers ('' for the root). */
  importers: Set<string>;
  /** Version locked for a direct dependency of the importer at `path`. */
  direct(path: string, name: string, range: string): string | null;
  /** Unresolvable dependencies, dangling references. Empty when the lockfile is consistent. */
  problems: string[];
}

const splitIdent = (ident: string) => {
  const at = ident.lastIndexOf('@');
  return { name: ident.slice(0, at), version: ident.slice(at + 1) };
};

function inspectNpm(text: string): Inspection {
  const doc = JSON.parse(text) as { lockfileVersion: number; packages: Record<string, Record<string, unknown>> };
  const problems: string[] = [];
  if (doc.lockfileVersion !== 3) problems.push(`lockfileVersion ${doc.lockfileVersion}`);
  const packages = new Set<string>();
  const importers = new Set<string>();
  for (const [key, entry] of Object.entries(doc.packages)) {
    if (!key.includes('node_modules/')) {
      importers.add(key);
      continue;
    }
    if (entry.link) {
      if (!(String(entry.resolved) in doc.packages)) problems.push(`${key} links to missing ${String(entry.resolved)}`);
      continue;
    }
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages.add(`${name}@${String(entry.version)}`);
    if (!/^sha512-[A-Za-z0-9+/]{86}==$/.test(String(entry.integrity))) problems.push(`${key}: integrity ${String(entry.integrity)}`);
    for (const [dep, range] of Object.entries((entry.dependencies as Record<string, string>) ?? {})) {
      // Node's lookup: own node_modules, then each ancestor's, then the top.
      const candidates: string[] = [];
      for (let base = key; ; ) {
        candidates.push(`${base}/node_modules/${dep}`);
        const cut = base.lastIndexOf('/node_modules/');
        if (cut === -1) break;
        base = base.slice(0, cut);
      }
      candidates.push(`node_modules/${dep}`);
      const found = candidates.map((c) => doc.packages[c]).find(Boolean);
      if (!found || !semver.satisfies(String(found.version), range)) problems.push(`${key}: ${dep}@${range} unresolved`);
    }
  }
  return {
    packages,
    importers,
    problems,
    direct: (_path, name) => (doc.packages[`node_modules/${name}`]?.version as string | undefined) ?? null,
  };
}

function inspectPnpm(text: string): Inspection {
  const doc = parse(text) as {
    lockfileVersion: string;
    importers: Record<string, Record<string, Record<string, { specifier: string; version: string }>> | null>;
    packages: Record<string, { resolution: { integrity: string } }>;
    snapshots: Record<string, { dependencies?: Record<string, string> } | null>;
  };
  const problems: string[] = [];
  if (doc.lockfileVersion !== '9.0') problems.push(`lockfileVersion ${doc.lockfileVersion}`);
  const packages = new Set(Object.keys(doc.packages));
  const snapshots = new Set(Object.keys(doc.snapshots));
  const importers = new Set(Object.keys(doc.importers).map((k) => (k === '.' ? '' : k)));
  const refOk = (name: string, version: string) => version.startsWith('link:') || snapshots.has(`${name}@${version}`);
  for (const [key, snapshot] of Object.entries(doc.snapshots)) {
    if (!packages.has(key.replace(/\(.*$/, ''))) problems.push(`snapshot ${key} has no package`);
    for (const [dep, version] of Object.entries(snapshot?.dependencies ?? {})) if (!refOk(dep, version)) problems.push(`${key}: ${dep}@${version} dangling`);
  }
  for (const [path, importer] of Object.entries(doc.importers)) {
    for (const field of ['dependencies', 'devDependencies']) {
      for (const [dep, { version }] of Object.entries(importer?.[field] ?? {})) if (!refOk(dep, version)) problems.push(`${path}: ${dep}@${version} dangling`);
    }
  }
  return {
    packages,
    importers,
    problems,
    direct: (path, name) => {
      const importer = doc.importers[path === '' ? '.' : path];
      const dep = importer?.dependencies?.[name] ?? importer?.devDependencies?.[name];
      return dep ? dep.version.replace(/\(.*$/, '') : null;
    },
  };
}

function inspectYarn(text: string, berry: boolean): Inspection {
  const doc = parseSyml(text) as Record<string, Record<string, unknown>>;
  const problems: string[] = [];
  if (berry) {
    const meta = doc.__metadata as { version?: string; cacheKey?: string } | undefined;
    if (meta?.version !== '8' || meta.cacheKey !== '10c0') problems.push(`__metadata ${JSON.stringify(meta)}`);
  } else if (!text.startsWith('# THIS IS AN AUTOGENERATED FILE') || '__metadata' in doc) problems.push('not a v1 lockfile');
  const byDescriptor = new Map<string, Record<string, unknown>>();
  const packages = new Set<string>();
  const importers = new Set<string>();
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    for (const d of key.split(/,\s*/)) byDescriptor.set(d, entry);
    const resolution = String(entry.resolution ?? '');
    const workspace = /@workspace:(.+)$/.exec(resolution);
    if (workspace) {
      importers.add(workspace[1] === '.' ? '' : workspace[1]);
      if (entry.linkType !== 'soft') problems.push(`${key}: workspace not soft`);
      continue;
    }
    const name = key.split(/,\s*/)[0].replace(/^(@?[^@]+)@.*$/, '$1');
    packages.add(`${name}@${String(entry.version)}`);
    if (berry) {
      for (const field of ['resolution', 'checksum', 'languageName', 'linkType']) if (!(field in entry)) problems.push(`${key}: no ${field}`);
      if (!/^10c0\/[0-9a-f]{128}$/.test(String(entry.checksum))) problems.push(`${key}: checksum`);
    } else if (!/^sha512-[A-Za-z0-9+/]{86}==$/.test(String(entry.integrity))) problems.push(`${key}: integrity`);
    for (const d of key.split(/,\s*/)) {
      const range = berry ? d.slice(d.indexOf('@npm:') + 5) : d.slice(d.indexOf('@', 1) + 1);
      if (!semver.satisfies(String(entry.version), range)) problems.push(`${d} does not admit ${String(entry.version)}`);
    }
  }
  for (const [key, entry] of Object.entries(doc)) {
    for (const [dep, range] of Object.entries((entry.dependencies as Record<string, string>) ?? {})) {
      if (!byDescriptor.has(`${dep}@${range}`)) problems.push(`${key}: ${dep}@${range} has no entry`);
    }
  }
  return {
    packages,
    importers,
    problems,
    direct: (_path, name, range) => {
      const entry = byDescriptor.get(berry ? `${name}@npm:${range}` : `${name}@${range}`);
      return entry ? String(entry.version) : null;
    },
  };
}

function inspectBun(text: string): Inspection {
  const doc = JSON5.parse(text) as {
    lockfileVersion: number;
    workspaces: Record<string, { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>;
    packages: Record<string, [string, string?, { dependencies?: Record<string, string> }?, string?]>;
  };
  const problems: string[] = [];
  if (doc.lockfileVersion !== 1) problems.push(`lockfileVersion ${doc.lockfileVersion}`);
  const packages = new Set<string>();
  for (const [key, entry] of Object.entries(doc.packages)) {
    if (entry[0].includes('@workspace:')) continue;
    packages.add(entry[0]);
    if (!/^sha512-/.test(String(entry[3]))) problems.push(`${key}: integrity`);
    for (const [dep, range] of Object.entries(entry[2]?.dependencies ?? {})) {
      const parts = key.split('/');
      // Keys are install paths: "a/b" is b nested under a; scoped names take two segments.
      const chain: string[] = [];
      for (let i = 0; i < parts.length; i++) chain.push(parts[i].startsWith('@') ? `${parts[i]}/${parts[++i]}` : parts[i]);
      let found: string | undefined;
      for (let depth = chain.length; depth >= 0 && !found; depth--) {
        const candidate = doc.packages[[...chain.slice(0, depth), dep].join('/')];
        if (candidate) found = candidate[0];
      }
      if (!found || !semver.satisfies(splitIdent(found).version, range)) problems.push(`${key}: ${dep}@${range} unresolved`);
    }
  }
  return {
    packages,
    importers: new Set(Object.keys(doc.workspaces)),
    problems,
    direct: (_path, name) => {
      const entry = doc.packages[name];
      return entry ? splitIdent(entry[0]).version : null;
    },
  };
}

export function inspectLockfile(pm: PackageManager, text: string): Inspection {
  switch (pm) {
    case 'npm':
      return inspectNpm(text);
    case 'pnpm':
      return inspectPnpm(text);
    case 'yarn-classic':
      return inspectYarn(text, false);
    case 'yarn-berry':
      return inspectYarn(text, true);
    case 'bun':
      return inspectBun(text);
  }
}

/** Every external dependency declared by the manifests in `files`, with the folder that declares it. */
export function declaredDependencies(files: Record<string, string>): Array<{ path: string; name: string; range: string }> {
  const out: Array<{ path: string; name: string; range: string }> = [];
  for (const [file, content] of Object.entries(files)) {
    if (!/(^|\/)package\.json$/.test(file)) continue;
    const pkg = JSON.parse(content) as Record<string, Record<string, string>>;
    const path = file === 'package.json' ? '' : file.slice(0, -'/package.json'.length);
    for (const field of ['dependencies', 'devDependencies']) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        if (range.startsWith('workspace:') || range === '*') continue;
        out.push({ path, name, range });
      }
    }
  }
  return out;
}
