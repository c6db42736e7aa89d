import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, SKIP_PG } from './helpers/postgres';
import { api, FAKE_GATHER, gatherLog, idle, makeRepo, startService, tempDir, waitFor, type RunningService } from './helpers/serve-harness';

const REPOS = 6;
const COMMITS = 12;

/** Posts manual gathers of distinct commits until stopped; returns the event ids the service accepted (answered 2xx). */
function stream(url: string, revs: { repo: string; rev: string }[]): { accepted: Map<number, { repo: string; rev: string }>; stop: () => Promise<{ accepted: Map<number, { repo: string; rev: string }> }> } {
  const accepted = new Map<number, { repo: string; rev: string }>();
  let stopped = false;
  const loop = (async () => {
    for (const item of revs) {
      if (stopped) break;
      try {
        const res = await api(url, 'POST', '/gather', { repo: item.repo, rev: item.rev });
        if (res.status === 202) accepted.set(res.body.event, item);
      } catch {
        break; // the service was killed: this request may or may not have been persisted, it was not accepted
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  return {
    accepted,
    stop: async () => {
      stopped = true;
      await loop;
      return { accepted };
    },
  };
}

/** The store each round of the test runs on: the embedded default, and a real PostgreSQL server. */
const STORES: { name: string; skip: boolean; args: () => Promise<string[]> }[] = [
  { name: 'embedded SQLite', skip: false, args: async () => [] },
  { name: 'PostgreSQL', skip: SKIP_PG, args: async () => ['--database', await freshDatabase('durable')] },
];

describe.each(STORES)('durability: kill -9 while events are queued and gathers run ($name)', ({ skip, args: storeArgs }) => {
  let svc: RunningService | undefined;
  afterAll(async () => {
    await svc?.stop('SIGKILL');
  });

  it.skipIf(skip)('loses no accepted event, leaves no job stuck, and gathers every accepted event exactly once', async () => {
    const dir = tempDir('durable');
    const logFile = join(dir, 'gathers.log');
    const revs: { repo: string; rev: string }[] = [];
    const perRepo: string[][] = [];
    for (let r = 0; r < REPOS; r++) perRepo.push(makeRepo(join(dir, `r${r}`), COMMITS));
    // Interleaved repositories, each repository's commits in order, every event a distinct commit.
    for (let c = 0; c < COMMITS; c++) for (let r = 0; r < REPOS; r++) revs.push({ repo: `r${r}`, rev: perRepo[r][c] });
    const args = [...(await storeArgs()), '--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--workers', '2', '--lease-ms', '1500', '--poll-ms', '50'];
    const env = { FAKE_GATHER_LOG: logFile, FAKE_GATHER_MS: '250' };

    svc = await startService(args, env);
    for (let r = 0; r < REPOS; r++) expect((await api(svc.url, 'POST', '/repos', { source: join(dir, `r${r}`) })).status).toBe(201);

    // Round 1: kill -9 in the middle of the event stream, once events are accepted and a gather began
    // (conditions, not a clock: a loaded machine only makes the test slower).
    const first = stream(svc.url, revs.slice(0, 40));
    await waitFor('15 accepted events and a gather started', async () => first.accepted.size >= 15 && gatherLog(logFile).some((l) => l.phase === 'start'));
    svc.child.kill('SIGKILL');
    const { accepted } = await first.stop();
    await svc.stop();
    const startedBeforeKill = gatherLog(logFile).filter((l) => l.phase === 'start').length;
    expect(startedBeforeKill).toBeGreaterThan(0);

    // Round 2: restart, more events, kill -9 again while gathers run.
    svc = await startService(args, env);
    const second = stream(svc.url, revs.slice(40));
    const runningNow = await waitFor('15 more accepted events while a gather runs', async () => {
      const running = (await api(svc!.url, 'GET', '/jobs?state=running')).body.jobs.length as number;
      return second.accepted.size >= 15 && running > 0 ? running : undefined;
    });
    svc.child.kill('SIGKILL');
    for (const [id, item] of (await second.stop()).accepted) accepted.set(id, item);
    await svc.stop();

    // Round 3: restart and let it drain; expired leases put interrupted jobs back.
    svc = await startService(args, env);
    const counts = await idle(svc.url, 90_000);
    expect(counts).toMatchObject({ queued: 0, running: 0, failed: 0 });
    expect(accepted.size).toBeGreaterThan(20);
    expect(runningNow + startedBeforeKill).toBeGreaterThan(0);

    const events = new Map<number, { job: number | null; rev: string }>((await api(svc.url, 'GET', '/events')).body.events.map((e: { event: number; job: number; rev: string }) => [e.event, e]));
    const done = gatherLog(logFile).filter((l) => l.phase === 'done');
    const doneCount = new Map<string, number>();
    // Keyed by repository and commit: two repositories may hold the same commit.
    for (const d of done) doneCount.set(`${d.path}|${d.rev}`, (doneCount.get(`${d.path}|${d.rev}`) ?? 0) + 1);
    const jobsSeen = new Set<number>();
    for (const [id, item] of accepted) {
      const event = events.get(id);
      expect(event, `accepted event ${id} is in the store`).toBeDefined();
      expect(event!.rev).toBe(item.rev);
      const job = (await api(svc.url, 'GET', `/jobs/${event!.job}`)).body;
      expect(job.state, `job of event ${id}`).toBe('done');
      // The job gathered this event's commit or a newer one of the same repository (coalesced).
      const order = perRepo[Number(item.repo.slice(1))];
      expect(order.indexOf(job.commit)).toBeGreaterThanOrEqual(order.indexOf(item.rev));
      jobsSeen.add(job.id);
    }
    for (const id of jobsSeen) {
      const job = (await api(svc.url, 'GET', `/jobs/${id}`)).body;
      expect(doneCount.get(`${join(dir, job.repo, '.git')}|${job.commit}`), `completed gathers of job ${id} (${job.commit})`).toBe(1);
    }
  });
});
