/**
 * Plugin options, as written in nx.json:
 *   { "plugin": "codegenie", "options": { "projectName": "repo", "jobs": 2, ... } }
 * Target names are overridable the way Nx's own inferred-target plugins do it.
 */
import type { NxJsonConfiguration } from '@nx/devkit';

export interface CodegenieOptions {
  /** Name of the repository-level project. */
  projectName?: string;
  gatherTargetName?: string;
  fileIndexTargetName?: string;
  /** Probe targets are `<prefix><probe>`. */
  probeTargetPrefix?: string;
  /** Give each workspace package project its own probe targets and gather (default true). */
  packages?: boolean;
  /** Concurrency bound inside a probe batch; `CODEGENIE_JOBS` overrides. Default min(cpus, 8). */
  jobs?: number;
  /** Per-probe timeout in milliseconds (default 30 000); `CODEGENIE_TIMEOUT_MS` overrides. */
  timeoutMs?: number;
  /** Files larger than this are not read by probes (default 8 MiB). */
  maxFileBytes?: number;
  /** Opt-in Terraform parsing in the deployment probe. */
  terraform?: boolean;
  /**
   * The repository's folder inside the Nx workspace (default: the workspace root). Set only by
   * `codegenie gather <path>`, whose state workspace holds the repository under `repo/`; every
   * path in the artifacts stays relative to this folder.
   */
  repositoryRoot?: string;
  /** Options handed to the scan probe. */
  scan?: Record<string, unknown>;
}

export type NormalizedOptions = Required<
  Pick<CodegenieOptions, 'projectName' | 'gatherTargetName' | 'fileIndexTargetName' | 'probeTargetPrefix' | 'packages'>
> &
  CodegenieOptions;

export const PLUGIN_NAME = 'codegenie';

export function normalizeOptions(options: CodegenieOptions | undefined): NormalizedOptions {
  return {
    ...options,
    projectName: options?.projectName ?? 'repo',
    gatherTargetName: options?.gatherTargetName ?? 'gather',
    fileIndexTargetName: options?.fileIndexTargetName ?? 'file-index',
    probeTargetPrefix: options?.probeTargetPrefix ?? 'probe-',
    packages: options?.packages ?? true,
  };
}

/**
 * Options that change what probes report, handed to them as `ctx.options`. Scheduling knobs
 * (jobs, timeouts) are left out: they must not change any output, so they stay out of the hash.
 */
export function probeOptions(options: CodegenieOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { terraform: options.terraform === true };
  if (options.scan) out.scan = options.scan;
  if (options.maxFileBytes) out.maxFileBytes = options.maxFileBytes;
  return out;
}

/** Finds this plugin's entry in nx.json, so executors read the same options the graph was built with. */
export function optionsFromNxJson(nxJson: NxJsonConfiguration | undefined): CodegenieOptions {
  for (const entry of nxJson?.plugins ?? []) {
    if (typeof entry === 'string') {
      if (isCodegenie(entry)) return {};
    } else if (isCodegenie(entry.plugin)) {
      return (entry.options ?? {}) as CodegenieOptions;
    }
  }
  return {};
}

function isCodegenie(specifier: string): boolean {
  // The published name, or a path to a local build of it (this repository gathers itself that way).
  return specifier === PLUGIN_NAME || /(^|[/\\])codegenie([/\\]|$)/.test(specifier) || /dist[/\\]index(\.js)?$/.test(specifier);
}
