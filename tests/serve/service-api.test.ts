import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, FAKE_GATHER, gatherLog, idle, makeRepo, startService, tempDir, type RunningService } from './helpers/serve-harness';

// A real service process (HTTP, SQLite, dispatcher); the gather is the injected fake-gather module.
describe('codegenie serve: registry, manual trigger, freshness API, retries', () => {
  let svc: RunningService;
  let dir: string;
  let shas: string[];
  const log = (): string => join(dir, 'gathers.log');

  beforeAll(async () => {
    dir = tempDir('api');
    shas = makeRepo(join(dir, 'alpha'), 3);
    makeRepo(join(dir, 'beta'), 1);
    svc = await startService(['--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--workers', '2', '--retry-base-ms', '50', '--max-attempts', '2', '--poll-ms', '50'], {
      FAKE_GATHER_LOG: join(dir, 'gathers.log'),
      FAKE_GATHER_MS: '100',
      FAKE_GATHER_FAIL: '^deadbeef',
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('adds, lists and refuses repositories over HTTP', async () => {
    expect((await api(svc.url, 'POST', '/repos', { source: join(dir, 'alpha') })).status).toBe(201);
    // A clone URL: the service keeps a bare mirror of its own.
    const beta = await api(svc.url, 'POST', '/repos', { source: `file://${join(dir, 'beta')}`, id: 'beta' });
    expect(beta.status).toBe(201);
    expect(beta.body.managed).toBe(true);
    expect(beta.body.mirror).toContain(join('state', 'mirrors', 'beta.git'));
    expect((await api(svc.url, 'POST', '/repos', { source: join(dir, 'alpha') })).status).toBe(400);
    expect((await api(svc.url, 'POST', '/repos', { source: join(dir, 'nope') })).status).toBe(400);
    const list = await api(svc.url, 'GET', '/repos');
    expect(list.body.repositories.map((r: { id: string }) => r.id)).toEqual(['alpha', 'beta']);
  });

  it('gathers on POST /gather and answers the freshness API from the result', async () => {
    const res = await api(svc.url, 'POST', '/gather', { repo: 'alpha', wait: 30 });
    expect(res.status).toBe(200);
    expect(res.body.job.state).toBe('done');
    expect(res.body.job.commit).toBe(shas[2]);
    const ctx = await api(svc.url, 'GET', '/repos/alpha/context?mode=fresh-on-trigger');
    expect(ctx.status).toBe(200);
    expect(ctx.body.commit).toBe(shas[2]);
    expect(ctx.body.stale).toBe(false);
    expect(ctx.body.artifacts['repo-context.yaml']).toBe(`commit: ${shas[2]}\n`);
    const view = await api(svc.url, 'GET', '/repos/alpha/context?mode=cached-only&view=risk_flags');
    expect(view.body.value).toEqual([{ id: 'example', rev: shas[2] }]);
    // A fresh read of the current head starts no gather.
    const before = gatherLog(log()).length;
    await api(svc.url, 'GET', '/repos/alpha/context');
    expect(gatherLog(log()).length).toBe(before);
    expect((await api(svc.url, 'GET', '/repos/alpha/context?mode=sometimes')).status).toBe(400);
  });

  it('fresh-on-trigger waits for a gather of a managed mirror head; force-refresh always gathers', async () => {
    const first = await api(svc.url, 'GET', '/repos/beta/context?mode=fresh-on-trigger');
    expect(first.status).toBe(200);
    expect(first.body.stale).toBe(false);
    const starts = gatherLog(log()).filter((l) => l.phase === 'done').length;
    const forced = await api(svc.url, 'GET', '/repos/beta/context?mode=force-refresh');
    expect(forced.status).toBe(200);
    expect(gatherLog(log()).filter((l) => l.phase === 'done').length).toBe(starts + 1);
    expect(gatherLog(log()).at(-1)?.mode).toBe('force-refresh');
  });

  it('retries a failing gather with backoff, then shows it as failed with its error', async () => {
    const res = await api(svc.url, 'POST', '/gather', { repo: 'alpha', rev: 'deadbeef', wait: 30 });
    // deadbeef is not a commit of alpha: the mirror step fails on every attempt.
    expect(res.status).toBe(502);
    expect(res.body.job.state).toBe('failed');
    expect(res.body.job.attempts).toBe(2);
    expect(res.body.job.last_error).toMatch(/not in the repository/);
    const failed = await api(svc.url, 'GET', '/jobs?state=failed');
    expect(failed.body.jobs.map((j: { id: number }) => j.id)).toContain(res.body.job.id);
  });

  it('records a CVE event as a risk flag and schedules a gather of the repository', async () => {
    const res = await api(svc.url, 'POST', '/advisories', { advisory: 'GHSA-test-0001', affected: [{ repo: 'alpha', detail: 'lodash@4.17.20', severity: 'high' }, { repo: 'unknown' }] });
    expect(res.status).toBe(202);
    expect(res.body.scheduled.map((s: { repo: string }) => s.repo)).toEqual(['alpha']);
    await idle(svc.url);
    const repo = await api(svc.url, 'GET', '/repos/alpha');
    expect(repo.body.risk_flags.map((f: { advisory: string }) => f.advisory)).toEqual(['GHSA-test-0001']);
    const job = await api(svc.url, 'GET', `/jobs/${res.body.scheduled[0].job}`);
    expect(job.body).toMatchObject({ reason: 'cve', state: 'done', commit: shas[2] });
  });

  it('serves health, readiness, metrics and the status page', async () => {
    expect((await api(svc.url, 'GET', '/healthz')).status).toBe(200);
    const ready = await api(svc.url, 'GET', '/readyz');
    expect(ready.body).toMatchObject({ status: 'ready', store: 'sqlite', workers: 2 });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/codegenie_serve_events_total\{source="manual",outcome="accepted"\} \d+/);
    expect(metrics).toMatch(/codegenie_serve_gather_duration_seconds_count\{outcome="done"\} [1-9]/);
    expect(metrics).toMatch(/codegenie_serve_jobs_failed 1/);
    const page = await (await fetch(`${svc.url}/`)).text();
    expect(page).toContain('<td>alpha</td>');
    expect(page).toMatch(/id="repo-count">2</);
    // Every request log line carries an id.
    const requests = svc.logs().filter((l) => l.event === 'request');
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.every((l) => typeof l.request_id === 'string')).toBe(true);
  });

  it('removes a repository and its managed mirror', async () => {
    expect((await api(svc.url, 'DELETE', '/repos/beta')).status).toBe(200);
    expect((await api(svc.url, 'DELETE', '/repos/beta')).status).toBe(404);
    expect((await api(svc.url, 'GET', '/repos/beta/context')).status).toBe(404);
  });
});
