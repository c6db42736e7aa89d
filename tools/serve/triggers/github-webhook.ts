/**
 * GitHub webhooks → trigger events. The signature (X-Hub-Signature-256, HMAC-SHA256 of the raw
 * body) is checked with @octokit/webhooks-methods, which compares in constant time; only then is
 * the body parsed. `push` to a watched branch gathers the pushed head; `pull_request`
 * opened/synchronize/reopened gathers the PR head; anything else is acknowledged and ignored.
 */
import type { FreshnessMode } from '../gather-port';
import type { RepoEntry, TriggerEvent } from '../queue/types';

// The package is ESM-only; a native dynamic import keeps it loadable from this CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
type Verify = (secret: string, payload: string, signature: string) => Promise<boolean>;
let verifyFn: Promise<Verify> | undefined;

export async function verifySignature(secret: string, payload: string, signature: string | undefined): Promise<boolean> {
  if (!signature || !signature.startsWith('sha256=')) return false;
  verifyFn ??= importEsm('@octokit/webhooks-methods').then((m) => (m as { verify: Verify }).verify);
  try {
    return await (await verifyFn)(secret, payload, signature);
  } catch {
    return false;
  }
}

export const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);
const ZERO_SHA = /^0{40}$/;

export type WebhookDecision = { kind: 'event'; event: TriggerEvent } | { kind: 'ignored'; why: string };

interface RepositoryPayload {
  full_name?: string;
  clone_url?: string;
  html_url?: string;
  ssh_url?: string;
}

function findRepo(repos: RepoEntry[], payload: RepositoryPayload | undefined): RepoEntry | undefined {
  if (!payload) return undefined;
  const name = payload.full_name?.toLowerCase();
  const urls = new Set([payload.clone_url, payload.html_url, payload.ssh_url].filter((u): u is string => typeof u === 'string'));
  return repos.find((r) => (name !== undefined && r.github?.toLowerCase() === name) || urls.has(r.source));
}

export function decideWebhook(eventName: string, delivery: string, body: unknown, repos: RepoEntry[], mode: FreshnessMode = 'fresh-on-trigger'): WebhookDecision {
  if (typeof body !== 'object' || body === null) return { kind: 'ignored', why: 'body is not an object' };
  const payload = body as Record<string, unknown>;
  if (eventName === 'push') {
    const repo = findRepo(repos, payload.repository as RepositoryPayload);
    if (!repo) return { kind: 'ignored', why: 'repository not watched' };
    const ref = typeof payload.ref === 'string' ? payload.ref : '';
    if (!ref.startsWith('refs/heads/') || !repo.branches.includes(ref.slice('refs/heads/'.length))) return { kind: 'ignored', why: `ref ${ref} not watched` };
    const after = typeof payload.after === 'string' ? payload.after : '';
    if (payload.deleted === true || ZERO_SHA.test(after) || !/^[0-9a-f]{40}$/.test(after)) return { kind: 'ignored', why: 'branch deleted or no head commit' };
    return { kind: 'event', event: { repo: repo.id, rev: after, reason: 'push', mode, delivery, detail: ref } };
  }
  if (eventName === 'pull_request') {
    const action = typeof payload.action === 'string' ? payload.action : '';
    if (!PR_ACTIONS.has(action)) return { kind: 'ignored', why: `pull_request action ${action}` };
    const repo = findRepo(repos, payload.repository as RepositoryPayload);
    if (!repo) return { kind: 'ignored', why: 'repository not watched' };
    const pr = payload.pull_request as { number?: number; head?: { sha?: string } } | undefined;
    const sha = pr?.head?.sha;
    if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) return { kind: 'ignored', why: 'no head sha' };
    return { kind: 'event', event: { repo: repo.id, rev: sha, reason: 'pull_request', mode, delivery, detail: `#${pr?.number ?? '?'} ${action}` } };
  }
  return { kind: 'ignored', why: `event ${eventName} not handled` };
}
