/**
 * Nx 24 fails a run when its self-hosted remote cache is unreachable, so the gather checks first
 * and goes on without it (`remote_cache: 'unreachable'`). codegenie's cache server answers
 * `GET /healthz`; other servers get a HEAD of the base URL: any HTTP answer counts as reachable.
 */
export interface RemoteCache {
  url: string;
  token?: string;
}

export type RemoteCacheState = 'used' | 'unreachable' | 'off';

export async function remoteCacheReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const base = url.replace(/\/+$/, '');
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) return true;
  } catch {
    /* try the base URL */
  }
  try {
    await fetch(base, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/** The remote cache given on the command line, else the one in the operator's Nx variables. */
export function remoteCacheFrom(req: RemoteCache | undefined, env: NodeJS.ProcessEnv): RemoteCache | undefined {
  if (req?.url) return req;
  const url = env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER;
  return url ? { url, token: env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN } : undefined;
}
