/**
 * Pure mapping from the probe registry to Nx target configurations for one scope (the repository
 * or one workspace package). Everything that decides what re-runs lives here:
 * - a probe's file inputs are exactly its declared globs, anchored at the scope;
 * - its version, the codegenie version and the options it reads reach its hash through a
 *   fingerprint input of its own (see `versionInput`) — NOT through target options, which Nx folds
 *   into one hash of the whole project configuration (changing one probe's options would re-run
 *   every probe);
 * - paths-only probes depend on the file index's output, so content edits do not invalidate them;
 * - two waves, one executor name each, because Nx batches tasks by executor: the file index and
 *   the probes that read only repository files run in one process (`codegenie:probe`); probes
 *   that read the file index or their siblings' outputs, and the gather step, in a second one
 *   (`codegenie:probe-wave-2`). Inside one batch Nx does not cache-check a task whose
 *   dependency is in the same batch (SPEC §8), so index readers must not share the index's
 *   batch, or every content edit would re-run them; across batches they are hashed after the
 *   index was written and replayed when its bytes did not change.
 */
import type { TargetConfiguration } from '@nx/devkit';
import { createHash } from 'node:crypto';
import { noiseExclusionGlobs } from '../file-index';
import type { RegisteredProbe } from '../registry';
import { CONTEXT_DIR, CONTEXT_FILE, RAW_DIR, REPOSITORY_LISTING_FILE, VIEWS_FILE } from '../artifact-paths';
import type { NormalizedOptions } from './options';
import { probeOptions } from './options';

/** Bumped when the merged context's shape changes; it enters the gather target's hash. */
export const CONTEXT_SCHEMA_VERSION = '1';

export interface Scope {
  /** `''` for the repository, else the workspace package root (`packages/api`). */
  root: string;
  /** Nx token the scope's paths are anchored at. */
  token: '{workspaceRoot}' | '{projectRoot}';
  /**
   * The repository's folder inside the Nx workspace (`''` in place). `codegenie gather <path>`
   * runs Nx in a state workspace of its own that holds the repository's files under `repo/`:
   * every input and output is anchored there, and every path a probe sees stays relative to it.
   */
  base?: string;
}

export const REPO_SCOPE: Scope = { root: '', token: '{workspaceRoot}' };

/** The repository scope, with the repository rooted at `repositoryRoot` inside the workspace. */
export function repoScope(repositoryRoot: string | undefined): Scope {
  return repositoryRoot ? { ...REPO_SCOPE, base: repositoryRoot } : REPO_SCOPE;
}

function anchor(scope: Scope): string {
  return scope.base ? `${scope.token}/${scope.base}` : scope.token;
}

export function packageScope(root: string): Scope {
  return { root, token: '{projectRoot}' };
}

/** `package.json` → `{workspaceRoot}/package.json`; `!**\/x/**` → `!{workspaceRoot}/**\/x/**`. */
export function anchorGlob(scope: Scope, glob: string): string {
  return glob.startsWith('!') ? `!${anchor(scope)}/${glob.slice(1)}` : `${anchor(scope)}/${glob}`;
}

/** The scope's artifact folder as Nx sees it (outputs are anchored the same way as inputs). */
function outputPath(scope: Scope, file: string): string {
  return `${anchor(scope)}/${CONTEXT_DIR}/${file}`;
}

function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

/** The npm-style name of the fingerprint node for one target kind (`language`, `file-index`, ...). */
export function fingerprintPackage(kind: string): string {
  return `@codegenie/fingerprint-${kind}`;
}

export interface Fingerprint {
  /** Package name of the fingerprint node (see `fingerprintNodes`). */
  packageName: string;
  /** What the task hash must carry: versions and option digests. */
  value: string;
}

/**
 * A constant that must reach exactly one task's hash (its probe version, the codegenie version,
 * the options it reads). Nx hashes an `externalDependencies` input from the external node's
 * `hash`, in-process; the plugin contributes one such node per target kind. (A `runtime` input
 * would do the same by running `echo` through a shell for every task on every run: measured, that
 * cost ~100 ms of a ~600 ms zero-change gather.)
 */
export function versionInput(kind: string, parts: Record<string, string>): { input: { externalDependencies: string[] }; fingerprint: Fingerprint } {
  const value = Object.entries(parts).map(([k, v]) => `${k}=${v}`).join(' ');
  const packageName = fingerprintPackage(kind);
  return { input: { externalDependencies: [packageName] }, fingerprint: { packageName, value } };
}

/** What a probe's fingerprint carries: versions, the options digest, and its external state when it declares one. */
function probeFingerprintParts(probe: RegisteredProbe, version: string, options: string): Record<string, string> {
  const parts: Record<string, string> = { codegenie: version, probe: `${probe.name}@${probe.version}`, options };
  if (probe.externalFingerprint) parts.external = probe.externalFingerprint();
  return parts;
}

export interface TargetNames {
  fileIndex: string;
  gather: string;
  probe(name: string): string;
}

export function targetNames(options: NormalizedOptions): TargetNames {
  return {
    fileIndex: options.fileIndexTargetName,
    gather: options.gatherTargetName,
    probe: (name) => `${options.probeTargetPrefix}${name}`,
  };
}

const TECHNOLOGIES = ['codegenie'];

/** The executor of the first wave: the file index and the probes that read only repository files. */
export const FIRST_WAVE_EXECUTOR = 'codegenie:probe';
/** The executor of the second wave: probes reading other tasks' outputs, and the gather step. */
export const SECOND_WAVE_EXECUTOR = 'codegenie:probe-wave-2';

/** Probes that read other codegenie tasks' outputs run in the second wave. */
export function readsOtherOutputs(probe: Pick<RegisteredProbe, 'usesFileIndex' | 'runsLast'>): boolean {
  return probe.usesFileIndex || probe.runsLast;
}

export function fileIndexTarget(scope: Scope, noiseDirs: readonly string[], version: string): TargetConfiguration {
  return {
    executor: FIRST_WAVE_EXECUTOR,
    cache: true,
    options: { scope: scope.root, fileIndex: true },
    inputs: [
      anchorGlob(scope, '**/*'),
      ...noiseExclusionGlobs(noiseDirs).map((glob) => anchorGlob(scope, glob)),
      // In a state workspace the listing comes from git, not from Nx's walker (which must not see
      // the repository's project.json / nx.json files): its bytes are the index's real input.
      ...(scope.base ? [`{workspaceRoot}/${REPOSITORY_LISTING_FILE}`] : []),
      versionInput('file-index', { codegenie: version, target: 'file-index' }).input,
    ],
    outputs: [outputPath(scope, `${RAW_DIR}/file-index.json`)],
    metadata: {
      description: 'Lists the files of this scope once (git-ignore aware, noise folders excluded) for paths-only probes.',
      technologies: TECHNOLOGIES,
    },
  };
}

export function probeTarget(
  scope: Scope,
  probe: RegisteredProbe,
  siblings: readonly RegisteredProbe[],
  names: TargetNames,
  options: NormalizedOptions,
  version: string,
): TargetConfiguration {
  const inputs: NonNullable<TargetConfiguration['inputs']> = probe.inputs.map((g) => anchorGlob(scope, g));
  const dependsOn: string[] = [];
  if (probe.usesFileIndex) {
    dependsOn.push(names.fileIndex);
    inputs.push({ dependentTasksOutputFiles: `**/${RAW_DIR}/file-index.json`, transitive: false });
  }
  if (probe.runsLast) {
    for (const other of siblings) if (other.name !== probe.name && !other.runsLast) dependsOn.push(names.probe(other.name));
    inputs.push({ dependentTasksOutputFiles: `**/${RAW_DIR}/*.json`, transitive: false });
  }
  const opts = probeOptions(options);
  inputs.push(versionInput(probe.name, probeFingerprintParts(probe, version, shortHash(opts))).input);
  return {
    executor: readsOtherOutputs(probe) ? SECOND_WAVE_EXECUTOR : FIRST_WAVE_EXECUTOR,
    cache: true,
    options: { probe: probe.name, scope: scope.root },
    inputs,
    ...(dependsOn.length > 0 ? { dependsOn: [...new Set(dependsOn)].sort() } : {}),
    outputs: [outputPath(scope, `${RAW_DIR}/${probe.name}.json`)],
    metadata: {
      description: `codegenie probe ${probe.name} (v${probe.version}, ${probe.heaviness}${probe.runsLast ? ', runs last' : ''}): ${probe.description}`,
      technologies: TECHNOLOGIES,
    },
  };
}

export function gatherTarget(scope: Scope, probes: readonly RegisteredProbe[], names: TargetNames, version: string): TargetConfiguration {
  return {
    // The second wave's executor, so Nx batches the merge with the last probes that missed the cache.
    executor: SECOND_WAVE_EXECUTOR,
    cache: true,
    options: { scope: scope.root, gather: true },
    dependsOn: [names.fileIndex, ...probes.map((p) => names.probe(p.name)).sort()],
    inputs: [
      { dependentTasksOutputFiles: `**/${RAW_DIR}/*.json`, transitive: false },
      versionInput('gather', { codegenie: version, target: 'gather', schema: CONTEXT_SCHEMA_VERSION }).input,
    ],
    outputs: [outputPath(scope, CONTEXT_FILE), outputPath(scope, VIEWS_FILE)],
    metadata: {
      description: 'Merges the probe outputs into .codegenie/context/repo-context.yaml and views.json.',
      technologies: TECHNOLOGIES,
    },
  };
}

/**
 * The external nodes behind every fingerprint input: `npm:@codegenie/fingerprint-<kind>`, whose
 * `hash` Nx folds into the task hash. They are identical for every scope, so the repository-level
 * project contributes them once.
 */
export function fingerprintNodes(
  probes: readonly RegisteredProbe[],
  options: NormalizedOptions,
  version: string,
): Record<string, { type: 'npm'; name: string; data: { version: string; packageName: string; hash: string } }> {
  const opts = shortHash(probeOptions(options));
  const fingerprints = [
    versionInput('file-index', { codegenie: version, target: 'file-index' }).fingerprint,
    versionInput('gather', { codegenie: version, target: 'gather', schema: CONTEXT_SCHEMA_VERSION }).fingerprint,
    ...probes.map((p) => versionInput(p.name, probeFingerprintParts(p, version, opts)).fingerprint),
  ];
  const nodes: ReturnType<typeof fingerprintNodes> = {};
  for (const f of fingerprints) {
    const name = `npm:${f.packageName}`;
    nodes[name] = { type: 'npm', name, data: { version: version, packageName: f.packageName, hash: f.value } };
  }
  return nodes;
}

/** Every codegenie target of one scope. */
export function scopeTargets(
  scope: Scope,
  probes: readonly RegisteredProbe[],
  options: NormalizedOptions,
  noiseDirs: readonly string[],
  version: string,
): Record<string, TargetConfiguration> {
  const names = targetNames(options);
  const inScope = scope.root === '' ? probes : probes.filter((p) => !p.repoOnly);
  const targets: Record<string, TargetConfiguration> = {
    [names.fileIndex]: fileIndexTarget(scope, noiseDirs, version),
  };
  for (const probe of inScope) targets[names.probe(probe.name)] = probeTarget(scope, probe, inScope, names, options, version);
  targets[names.gather] = gatherTarget(scope, inScope, names, version);
  return targets;
}
