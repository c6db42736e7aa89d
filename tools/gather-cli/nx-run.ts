/**
 * Runs `nx run repo:gather` in a state workspace: the daemon off, an allow-listed environment (the
 * repository's .env files never load: they are not materialised, and nothing of the operator's
 * shell leaks into task hashes beyond what is listed here), in its own process group so that a
 * timeout or abort kills every process Nx forked.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'CI', 'SYSTEMROOT', 'USERPROFILE'];
const REMOTE_CACHE_VARS = [
  'NX_SELF_HOSTED_REMOTE_CACHE_SERVER',
  'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN',
  'NX_SELF_HOSTED_REMOTE_CACHE_DISABLE_TLS',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'NODE_EXTRA_CA_CERTS',
];

export interface NxRunOptions {
  workspace: string;
  args: string[];
  /** Variables set by the gather itself (cache folders, remote cache). */
  extraEnv: Record<string, string>;
  /** Leave the operator's remote cache variables out (the cache was found unreachable). */
  withoutRemoteCache?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface NxRunResult {
  code: number;
  output: string;
  timedOut: boolean;
  aborted: boolean;
}

export function nxEnvironment(parent: NodeJS.ProcessEnv, extra: Record<string, string>, withoutRemoteCache = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED_THROUGH) if (parent[key] !== undefined) env[key] = parent[key];
  for (const [key, value] of Object.entries(parent)) if (key.startsWith('CODEGENIE_') && value !== undefined) env[key] = value;
  if (!withoutRemoteCache) for (const key of REMOTE_CACHE_VARS) if (parent[key] !== undefined) env[key] = parent[key];
  Object.assign(env, {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    NX_SKIP_NX_CACHE: '',
    NX_VERBOSE_LOGGING: 'false',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extra,
  });
  return env;
}

export function nxBin(nodeModules: string): string {
  return join(nodeModules, 'nx', 'dist', 'bin', 'nx.js');
}

export function runNx(bin: string, opts: NxRunOptions): Promise<NxRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...opts.args], {
      cwd: opts.workspace,
      env: nxEnvironment(process.env, opts.extraEnv, opts.withoutRemoteCache),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (d: Buffer): void => {
      // Bounded: Nx's output of a huge run must not grow without limit; the tail has the summary.
      chunks.push(d);
      size += d.length;
      while (size > 4 << 20 && chunks.length > 1) size -= chunks.shift()!.length;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    let aborted = false;
    const killGroup = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = opts.timeoutMs ? setTimeout(() => ((timedOut = true), killGroup()), opts.timeoutMs) : undefined;
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      killGroup(); // Nx may leave batch processes behind in the group
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8'), timedOut, aborted });
    });
  });
}

/** Task ids Nx replayed, from its static output (`> nx run repo:probe-ci  [local cache]`). */
export function replayedTasks(output: string): Set<string> {
  const out = new Set<string>();
  for (const m of output.matchAll(/^\s*(?:>|✔|✖)\s+nx run (\S+?)\s+\[(?:local cache|remote cache|existing outputs match the cache, left as is)\]/gm)) out.add(m[1]);
  return out;
}

/**
 * One line saying why Nx failed (no stack traces): codegenie's own task messages first (a probe
 * that crashed or timed out says so), then the failed task ids Nx lists, then Nx's last error lines.
 */
export function failureSummary(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s/.test(l) && !/^[-—=─]+$/.test(l));
  const ours = lines.filter((l) => /^codegenie: .*(crash|timed out|timeout|fail|error|nothing cached)/i.test(l));
  const failedAt = lines.findIndex((l) => /^Failed tasks:/.test(l));
  const failed = failedAt >= 0 ? lines.slice(failedAt + 1).filter((l) => /^- \S+$/.test(l)).map((l) => l.slice(2)) : [];
  const interesting = lines.filter((l) => /error|fail|cannot|not found|invalid/i.test(l));
  const parts = [
    ...ours.slice(0, 3),
    ...(failed.length > 0 ? [`failed tasks: ${failed.join(', ')}`] : []),
    ...(ours.length === 0 && failed.length === 0 ? (interesting.length > 0 ? interesting.slice(-3) : lines.slice(-3)) : []),
  ];
  return parts.join(' | ').slice(0, 600);
}
