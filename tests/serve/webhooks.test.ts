import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import examples from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCommit, api, FAKE_GATHER, gatherLog, idle, makeRepo, postWebhook, sign, startService, tempDir, waitFor, type RunningService } from './helpers/serve-harness';

type Example = Record<string, any>;
const byName = (name: string): Example[] => (examples as unknown as { name: string; examples: Example[] }[]).find((e) => e.name === name)!.examples;

/** GitHub's own example payload, re-pointed at a commit that exists in the local repository. */
function pushPayload(sha: string): Example {
  const example = structuredClone(byName('push').find((e) => e.ref === 'refs/heads/master' && !e.deleted)!);
  example.after = sha;
  return example;
}

describe('GitHub webhooks', () => {
  let svc: RunningService;
  let dir: string;
  let shas: string[];

  const eventCount = async (): Promise<number> => (await api(svc.url, 'GET', '/events')).body.events.length;

  beforeAll(async () => {
    dir = tempDir('hooks');
    writeFileSync(join(dir, 'gate'), '');
    shas = makeRepo(join(dir, 'hello'), 2, 'master');
    svc = await startService(['--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--max-body-bytes', '65536', '--poll-ms', '50'], {
      FAKE_GATHER_LOG: join(dir, 'gathers.log'),
      FAKE_GATHER_MS: '400',
      FAKE_GATHER_GATE: join(dir, 'gate'),
    });
    const added = await api(svc.url, 'POST', '/repos', { source: join(dir, 'hello'), id: 'hello', branches: ['master'], github: 'Codertocat/Hello-World' });
    expect(added.status).toBe(201);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('accepts a correctly signed push to a watched branch and gathers the pushed commit', async () => {
    const res = await postWebhook(svc.url, 'push', 'd-push-1', pushPayload(shas[1]));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'queued', repo: 'hello', rev: shas[1] });
    await idle(svc.url);
    expect(gatherLog(join(dir, 'gathers.log')).filter((l) => l.phase === 'done').map((l) => l.rev)).toContain(shas[1]);
  });

  it('gathers the head sha of pull_request opened, synchronize and reopened; ignores other actions', async () => {
    for (const action of ['opened', 'synchronize', 'reopened', 'closed', 'labeled']) {
      const example = structuredClone(byName('pull_request').find((e) => e.action === action) ?? { ...byName('pull_request')[0], action });
      example.pull_request.head.sha = shas[0];
      const res = await postWebhook(svc.url, 'pull_request', `d-pr-${action}`, example);
      const body = (await res.json()) as { status?: string };
      if (['opened', 'synchronize', 'reopened'].includes(action)) expect(body).toMatchObject({ status: 'queued', rev: shas[0] });
      else expect([res.status, body.status]).toEqual([202, 'ignored']);
    }
    await idle(svc.url);
  });

  it('refuses a bad, missing or foreign signature and writes nothing', async () => {
    const before = await eventCount();
    const payload = JSON.stringify(pushPayload(shas[1]));
    expect((await postWebhook(svc.url, 'push', 'd-bad-1', payload, sign(payload, 'another-secret'))).status).toBe(401);
    expect((await postWebhook(svc.url, 'push', 'd-bad-2', payload, null)).status).toBe(401);
    expect((await postWebhook(svc.url, 'push', 'd-bad-3', payload, 'sha1=abc')).status).toBe(401);
    // A body changed after signing.
    expect((await postWebhook(svc.url, 'push', 'd-bad-4', payload.replace('Hello-World', 'Hello-Worle'), sign(payload))).status).toBe(401);
    expect(await eventCount()).toBe(before);
    // The refused delivery ids stay unused: the same id with a good signature is accepted.
    expect((await postWebhook(svc.url, 'push', 'd-bad-1', payload)).status).toBe(202);
    expect(await eventCount()).toBe(before + 1);
  });

  it('refuses a replayed delivery id without writing anything', async () => {
    const payload = pushPayload(shas[0]);
    expect((await postWebhook(svc.url, 'push', 'd-replay', payload)).status).toBe(202);
    const before = await eventCount();
    const again = await postWebhook(svc.url, 'push', 'd-replay', payload);
    expect(again.status).toBe(409);
    expect(await eventCount()).toBe(before);
  });

  it('refuses an oversized body with 413 and writes nothing', async () => {
    const before = await eventCount();
    const payload = pushPayload(shas[0]);
    payload.padding = 'x'.repeat(70_000);
    const res = await postWebhook(svc.url, 'push', 'd-big', payload);
    expect(res.status).toBe(413);
    expect(await eventCount()).toBe(before);
  });

  it('answers unknown events and unwatched refs with 202 and ignores them', async () => {
    const before = await eventCount();
    const star = structuredClone(byName('star')[0]);
    const res = await postWebhook(svc.url, 'star', 'd-star', star);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { status?: string }).status).toBe('ignored');
    const tag = structuredClone(byName('push').find((e) => e.ref === 'refs/tags/simple-tag' && !e.deleted)!);
    expect(((await (await postWebhook(svc.url, 'push', 'd-tag', tag)).json()) as { status?: string }).status).toBe('ignored');
    const deleted = structuredClone(byName('push').find((e) => e.deleted)!);
    deleted.ref = 'refs/heads/master';
    expect(((await (await postWebhook(svc.url, 'push', 'd-deleted', deleted)).json()) as { status?: string }).status).toBe('ignored');
    expect(await eventCount()).toBe(before);
  });

  it('coalesces 50 pushes in a second while a gather runs into at most one more gather, of the newest sha', async () => {
    const repoDir = join(dir, 'hello');
    const burst: string[] = [];
    for (let i = 0; i < 50; i++) burst.push(addCommit(repoDir, i));
    // The commits above block this event loop for seconds (synchronous git), long enough for the
    // service to close our idle keep-alive sockets; let the client see those closes before reusing one.
    await new Promise((r) => setTimeout(r, 100));
    await idle(svc.url);
    const logFile = join(dir, 'gathers.log');
    const startsBefore = gatherLog(logFile).filter((l) => l.phase === 'start').length;
    // The first push starts a gather, held open by the closed gate; the other 49 arrive while it runs.
    rmSync(join(dir, 'gate'));
    const first = await postWebhook(svc.url, 'push', 'burst-0', pushPayload(burst[0]));
    expect(first.status).toBe(202);
    await waitFor('the first gather to start', async () => gatherLog(logFile).filter((l) => l.phase === 'start').length > startsBefore);
    // One after another, as GitHub delivers them: arrival order is push order.
    const answers: number[] = [];
    for (let i = 1; i < 50; i++) answers.push((await postWebhook(svc.url, 'push', `burst-${i}`, pushPayload(burst[i]))).status);
    expect(answers.every((s) => s === 202)).toBe(true);
    writeFileSync(join(dir, 'gate'), '');
    await idle(svc.url);
    const starts = gatherLog(logFile).filter((l) => l.phase === 'start').slice(startsBefore);
    expect(starts.length).toBeLessThanOrEqual(2);
    expect(starts.at(-1)!.rev).toBe(burst[49]);
    // Every one of the 50 events is attached to one of those gathers.
    const events = (await api(svc.url, 'GET', '/events')).body.events.slice(-50);
    const jobs = new Set(events.map((e: { job: number }) => e.job));
    expect(jobs.size).toBe(starts.length);
    for (const id of jobs) expect((await api(svc.url, 'GET', `/jobs/${id}`)).body.state).toBe('done');
  });
});
