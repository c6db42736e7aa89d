/**
 * The programmatic contract of `codegenie gather` (issue 11), shared by the per-repository call
 * (`gather-repository.ts`), the portfolio runner (`portfolio.ts`) and the service (issue 12,
 * which restates it in tools/serve/gather-port.ts). The shapes are those of
 * /work/briefs/gather-json-contract.md; change them only together with every caller.
 */

export type FreshnessMode = 'fresh-on-trigger' | 'cached-only' | 'force-refresh';
export const FRESHNESS_MODES: readonly FreshnessMode[] = ['fresh-on-trigger', 'cached-only', 'force-refresh'];

export interface GatherRequest {
  /** Repository directory (absolute or relative to cwd). */
  path: string;
  /** Commit-ish; when set, that commit's tree is gathered from git. */
  rev?: string;
  /** Default fresh-on-trigger. */
  mode?: FreshnessMode;
  /** Default: $CODEGENIE_HOME, else $XDG_CACHE_HOME/codegenie, else ~/.cache/codegenie. */
  stateDir?: string;
  /** Default: <per-repo state>/context. */
  outDir?: string;
  remoteCache?: { url: string; token?: string };
  timeoutMs?: number;
  /** Aborting kills the Nx process tree. */
  signal?: AbortSignal;
}

export interface GatherOutcome {
  /** The path as given. */
  repository: string;
  /** Resolved commit sha when known (git repos), else null. */
  rev: string | null;
  /** stale/fresh only in cached-only mode. */
  status: 'ok' | 'failed' | 'stale' | 'fresh';
  /** Answered without starting Nx. */
  fast_path: boolean;
  seconds: number;
  /** Absolute directory holding repo-context.yaml, views.json, raw/. */
  out: string;
  /** Task names, sorted. */
  probes: { replayed: string[]; recomputed: string[] };
  /** cached-only: probes whose inputs changed since the last gather. */
  stale_probes?: string[];
  /** One-line messages; empty when ok. */
  errors: string[];
  remote_cache?: 'used' | 'unreachable' | 'off';
}

export type GatherFunction = (req: GatherRequest) => Promise<GatherOutcome>;
