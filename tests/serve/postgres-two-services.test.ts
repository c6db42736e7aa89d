/**
 * Two `codegenie serve` processes on one PostgreSQL queue (as on two machines): events reach
 * either one, both take work, no job is gathered twice and no repository is gathered by both at once.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, SKIP_PG } from './helpers/postgres';
import { api, FAKE_GATHER, gatherLog, idle, makeRepo, startService, tempDir, type RunningService } from './helpers/serve-harness';

const REPOS = 8;
const COMMITS = 10;

describe.skipIf(SKIP_PG)('two service processes on one PostgreSQL', () => {
  const services: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('share the work: both gather, no job runs twice, one repository never runs in both at once', async () => {
    const dir = tempDir('two-pg');
    const database = await freshDatabase('two');
    const logFile = join(dir, 'gathers.log');
    const perRepo: string[][] = [];
    for (let r = 0; r < REPOS; r++) perRepo.push(makeRepo(join(dir, `r${r}`), COMMITS));
    const env = { FAKE_GATHER_LOG: logFile, FAKE_GATHER_MS: '120' };
    const common = ['--database', database, '--gather-module', FAKE_GATHER, '--workers', '2', '--poll-ms', '50'];
    const a = await startService([...common, '--state-dir', join(dir, 'state-a')], env);
    services.push(a);
    const b = await startService([...common, '--state-dir', join(dir, 'state-b')], env);
    services.push(b);
    expect((await api(a.url, 'GET', '/readyz')).body.store).toBe('postgres');

    // The registry is shared: a repository added through one process is watched by both.
    for (let r = 0; r < REPOS; r++) expect((await api(a.url, 'POST', '/repos', { source: join(dir, `r${r}`) })).status).toBe(201);
    expect((await api(b.url, 'GET', '/repos')).body.repositories).toHaveLength(REPOS);

    // Each commit of each repository as a manual event, alternately to either process, in waves.
    const accepted: { event: number; job: number; repo: string; rev: string }[] = [];
    for (let c = 0; c < COMMITS; c++) {
      const wave = await Promise.all(
        perRepo.map(async (shas, r) => {
          const res = await api((c + r) % 2 ? a.url : b.url, 'POST', '/gather', { repo: `r${r}`, rev: shas[c] });
          expect(res.status).toBe(202);
          return { event: res.body.event as number, job: res.body.job as number, repo: `r${r}`, rev: shas[c] };
        }),
      );
      accepted.push(...wave);
      await new Promise((r) => setTimeout(r, 60));
    }
    const counts = await idle(a.url, 90_000);
    expect(counts).toMatchObject({ queued: 0, running: 0, failed: 0, events: REPOS * COMMITS });

    const jobs = new Map<number, { id: number; repo: string; commit: string; state: string }>();
    for (const e of accepted) if (!jobs.has(e.job)) jobs.set(e.job, (await api(b.url, 'GET', `/jobs/${e.job}`)).body);
    for (const job of jobs.values()) expect(job.state).toBe('done');

    const lines = gatherLog(logFile);
    const starts = lines.filter((l) => l.phase === 'start');
    // No job ran twice: one start and one completion per job, and nothing else ran.
    expect(starts.length).toBe(jobs.size);
    for (const job of jobs.values()) {
      const key = (l: { path: string; rev: string }): boolean => l.path === join(dir, job.repo, '.git') && l.rev === job.commit;
      expect(starts.filter(key), `starts of job ${job.id}`).toHaveLength(1);
      expect(lines.filter((l) => l.phase === 'done' && key(l)), `completions of job ${job.id}`).toHaveLength(1);
    }
    // Both processes took work.
    const pids = new Map<number, number>();
    for (const s of starts) pids.set(s.pid, (pids.get(s.pid) ?? 0) + 1);
    expect(pids.size).toBe(2);
    // Per repository, each gather starts after the previous one finished, whichever process ran it.
    for (let r = 0; r < REPOS; r++) {
      const path = join(dir, `r${r}`, '.git');
      const mine = lines.filter((l) => l.path === path).sort((x, y) => x.t - y.t || (x.phase === 'done' ? -1 : 1));
      for (let i = 0; i < mine.length; i++) expect(mine[i].phase, `r${r} line ${i}`).toBe(i % 2 === 0 ? 'start' : 'done');
    }
    // Every accepted event is attached to a job that gathered its commit or a newer one.
    for (const e of accepted) {
      const job = jobs.get(e.job)!;
      const order = perRepo[Number(e.repo.slice(1))];
      expect(order.indexOf(job.commit)).toBeGreaterThanOrEqual(order.indexOf(e.rev));
    }
  });
});
