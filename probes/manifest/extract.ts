/**
 * The manifest probe body: package.json files, workspaces, every lockfile's locked inventory,
 * native modules, frameworks and lockfile drift. Reads only `ctx.files` through `ctx.readText`.
 */
import { posix } from 'node:path';
import semver from 'semver';
import { byCodeUnit, isRecord, parseYaml } from '../../tools/parse';
import { compareIssues } from '../../tools/issue-order';
import type { ProbeContext, ProbeIssue, ProbeResult } from '../../tools/probe-api';
import { ProbeInputError } from '../../tools/probe-api';
import { checkImporter, specifierCheck, type DriftItem } from './drift';
import { findFrameworks } from './frameworks';
import { isBinaryLockfilePath, isLockfilePath, PACKAGE_MANAGER_OF, parseLockfile } from './lockfile/parse-lockfile';
import type { LocalPackage, LockedPackage, LockfileKind, PackageManagerName, ParsedLockfile } from './lockfile/types';
import { classifyLockfile, isExcludedLockfileRole, type LockfileRole } from './lockfile-roles';
import { deriveFlags, type Root } from './reachability';
import { findNativeModules } from './native-modules';
import { GROUP_NAMES, overrideNames, readPackageJson, type DependencyGroup, type PackageRole, type PackageSummary, type ReadPackage } from './package-json';
import { workspaceSource, type WorkspaceSource } from './workspaces';

/** Flags each lockfile kind records on its packages; absent flags on those kinds mean false. */
const FLAGS_RECORDED: Record<string, Array<'dev' | 'optional' | 'peer' | 'has_install_script'>> = {
  'npm-1': ['dev', 'optional'],
  npm: ['dev', 'optional', 'peer', 'has_install_script'],
  'pnpm-5': ['dev', 'optional', 'has_install_script'],
  'pnpm-6': ['dev', 'optional', 'has_install_script'],
  pnpm: ['optional'],
  'yarn-classic': [],
  'yarn-berry': [],
  bun: [],
};

/** Flags derived by reachability (`reachability.ts`) for the kinds above that do not record them. */
const FLAGS_DERIVED: Record<string, { dev: boolean; optional: boolean }> = {
  pnpm: { dev: true, optional: false },
  'yarn-classic': { dev: true, optional: true },
  'yarn-berry': { dev: true, optional: true },
  bun: { dev: true, optional: true },
};

/** When several lockfiles sit at the root, the one whose versions describe the root's direct dependencies. */
const ROOT_LOCKFILE_PREFERENCE: readonly string[] = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'npm-shrinkwrap.json', 'package-lock.json'];

export interface LockfileReport {
  path: string;
  /** What the lockfile is for, from its folder (`lockfile-roles.ts`). */
  role: LockfileRole;
  role_reason: string;
  kind: LockfileKind;
  format_version: string | number | null;
  package_manager: PackageManagerName;
  readable: boolean;
  package_count: number;
  entry_count: number;
  direct_count: number;
  importer_count: number;
  flags_recorded: string[];
  /** `recorded`: the format writes the flags; `derived`: computed from the importers' roots; `none`. */
  flags_origin: 'recorded' | 'derived' | 'none';
  packages: LockedPackage[];
  local_count: number;
  local_packages: LocalPackage[];
}

/** A fixture or test-app lockfile: parsed for its counts, kept out of inventory, drift and risks. */
export interface ExcludedLockfile {
  path: string;
  role: LockfileRole;
  role_reason: string;
  kind: LockfileKind;
  format_version: string | number | null;
  readable: boolean;
  package_count: number;
  entry_count: number;
}

interface DirectDependency {
  name: string;
  specifier: string;
  locked_version: string | null;
}

function flagsKey(parsed: ParsedLockfile): string {
  const v = parsed.format_version;
  if (parsed.kind === 'npm' && (v === 1 || v === '1')) return 'npm-1';
  if (parsed.kind === 'pnpm' && v !== null) {
    // 5.x is written as a YAML number (5.4), 6.x and later as a string ('6.0', '9.0').
    const major = Number(v);
    if (major < 6) return 'pnpm-5';
    if (major < 9) return 'pnpm-6';
  }
  return parsed.kind;
}

function dirOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
}

function joinDir(...parts: string[]): string {
  return posix.join(...parts.filter((p) => p !== '')) || '';
}

export async function extractManifest(ctx: ProbeContext): Promise<ProbeResult> {
  const errors: ProbeIssue[] = [];
  const warnings: ProbeIssue[] = [];
  const fileSet = new Set(ctx.files);
  const packageJsonPaths = ctx.files.filter((p) => posix.basename(p) === 'package.json');

  const read = async (path: string): Promise<string | undefined> => {
    try {
      return await ctx.readText(path);
    } catch (err) {
      if (err instanceof ProbeInputError) {
        errors.push({ code: err.code, file: path, message: err.message });
        return undefined;
      }
      throw err;
    }
  };

  // package.json files are read once, in the role they are first needed in.
  const manifests = new Map<string, ReadPackage>();
  const loadManifest = async (path: string, role: PackageRole): Promise<ReadPackage | undefined> => {
    if (!fileSet.has(path)) return undefined;
    const cached = manifests.get(path);
    if (cached) return cached;
    const text = await read(path);
    const result = readPackageJson(path, text ?? '', role);
    if (text === undefined) result.issues = [];
    errors.push(...result.issues);
    manifests.set(path, result);
    return result;
  };

  const root = await loadManifest('package.json', 'root');

  // Workspaces: package.json `workspaces` first, else pnpm-workspace.yaml `packages`.
  const sources: WorkspaceSource[] = [];
  const overridden = new Set(root?.extras.overridden ?? []);
  if (root?.extras.workspaces) sources.push(workspaceSource('package.json#workspaces', root.extras.workspaces, packageJsonPaths));
  if (fileSet.has('pnpm-workspace.yaml')) {
    const text = await read('pnpm-workspace.yaml');
    if (text !== undefined) {
      const parsed = parseYaml<unknown>('pnpm-workspace.yaml', text);
      if (!parsed.ok) errors.push(parsed.issue);
      else {
        warnings.push(...parsed.warnings);
        const doc = isRecord(parsed.value) ? parsed.value : {};
        if (Array.isArray(doc.packages)) {
          const globs = doc.packages.filter((g): g is string => typeof g === 'string');
          sources.push(workspaceSource('pnpm-workspace.yaml#packages', globs, packageJsonPaths));
        }
        if (isRecord(doc.overrides)) for (const name of overrideNames(Object.keys(doc.overrides))) overridden.add(name);
      }
    }
  }
  // pnpm reads only pnpm-workspace.yaml and ignores package.json `workspaces` when the file
  // declares packages; npm, yarn (classic and berry) and bun read only package.json `workspaces`.
  const pnpmSource = sources.find((x) => x.source === 'pnpm-workspace.yaml#packages');
  const effective = pnpmSource ?? sources[0];
  if (sources.length > 1 && sources[0].package_paths.join('\n') !== sources[1].package_paths.join('\n')) {
    warnings.push({
      code: 'workspace-sources-disagree',
      file: 'pnpm-workspace.yaml',
      message: `package.json#workspaces selects ${sources[0].package_paths.length} packages, pnpm-workspace.yaml#packages ${sources[1].package_paths.length}; pnpm follows pnpm-workspace.yaml`,
    });
  }
  const memberDirs: string[] = [];
  for (const path of effective?.package_paths ?? []) {
    await loadManifest(path, 'workspace');
    memberDirs.push(dirOf(path));
  }

  // Lockfiles, one at a time so only one document is alive at once.
  const lockfiles: LockfileReport[] = [];
  const excludedLockfiles: ExcludedLockfile[] = [];
  const drift: DriftItem[] = [];
  const locateRoot = new Map<string, ParsedLockfile>();
  const memberDirSet = new Set(memberDirs);
  for (const path of ctx.files.filter(isLockfilePath)) {
    const lockDir = dirOf(path);
    const role = classifyLockfile(path, memberDirSet);
    let text = await read(path);
    if (text === undefined) continue;
    const parsed = parseLockfile(path, text)!;
    text = undefined;
    if (isExcludedLockfileRole(role.role)) {
      // A test's sample lockfile may be broken on purpose: its issues are notes, not errors.
      for (const i of parsed.issues) warnings.push({ ...i, code: `${role.role}-lockfile-${i.code}` });
      excludedLockfiles.push({
        path,
        role: role.role,
        role_reason: role.reason,
        kind: parsed.kind,
        format_version: parsed.format_version,
        readable: parsed.readable,
        package_count: parsed.packages.length,
        entry_count: parsed.entry_count,
      });
      continue;
    }
    errors.push(...parsed.issues);
    const importerDirs = new Set<string>(['', ...parsed.importer_dirs]);
    if (lockDir === '') for (const d of memberDirs) importerDirs.add(d);

    const byIdentity = new Map<string, LockedPackage[]>();
    for (const pkg of parsed.packages) {
      const key = `${pkg.name}@${pkg.version}`;
      const list = byIdentity.get(key);
      if (list) list.push(pkg);
      else byIdentity.set(key, [pkg]);
    }
    let lockDrift = 0;
    const roots: Root[] = [];
    for (const importerDir of [...importerDirs].sort(byCodeUnit)) {
      const manifestPath = joinDir(lockDir, importerDir, 'package.json');
      const manifest = await loadManifest(manifestPath, importerDir === '' ? 'lockfile-root' : 'importer');
      if (!manifest?.summary.readable || !parsed.readable) continue;
      const result = checkImporter(path, parsed, importerDir, manifest.summary, overridden);
      for (const ref of result.direct) for (const pkg of byIdentity.get(`${ref.name}@${ref.version}`) ?? []) pkg.direct = true;
      for (const { ref, group } of result.declared) {
        for (const pkg of byIdentity.get(`${ref.name}@${ref.version}`) ?? []) roots.push({ pkg, dev: group === 'dev', optional: group === 'optional' });
      }
      drift.push(...result.drift);
      lockDrift += result.drift.length;
    }
    if (lockDrift > 0) {
      warnings.push({ code: 'lockfile-drift', file: path, message: `${path}: ${lockDrift} declared dependencies are missing from the lockfile or locked outside their range` });
    }
    if (lockDir === '') locateRoot.set(posix.basename(path), parsed);
    const key = flagsKey(parsed);
    const flags = new Set(FLAGS_RECORDED[key]);
    let flagsOrigin: LockfileReport['flags_origin'] = flags.has('dev') ? 'recorded' : 'none';
    const derive = FLAGS_DERIVED[key];
    if (derive && parsed.edges && deriveFlags(parsed.packages, parsed.edges, roots, derive).reached > 0) {
      if (derive.dev) flags.add('dev');
      if (derive.optional) flags.add('optional');
      flagsOrigin = 'derived';
    }
    // The graph served its purpose; a big one should not live on with the slice.
    parsed.edges = undefined;
    lockfiles.push({
      path,
      role: role.role,
      role_reason: role.reason,
      kind: parsed.kind,
      format_version: parsed.format_version,
      package_manager: PACKAGE_MANAGER_OF[parsed.kind],
      readable: parsed.readable,
      package_count: parsed.packages.length,
      entry_count: parsed.entry_count,
      direct_count: parsed.packages.reduce((n, p) => n + (p.direct ? 1 : 0), 0),
      importer_count: parsed.importer_dirs.length,
      flags_recorded: [...flags].sort(byCodeUnit),
      flags_origin: flagsOrigin,
      packages: parsed.packages,
      local_count: parsed.local_packages.length,
      local_packages: parsed.local_packages,
    });
  }
  const binaryLockfiles = ctx.files.filter(isBinaryLockfilePath);
  for (const path of binaryLockfiles) {
    warnings.push({ code: 'binary-lockfile', file: path, message: `${path}: binary lockfile; its packages are not read (bun writes text bun.lock since 1.2)` });
  }

  const rootLockfileName = ROOT_LOCKFILE_PREFERENCE.find((name) => locateRoot.has(name));
  if (locateRoot.size > 1) {
    warnings.push({ code: 'multiple-root-lockfiles', message: `several lockfiles at the root (${[...locateRoot.keys()].sort(byCodeUnit).join(', ')}); versions below come from ${rootLockfileName}` });
  }
  const rootLockfile = rootLockfileName ? locateRoot.get(rootLockfileName) : undefined;
  const direct = directDependencies(root?.summary, rootLockfile);

  const summaries = [...manifests.values()].map((m) => m.summary).sort((a, b) => byCodeUnit(a.path, b.path));
  const readableSummaries = summaries.filter((s) => s.readable);
  const native = findNativeModules(lockfiles, readableSummaries);
  const frameworks = findFrameworks(readableSummaries, lockfiles);

  const effectivePaths = effective?.package_paths ?? [];
  return {
    slice: {
      root_package_json: root ? 'package.json' : null,
      package_manager_field: root?.summary.package_manager ?? null,
      engines: root?.summary.engines ?? null,
      package_json_count: packageJsonPaths.length,
      packages: summaries,
      workspaces: {
        source: effective?.source ?? null,
        globs: effective?.globs ?? null,
        package_paths: effectivePaths,
        package_count: effectivePaths.length,
        readable_package_count: effectivePaths.filter((p) => manifests.get(p)?.summary.readable).length,
        sources: sources.map((s) => ({ source: s.source, globs: s.globs, package_count: s.package_paths.length })),
      },
      direct_dependencies: direct,
      root_lockfile: rootLockfileName ?? null,
      lockfiles,
      excluded_lockfiles: excludedLockfiles,
      binary_lockfiles: binaryLockfiles,
      native_modules: native,
      frameworks,
      drift: drift.sort(
        (a, b) => byCodeUnit(a.lockfile, b.lockfile) || byCodeUnit(a.package_json, b.package_json) || byCodeUnit(a.group, b.group) || byCodeUnit(a.name, b.name),
      ),
    },
    errors: errors.sort(compareIssues),
    warnings: warnings.sort(compareIssues),
    stats: {
      lockfiles_parsed: lockfiles.length,
      locked_packages: lockfiles.reduce((n, l) => n + l.package_count, 0),
      package_json_read: manifests.size,
    },
  };
}

/** One version for a declared dependency: the only one, else the highest that satisfies the range, else the highest. */
function pickVersion(versions: string[], specifier: string): string | null {
  const unique = [...new Set(versions)].sort(byCodeUnit);
  if (unique.length <= 1) return unique[0] ?? null;
  const valid = unique.filter((v) => semver.valid(v, { loose: true }) !== null).sort((a, b) => semver.rcompare(a, b, { loose: true }));
  const check = specifierCheck(specifier);
  const fitting = check.check === 'range' ? valid.find((v) => semver.satisfies(v, check.range, { loose: true, includePrerelease: true })) : undefined;
  return fitting ?? valid[0] ?? unique[unique.length - 1];
}

function directDependencies(root: PackageSummary | undefined, lockfile: ParsedLockfile | undefined): Record<DependencyGroup, DirectDependency[]> {
  const out = { production: [], dev: [], optional: [], peer: [] } as Record<DependencyGroup, DirectDependency[]>;
  if (!root) return out;
  for (const group of GROUP_NAMES) {
    out[group] = Object.entries(root.dependencies[group])
      .sort(([a], [b]) => byCodeUnit(a, b))
      .map(([name, specifier]) => {
        const refs = lockfile ? lockfile.locate('', name, specifier) : [];
        return { name, specifier, locked_version: pickVersion(refs.map((r) => r.version), specifier) };
      });
  }
  return out;
}
