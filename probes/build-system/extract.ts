/**
 * The build-system slice: package manager, lockfiles, Node version constraints, classified scripts,
 * bundlers and TypeScript configs. Reads the root package.json, the root Node version files and
 * every tsconfig*.json (its declared inputs); everything else comes from file paths in the index.
 */
import picomatch from 'picomatch';
import { byCodeUnit, isRecord, parseJson } from '../../tools/parse';
import { sortIssues } from '../../tools/issue-order';
import type { ProbeContext, ProbeIssue, ProbeResult } from '../../tools/probe-api';
import { detectBundlers } from './bundlers';
import { CI_FILE_GLOBS, decidePackageManager } from './package-manager-sources';
import {
  findLockfiles,
  managerFromLockfiles,
  parsePackageManagerField,
  toolchainCatalog,
  yarnFlavor,
  type LockfileFact,
} from './package-manager';
import { classifyScripts, namesByKind } from './scripts';
import { TSCONFIG_NAME, TsconfigReader } from './tsconfig';
import {
  compareAll,
  firstVersionLine,
  makeConstraint,
  parseToolVersions,
  trimValue,
  type VersionConstraint,
} from './version-constraints';

/** Script commands longer than this are cut in the slice (with a trailing `…`). */
const MAX_COMMAND_LENGTH = 2000;

interface Risk {
  code: string;
  message: string;
  files: string[];
}

class Issues {
  readonly errors: ProbeIssue[] = [];
  readonly warnings: ProbeIssue[] = [];
}

function errorOf(err: unknown, file: string): ProbeIssue {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'unreadable';
  return { code, file, message: `${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
}

async function readOptional(ctx: ProbeContext, path: string, issues: Issues): Promise<string | undefined> {
  if (!ctx.files.includes(path)) return undefined;
  try {
    return await ctx.readText(path);
  } catch (err) {
    issues.errors.push(errorOf(err, path));
    return undefined;
  }
}

async function readPackageJson(ctx: ProbeContext, issues: Issues): Promise<Record<string, unknown> | undefined> {
  const text = await readOptional(ctx, 'package.json', issues);
  if (text === undefined) return undefined;
  const parsed = parseJson('package.json', text);
  if (!parsed.ok) {
    issues.errors.push(parsed.issue);
    return undefined;
  }
  if (!isRecord(parsed.value)) {
    issues.errors.push({ code: 'not-an-object', file: 'package.json', message: 'package.json: not a JSON object' });
    return undefined;
  }
  return parsed.value;
}

function stringRecord(value: unknown, field: string, issues: Issues): Record<string, string> | null {
  if (value === undefined) return null;
  if (!isRecord(value)) {
    issues.warnings.push({ code: 'invalid-field', file: 'package.json', message: `package.json: ${field} is not an object; ignored` });
    return null;
  }
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out.push([k, v]);
    else issues.warnings.push({ code: 'invalid-field', file: 'package.json', message: `package.json: ${field}.${k} is not a string; ignored` });
  }
  return Object.fromEntries(out.sort(([a], [b]) => byCodeUnit(a, b)));
}

function dependencyNames(pkg: Record<string, unknown> | undefined): Set<string> {
  const names = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const group = pkg?.[field];
    if (isRecord(group)) for (const name of Object.keys(group)) names.add(name);
  }
  return names;
}

function dependencyRange(pkg: Record<string, unknown> | undefined, name: string): string | null {
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const group = pkg?.[field];
    if (isRecord(group) && typeof group[name] === 'string') return trimValue(group[name] as string).value;
  }
  return null;
}

/** An own property of a parsed record (never one inherited from Object.prototype, like `constructor`). */
function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

async function versionFileConstraint(
  ctx: ProbeContext,
  file: string,
  source: string,
  aliases: readonly RegExp[],
  issues: Issues,
): Promise<VersionConstraint | undefined> {
  const text = await readOptional(ctx, file, issues);
  if (text === undefined) return undefined;
  const line = firstVersionLine(text);
  if (line === undefined) {
    issues.warnings.push({ code: 'empty-file', file, message: `${file}: no version in it` });
    return undefined;
  }
  return makeConstraint(source, file, line, aliases);
}

const isCiFile = picomatch(CI_FILE_GLOBS, { dot: true });

export async function extractBuildSystem(ctx: ProbeContext): Promise<ProbeResult> {
  const index = ctx.fileIndex;
  if (!index) throw new Error('build-system probe needs the file index');
  const issues = new Issues();
  const toolchain = toolchainCatalog();
  const aliases = toolchain.nodeAliasPatterns.map((p) => new RegExp(p, 'i'));

  const pkg = await readPackageJson(ctx, issues);
  const engines = stringRecord(pkg?.engines, 'engines', issues);
  const volta = stringRecord(pkg?.volta, 'volta', issues);
  const scriptsRaw = stringRecord(pkg?.scripts, 'scripts', issues) ?? {};

  // Node version constraints, in a fixed source order (comparisons follow it).
  const toolVersionsText = await readOptional(ctx, '.tool-versions', issues);
  const toolVersions = toolVersionsText === undefined ? undefined : parseToolVersions(toolVersionsText);
  const nodeConstraints: VersionConstraint[] = [];
  const nvmrc = await versionFileConstraint(ctx, '.nvmrc', 'nvmrc', aliases, issues);
  if (nvmrc) nodeConstraints.push(nvmrc);
  const nodeVersion = await versionFileConstraint(ctx, '.node-version', 'node-version', aliases, issues);
  if (nodeVersion) nodeConstraints.push(nodeVersion);
  const toolNode = toolchain.toolVersionsNames.node.map((n) => toolVersions?.get(n)).find((v) => v !== undefined);
  if (toolNode !== undefined) nodeConstraints.push(makeConstraint('tool-versions', '.tool-versions', toolNode, aliases));
  const voltaNode = own(volta, 'node');
  if (voltaNode !== undefined) nodeConstraints.push(makeConstraint('volta', 'package.json', voltaNode, aliases));
  const enginesNode = own(engines, 'node');
  if (enginesNode !== undefined) nodeConstraints.push(makeConstraint('engines', 'package.json', enginesNode, aliases));
  const nodeAgreement = compareAll(nodeConstraints);

  // Package manager: the field first, the root lockfiles otherwise.
  // Lockfiles are manifests of the file index: scanning its short list is enough.
  const lockfiles = findLockfiles(index.manifests);
  const lockfileManager = managerFromLockfiles(lockfiles);
  const fieldRaw = typeof pkg?.packageManager === 'string' ? pkg.packageManager : undefined;
  if (pkg?.packageManager !== undefined && fieldRaw === undefined) {
    issues.warnings.push({ code: 'invalid-field', file: 'package.json', message: 'package.json: packageManager is not a string; ignored' });
  }
  const field = fieldRaw === undefined ? undefined : parsePackageManagerField(fieldRaw);
  if (fieldRaw !== undefined && !field) {
    issues.warnings.push({ code: 'invalid-package-manager-field', file: 'package.json', message: 'package.json: packageManager is not name@version' });
  } else if (field && !toolchain.packageManagers.includes(field.name)) {
    issues.warnings.push({ code: 'unknown-package-manager', file: 'package.json', message: `package.json: packageManager names ${field.name}, which corepack does not manage` });
  }
  const ciFiles = new Map<string, string>();
  for (const path of ctx.files.filter((p) => isCiFile(p))) {
    const text = await readOptional(ctx, path, issues);
    if (text !== undefined) ciFiles.set(path, text);
  }
  const decision = decidePackageManager({
    fieldManager: field?.name ?? null,
    lockfileManager,
    files: new Set(index.files),
    npmrc: ctx.files.includes('.npmrc') ? await readOptional(ctx, '.npmrc', issues) : undefined,
    pkg,
    ciFiles,
  });
  const managerName = decision.name;
  const pmConstraints: VersionConstraint[] = [];
  if (field) pmConstraints.push(makeConstraint('package-manager-field', 'package.json', field.version, aliases));
  if (managerName) {
    const toolPm = (own(toolchain.toolVersionsNames, managerName) ?? []).map((n) => toolVersions?.get(n)).find((v) => v !== undefined);
    if (toolPm !== undefined) pmConstraints.push(makeConstraint('tool-versions', '.tool-versions', toolPm, aliases));
    const voltaPm = own(volta, managerName);
    if (voltaPm !== undefined) pmConstraints.push(makeConstraint('volta', 'package.json', voltaPm, aliases));
    const enginesPm = own(engines, managerName);
    if (enginesPm !== undefined) pmConstraints.push(makeConstraint('engines', 'package.json', enginesPm, aliases));
  }
  const pmAgreement = compareAll(pmConstraints);

  const classified = classifyScripts(scriptsRaw);
  // Keyed by name (`build-system.scripts.start.command`), in code-unit order of names.
  const scripts = Object.fromEntries(classified.map((s) => [s.name, { command: cut(s.command, MAX_COMMAND_LENGTH), kind: s.kind }]));
  const bundlers = detectBundlers(dependencyNames(pkg), scriptsRaw, index.files);

  const tsPaths = ctx.files.filter((p) => TSCONFIG_NAME.test(p.slice(p.lastIndexOf('/') + 1)));
  const reader = new TsconfigReader(ctx, new Set(ctx.files), new Set(index.files));
  const configs = await reader.describeAll(tsPaths);
  issues.errors.push(...reader.errors);
  issues.warnings.push(...reader.warnings);
  const rootConfig = configs.find((c) => c.path === 'tsconfig.json');

  const risks = collectRisks({
    lockfiles,
    fieldManager: field?.name ?? null,
    nodeConstraints,
    nodeComparisons: nodeAgreement.comparisons,
    pmConstraints,
    pmComparisons: pmAgreement.comparisons,
    needsLockfile: ctx.projectRoot === '' && dependencyNames(pkg).size > 0,
  });

  return {
    slice: {
      package_manager: {
        name: managerName,
        version: field?.version ?? null,
        source: decision.source,
        confidence: decision.confidence,
        evidence: decision.evidence,
        field: fieldRaw === undefined ? null : cut(fieldRaw, 300),
        field_hash_algorithm: field?.hash_algorithm ?? null,
        lockfile_manager: lockfileManager,
        yarn_flavor: managerName === 'yarn' ? yarnFlavor(field?.name === 'yarn' ? field.version : null, index.files) : null,
        version_constraints: pmConstraints,
        version_comparisons: pmAgreement.comparisons,
        versions_consistent: pmAgreement.consistent,
      },
      lockfiles,
      node: {
        constraints: nodeConstraints,
        comparisons: nodeAgreement.comparisons,
        consistent: nodeAgreement.consistent,
      },
      engines,
      tool_versions: toolVersions ? Object.fromEntries([...toolVersions].sort(([a], [b]) => byCodeUnit(a, b))) : null,
      scripts,
      script_kinds: namesByKind(classified),
      bundlers,
      typescript: {
        dependency: dependencyRange(pkg, 'typescript'),
        root_config: rootConfig ? rootConfig.path : null,
        compiler_options: rootConfig ? rootConfig.compiler_options : null,
        config_count: configs.length,
        configs,
      },
      risks,
    },
    errors: sortIssues(issues.errors),
    warnings: sortIssues(issues.warnings),
  };
}

interface RiskInputs {
  lockfiles: readonly LockfileFact[];
  fieldManager: string | null;
  nodeConstraints: readonly VersionConstraint[];
  nodeComparisons: ReadonlyArray<{ a: string; b: string; relation: string }>;
  pmConstraints: readonly VersionConstraint[];
  pmComparisons: ReadonlyArray<{ a: string; b: string; relation: string }>;
  needsLockfile: boolean;
}

function conflictFiles(constraints: readonly VersionConstraint[], comparisons: RiskInputs['nodeComparisons']): string[] {
  const sources = new Set(comparisons.filter((c) => c.relation === 'conflict').flatMap((c) => [c.a, c.b]));
  return [...new Set(constraints.filter((c) => sources.has(c.source)).map((c) => c.file))].sort(byCodeUnit);
}

function describeConflicts(constraints: readonly VersionConstraint[], comparisons: RiskInputs['nodeComparisons']): string {
  const value = (source: string) => constraints.find((c) => c.source === source)?.value ?? '';
  return comparisons
    .filter((c) => c.relation === 'conflict')
    .map((c) => `${c.a} ${value(c.a)} vs ${c.b} ${value(c.b)}`)
    .join('; ');
}

function collectRisks(r: RiskInputs): Risk[] {
  const risks: Risk[] = [];
  const root = r.lockfiles.filter((l) => l.root);
  if (root.length > 1) {
    risks.push({ code: 'multiple_lockfiles', message: `${root.length} lockfiles at the project root: ${root.map((l) => l.path).join(', ')}`, files: root.map((l) => l.path) });
  }
  if (r.fieldManager && root.length > 0 && !root.some((l) => l.manager === r.fieldManager)) {
    risks.push({
      code: 'package_manager_lockfile_mismatch',
      message: `packageManager names ${r.fieldManager} but the root lockfiles belong to ${[...new Set(root.map((l) => l.manager))].sort(byCodeUnit).join(', ')}`,
      files: ['package.json', ...root.map((l) => l.path)].sort(byCodeUnit),
    });
  }
  if (r.needsLockfile && root.length === 0) {
    risks.push({ code: 'missing_lockfile', message: 'package.json declares dependencies but no lockfile is committed at the project root', files: ['package.json'] });
  }
  if (r.nodeComparisons.some((c) => c.relation === 'conflict')) {
    risks.push({ code: 'node_version_conflict', message: `Node version constraints disagree: ${describeConflicts(r.nodeConstraints, r.nodeComparisons)}`, files: conflictFiles(r.nodeConstraints, r.nodeComparisons) });
  }
  if (r.pmComparisons.some((c) => c.relation === 'conflict')) {
    risks.push({ code: 'package_manager_version_conflict', message: `Package manager versions disagree: ${describeConflicts(r.pmConstraints, r.pmComparisons)}`, files: conflictFiles(r.pmConstraints, r.pmComparisons) });
  }
  return risks.sort((a, b) => byCodeUnit(a.code, b.code));
}
