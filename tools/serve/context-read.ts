/**
 * The freshness API behind `GET /repos/:id/context`: "ensure fresh, then read".
 *   cached-only       answers from the last gather, saying whether it is behind the head;
 *   fresh-on-trigger  answers at once when the last gather is of the current head, else
 *                     enqueues (or joins) a gather of the head and waits for it;
 *   force-refresh     always gathers the head first.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FreshnessMode } from './gather-port';
import { resolveCommit } from './mirror';
import type { Job, RepoEntry } from './queue/types';
import type { Service } from './service';

export interface ContextAnswer {
  status: number;
  body: Record<string, unknown>;
}

async function readArtifacts(job: Job, view: string | undefined): Promise<Record<string, unknown>> {
  const out = job.outcome?.out;
  if (!out) return { artifacts: null };
  let views: Record<string, unknown> | null = null;
  try {
    views = JSON.parse(await readFile(join(out, 'views.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    views = null;
  }
  if (view !== undefined) {
    const viewsMap = (views?.views as Record<string, unknown> | undefined) ?? views ?? {};
    return { view, value: viewsMap[view] ?? null };
  }
  let repoContext: string | null = null;
  try {
    repoContext = await readFile(join(out, 'repo-context.yaml'), 'utf8');
  } catch {
    repoContext = null;
  }
  return { artifacts: { 'repo-context.yaml': repoContext, 'views.json': views } };
}

async function headOf(repo: RepoEntry): Promise<string | undefined> {
  for (const branch of repo.branches) {
    const sha = await resolveCommit(repo.mirror, `refs/heads/${branch}`);
    if (sha) return sha;
  }
  return resolveCommit(repo.mirror, 'HEAD');
}

export async function readContext(service: Service, repoId: string, mode: FreshnessMode, view: string | undefined, waitMs: number): Promise<ContextAnswer> {
  const repo = await service.store.getRepo(repoId);
  if (!repo) return { status: 404, body: { error: `repository ${repoId} is not watched` } };
  const head = await headOf(repo);
  let last = await service.store.lastDone(repoId);
  let result: 'hit' | 'waited' | 'stale' = 'hit';
  const current = last !== undefined && head !== undefined && last.commit === head && mode !== 'force-refresh';
  if (!current && mode !== 'cached-only') {
    if (!head) return { status: 409, body: { error: 'the watched branches have no commit' } };
    const queued = await service.submit({ repo: repoId, rev: head, reason: 'manual', mode: mode === 'force-refresh' ? 'force-refresh' : 'fresh-on-trigger' });
    const job = await service.waitForJob(queued.job!, waitMs);
    if (!job || job.state !== 'done') {
      return { status: job?.state === 'failed' ? 502 : 504, body: { error: job?.state === 'failed' ? `gather failed: ${job.last_error}` : 'gather did not finish in time', job: queued.job } };
    }
    last = job;
    result = 'waited';
  } else if (!current) {
    result = 'stale';
  }
  service.metrics.contextReads.inc({ result });
  if (!last) return { status: 404, body: { error: 'no gather yet', head: head ?? null } };
  const finished = last.finished_at ?? service.now();
  return {
    status: 200,
    body: {
      repo: repoId,
      mode,
      commit: last.commit,
      head: head ?? null,
      stale: head !== undefined && last.commit !== head,
      gathered_at: new Date(finished).toISOString(),
      age_seconds: Math.max(0, Math.round((service.now() - finished) / 1000)),
      job: last.id,
      ...(await readArtifacts(last, view)),
    },
  };
}
