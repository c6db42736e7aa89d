/**
 * The queue's rules, checked the same way on both stores behind the ServiceStore interface:
 * the embedded SQLite file and a real PostgreSQL server (skipped only off CI without one).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../tools/serve/queue/postgres-store';
import { SqliteStore } from '../../tools/serve/queue/sqlite-store';
import type { RepoEntry, ServiceStore, TriggerEvent } from '../../tools/serve/queue/types';
import { freshDatabase, SKIP_PG } from './helpers/postgres';
import { tempDir } from './helpers/serve-harness';

interface Backend {
  name: string;
  skip: boolean;
  /** Two handles on one store, as two service processes would hold. */
  open(): Promise<[ServiceStore, ServiceStore]>;
}

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    open: async () => {
      const file = join(tempDir('contract'), 'serve.db');
      return [new SqliteStore(file), new SqliteStore(file)];
    },
  },
  {
    name: 'postgres',
    skip: SKIP_PG,
    open: async () => {
      const url = await freshDatabase('contract');
      return Promise.all([PostgresStore.open(url), PostgresStore.open(url)]) as Promise<[ServiceStore, ServiceStore]>;
    },
  },
];

const repo = (id: string): RepoEntry => ({ id, source: `/srv/${id}`, mirror: `/srv/${id}/.git`, managed: false, branches: ['main'], cron: null, github: null, added_at: 1 });
const push = (r: string, rev: string, extra: Partial<TriggerEvent> = {}): TriggerEvent => ({ repo: r, rev, reason: 'push', mode: 'fresh-on-trigger', ...extra });

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`queue store contract: ${backend.name}`, () => {
    const opened: ServiceStore[] = [];
    const open = async (): Promise<[ServiceStore, ServiceStore]> => {
      const pair = await backend.open();
      opened.push(...pair);
      return pair;
    };
    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });

    it('keeps repositories with their fields and drops queued work of a removed one, visibly', async () => {
      const [s] = await open();
      await s.addRepo({ ...repo('b'), branches: ['main', 'release'], cron: '0 1 * * *', github: 'o/b', managed: true });
      await s.addRepo(repo('a'));
      await expect(s.addRepo(repo('a'))).rejects.toThrow();
      expect((await s.listRepos()).map((r) => r.id)).toEqual(['a', 'b']);
      expect(await s.getRepo('b')).toEqual({ ...repo('b'), branches: ['main', 'release'], cron: '0 1 * * *', github: 'o/b', managed: true });
      const { job } = await s.enqueue(push('b', 'r1'), 10, 3);
      expect(await s.removeRepo('b')).toBe(true);
      expect(await s.removeRepo('b')).toBe(false);
      expect(await s.getJob(job!)).toMatchObject({ state: 'failed', last_error: 'repository removed from the registry' });
    });

    it('coalesces a burst into one queued job at the newest rev, strongest mode and best priority; refuses a replayed delivery', async () => {
      const [s] = await open();
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await s.enqueue(push('a', `rev${i}`, { delivery: `d${i}`, reason: i === 2 ? 'pull_request' : 'push', mode: i === 3 ? 'force-refresh' : 'fresh-on-trigger' }), 100 + i, 3));
      expect(new Set(results.map((r) => r.job)).size).toBe(1);
      expect(results.map((r) => r.coalesced)).toEqual([false, true, true, true, true]);
      const job = (await s.getJob(results[0].job!))!;
      expect(job).toMatchObject({ rev: 'rev4', mode: 'force-refresh', reason: 'pull_request', priority: 1, state: 'queued', events: 5 });
      expect(await s.hasDelivery('d3')).toBe(true);
      expect(await s.enqueue(push('a', 'rev9', { delivery: 'd3' }), 200, 3)).toEqual({ event: null, job: null, coalesced: false });
      expect((await s.counts()).events).toBe(5);
      expect((await s.eventJobs()).map((e) => [e.rev, e.job])).toEqual(results.map((r, i) => [`rev${i}`, r.job]));
    });

    it('events enqueued at once (one batch on SQLite, parallel transactions on PostgreSQL) each get an answer and coalesce per repository', async () => {
      const [s1, s2] = await open();
      const events = Array.from({ length: 60 }, (_, i) => push(`c${i % 5}`, `rev${i}`, { delivery: `burst-${i % 50}` }));
      const results = await Promise.all(events.map((e, i) => (i % 2 ? s1 : s2).enqueue(e, 1000 + i, 3)));
      // The ten repeated delivery ids are refused whichever copy came first; every other event is stored.
      expect(results.filter((r) => r.event === null)).toHaveLength(10);
      expect((await s1.counts())).toMatchObject({ events: 50, queued: 5 });
      const jobs = await s2.listJobs({ state: 'queued' });
      expect(jobs.map((j) => j.repo).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      for (const j of jobs) expect(Number(j.rev.slice(3)) % 5).toBe(Number(j.repo.slice(1)));
      expect(jobs.reduce((n, j) => n + j.events, 0)).toBe(50);
    });

    it('claims by priority then age, never a second job of a repository that runs, and a new event while one runs makes one more job', async () => {
      const [s] = await open();
      await s.enqueue({ ...push('cronrepo', 'c1'), reason: 'cron' }, 1, 3);
      await s.enqueue(push('pushrepo', 'p1'), 2, 3);
      await s.enqueue({ ...push('manualrepo', 'm1'), reason: 'manual' }, 3, 3);
      const order = [];
      for (let i = 0; i < 3; i++) order.push((await s.claim({ owner: 'w', leaseMs: 1000, now: 10 }))!.repo);
      expect(order).toEqual(['manualrepo', 'pushrepo', 'cronrepo']);
      const during = await s.enqueue(push('pushrepo', 'p2'), 11, 3);
      expect(during.coalesced).toBe(false);
      expect(await s.claim({ owner: 'w', leaseMs: 1000, now: 12 })).toBeUndefined();
      expect((await s.counts())).toMatchObject({ queued: 1, running: 3 });
    });

    it('retries with the given backoff, then records the job failed with its error; leases expire; release does not count the attempt', async () => {
      const [s] = await open();
      const { job } = await s.enqueue(push('a', 'x'), 0, 2);
      const first = (await s.claim({ owner: 'w1', leaseMs: 100, now: 0 }))!;
      expect(first).toMatchObject({ id: job, attempts: 1, state: 'running', lease_owner: 'w1', lease_until: 100 });
      expect(await s.fail(job!, 'someone-else', 'nope', 1, 50)).toBe(false);
      expect(await s.fail(job!, 'w1', 'boom 1', 1, 500)).toBe(true);
      expect(await s.getJob(job!)).toMatchObject({ state: 'queued', run_after: 500, last_error: 'boom 1' });
      expect(await s.claim({ owner: 'w1', leaseMs: 100, now: 499 })).toBeUndefined();
      // The lease runs out (its worker died): the job goes back and the dead owner's answers no longer count.
      expect((await s.claim({ owner: 'w1', leaseMs: 100, now: 500 }))!.attempts).toBe(2);
      expect(await s.renew(job!, 'w1', 650)).toBe(true);
      expect(await s.reclaimExpired(640)).toBe(0);
      expect(await s.reclaimExpired(651)).toBe(1);
      expect(await s.complete(job!, 'w1', 'sha', { status: 'ok' } as never, 652)).toBe(false);
      expect(await s.renew(job!, 'w1', 900)).toBe(false);
      const again = (await s.claim({ owner: 'w2', leaseMs: 100, now: 700 }))!;
      expect(again.attempts).toBe(3);
      await s.release(job!, 'w2');
      expect(await s.getJob(job!)).toMatchObject({ state: 'queued', attempts: 2, lease_owner: null });
      await s.claim({ owner: 'w2', leaseMs: 100, now: 710 });
      expect(await s.fail(job!, 'w2', 'boom 3', 720, null)).toBe(true);
      const failed = await s.listJobs({ state: 'failed' });
      expect(failed.map((j) => [j.id, j.last_error, j.finished_at])).toEqual([[job, 'boom 3', 720]]);
      expect((await s.counts()).failed).toBe(1);
    });

    it('records the outcome of a completed job and answers lastDone and risk flags', async () => {
      const [s] = await open();
      const { job } = await s.enqueue(push('a', 'main'), 0, 3);
      await s.claim({ owner: 'w', leaseMs: 100, now: 0 });
      const outcome = { repository: '/srv/a', rev: 'abc', status: 'ok', fast_path: false, seconds: 1.5, out: '/o', probes: { replayed: ['p:gather'], recomputed: [] }, errors: [] };
      expect(await s.complete(job!, 'w', 'abc', outcome as never, 5)).toBe(true);
      expect(await s.lastDone('a')).toMatchObject({ id: job, commit: 'abc', outcome, finished_at: 5, lease_owner: null, events: 1 });
      expect(await s.lastDone('b')).toBeUndefined();
      await s.addRiskFlag({ repo: 'a', advisory: 'GHSA-2', detail: 'x', severity: 'low', created_at: 1 });
      await s.addRiskFlag({ repo: 'a', advisory: 'GHSA-1', detail: 'y', severity: 'low', created_at: 1 });
      await s.addRiskFlag({ repo: 'a', advisory: 'GHSA-2', detail: 'z', severity: 'high', created_at: 2 });
      expect((await s.riskFlags('a')).map((f) => [f.advisory, f.detail, f.severity])).toEqual([
        ['GHSA-1', 'y', 'low'],
        ['GHSA-2', 'z', 'high'],
      ]);
    });

    it('two handles claiming at once never take one job twice nor run two jobs of one repository', async () => {
      const [s1, s2] = await open();
      const repos = Array.from({ length: 12 }, (_, i) => `r${i}`);
      // For each repository: a job retried after a failure and a newer queued one, both runnable.
      for (const r of repos) {
        await s1.enqueue(push(r, `${r}-old`), 0, 3);
        await s1.claim({ owner: 'setup', leaseMs: 10, now: 0 });
        await s1.enqueue(push(r, `${r}-new`), 1, 3);
        const running = (await s1.listJobs({ repo: r, state: 'running' }))[0];
        await s1.fail(running.id, 'setup', 'first attempt failed', 2, 3);
      }
      expect((await s1.counts()).queued).toBe(24);
      const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? s1 : s2).claim({ owner: `w${i}`, leaseMs: 10_000, now: 10 })));
      const got = claims.filter((j) => j !== undefined);
      expect(new Set(got.map((j) => j.id)).size).toBe(got.length);
      expect(new Set(got.map((j) => j.repo)).size).toBe(got.length);
      const running = await s2.listJobs({ state: 'running' });
      expect(running.length).toBe(got.length);
      expect(new Set(running.map((j) => j.repo)).size).toBe(running.length);
      // Every repository with runnable work got one claim once the dust settled.
      let more;
      while ((more = await s2.claim({ owner: 'late', leaseMs: 10_000, now: 11 }))) got.push(more);
      expect(got.map((j) => j.repo).sort()).toEqual([...repos].sort());
    });
  });
}
