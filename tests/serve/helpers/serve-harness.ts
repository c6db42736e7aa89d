/** Starts real `codegenie serve` processes from dist/, makes real git repositories, signs webhooks. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'tools', 'cli.js');
export const FAKE_GATHER = join(__dirname, 'fake-gather.cjs');
export const SECRET = 'test-webhook-secret';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `codegenie-serve-${prefix}-`));
}

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim();
}

/** A git work tree on `main` with `commits` real commits; returns the shas, oldest first. */
export function makeRepo(dir: string, commits: number, branch = 'main'): string[] {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', branch]);
  const shas: string[] = [];
  for (let i = 0; i < commits; i++) {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: basename(dir), version: `1.0.${i}` }));
    git(dir, ['add', '.']);
    git(dir, ['commit', '-q', '-m', `c${i}`]);
    shas.push(git(dir, ['rev-parse', 'HEAD']));
  }
  return shas;
}

export function addCommit(dir: string, n: number): string {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: basename(dir), version: `2.0.${n}` }));
  git(dir, ['commit', '-q', '-am', `extra ${n}`]);
  return git(dir, ['rev-parse', 'HEAD']);
}

export interface RunningService {
  url: string;
  child: ChildProcess;
  logs: () => Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startService(args: string[], env: Record<string, string> = {}): Promise<RunningService> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: { ...process.env, CODEGENIE_WEBHOOK_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        resolveUrl(out.slice(0, nl).trim());
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`service exited ${code} before listening: ${stderr}`)));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    url,
    child,
    logs: () =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function postWebhook(url: string, event: string, delivery: string, payload: unknown, signature?: string | null): Promise<Response> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery };
  const sig = signature === undefined ? sign(body) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return fetch(`${url}/webhooks/github`, { method: 'POST', headers, body });
}

export async function json(res: Response | Promise<Response>): Promise<{ status: number; body: any }> {
  const r = await res;
  return { status: r.status, body: await r.json() };
}

export async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return json(fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function idle(url: string, timeoutMs = 60_000): Promise<any> {
  return waitFor('the queue to drain', async () => {
    const { body } = await api(url, 'GET', '/jobs?limit=1');
    return body.counts.queued === 0 && body.counts.running === 0 ? body.counts : undefined;
  }, timeoutMs);
}

export function gatherLog(file: string): { phase: string; rev: string; path: string; mode?: string; pid: number; t: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
