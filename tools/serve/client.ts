/**
 * The client side of the manual trigger: `codegenie gather --via URL <repo>` asks a running
 * service to gather (and, by default, waits for the outcome) instead of gathering locally.
 */
import type { FreshnessMode } from './gather-port';

export interface GatherViaOptions {
  rev?: string;
  mode?: FreshnessMode;
  /** Seconds to wait for the gather; 0 returns as soon as the event is queued. */
  waitSeconds?: number;
  fetchImpl?: typeof fetch;
}

export interface GatherViaResult {
  status: number;
  body: Record<string, unknown>;
}

export async function gatherVia(baseUrl: string, repo: string, options: GatherViaOptions = {}): Promise<GatherViaResult> {
  const f = options.fetchImpl ?? fetch;
  const mode = options.mode ?? 'fresh-on-trigger';
  const wait = options.waitSeconds ?? 600;
  const res = await f(new URL('/gather', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ repo, rev: options.rev, mode, wait }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body };
}

/** Exit code for the CLI: 0 gathered (or fresh), 1 failed, 3 still queued/stale, 2 refused. */
export function exitCodeFor(result: GatherViaResult): number {
  if (result.status === 200) return 0;
  if (result.status === 202) return 3;
  if (result.status === 502) return 1;
  return 2;
}
