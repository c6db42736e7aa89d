/**
 * The shared store for several service processes (on one or several machines): PostgreSQL
 * through `pg`, jobs claimed with `FOR UPDATE SKIP LOCKED`.
 *
 * Why not pg-boss (10.x is the line that runs on Node 20): its queued jobs are immutable and its
 * de-duplication (`singletonKey` with the `short`/`stately` policies) *refuses* the second job
 * instead of moving the queued one to the newest commit, so "a burst becomes one more gather of
 * the newest SHA" cannot be expressed; nor can persisting the event and attaching it to the job in
 * one transaction (the durability audit reads that link), nor "never two jobs of one repository
 * at once" across a retried job and a newer one. The store therefore keeps the same tables and
 * rules as the SQLite store and uses the engine's own primitive, SKIP LOCKED, for the claim.
 *
 * Per-repository exclusion across processes: a claim takes a transaction-scoped advisory lock on
 * the repository before it re-checks that nothing of that repository runs, and a partial unique
 * index (one running job per repository) makes the database refuse a violation outright.
 * Times are epoch milliseconds (BIGINT, read back as numbers), as in the SQLite store.
 */
import pg from 'pg';
import { MODE_STRENGTH, PRIORITY, type ClaimOptions, type EnqueueResult, type Job, type JobState, type QueueCounts, type RepoEntry, type RiskFlag, type ServiceStore, type TriggerEvent } from './types';
import type { FreshnessMode, GatherOutcome } from '../gather-port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS codegenie_repos (
  id TEXT PRIMARY KEY, source TEXT NOT NULL, mirror TEXT NOT NULL, managed BOOLEAN NOT NULL,
  branches JSONB NOT NULL, cron TEXT, github TEXT, added_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS codegenie_jobs (
  id BIGSERIAL PRIMARY KEY, repo TEXT NOT NULL, rev TEXT NOT NULL, reason TEXT NOT NULL,
  mode TEXT NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL, run_after BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT,
  last_error TEXT, created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,
  commit_sha TEXT, outcome JSONB);
CREATE INDEX IF NOT EXISTS codegenie_jobs_state ON codegenie_jobs(state, priority, id);
CREATE INDEX IF NOT EXISTS codegenie_jobs_repo ON codegenie_jobs(repo, state);
CREATE UNIQUE INDEX IF NOT EXISTS codegenie_jobs_one_running ON codegenie_jobs(repo) WHERE state = 'running';
CREATE TABLE IF NOT EXISTS codegenie_events (
  id BIGSERIAL PRIMARY KEY, repo TEXT NOT NULL, rev TEXT NOT NULL, reason TEXT NOT NULL,
  mode TEXT NOT NULL, delivery TEXT UNIQUE, detail TEXT, received_at BIGINT NOT NULL, job_id BIGINT);
CREATE INDEX IF NOT EXISTS codegenie_events_job ON codegenie_events(job_id);
CREATE TABLE IF NOT EXISTS codegenie_risk_flags (
  repo TEXT NOT NULL, advisory TEXT NOT NULL, detail TEXT, severity TEXT, created_at BIGINT NOT NULL,
  PRIMARY KEY (repo, advisory));
`;

/** One key space for every advisory lock this store takes (xact locks on hashtext(repo)). */
const LOCK_SPACE = 0x636f6467; // "codg"

/** BIGINT (20) and NUMERIC counts come back as strings by default; every value here fits a double. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

interface JobRow extends Omit<Job, 'outcome' | 'commit' | 'events'> {
  commit_sha: string | null;
  outcome: GatherOutcome | null;
  events?: number;
}

function toJob(row: JobRow): Job {
  const { commit_sha, outcome, ...rest } = row;
  return { ...rest, commit: commit_sha, outcome: outcome ?? null, events: row.events ?? 0 };
}

function toRepo(row: RepoEntry): RepoEntry {
  return { ...row, branches: [...row.branches] };
}

const JOB_COLUMNS = `j.*, (SELECT COUNT(*) FROM codegenie_events e WHERE e.job_id = j.id) AS events`;

/** Postgres error codes the claim retries on: another process won the race for that repository. */
const UNIQUE_VIOLATION = '23505';

export class PostgresStore implements ServiceStore {
  readonly kind = 'postgres';
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects (failing fast with the server's own message) and creates the tables when absent. */
  static async open(url: string): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: 8, types: TYPES, connectionTimeoutMillis: 10_000 });
    // An idle client that loses its server must not crash the service; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        // Two processes starting together must not race on CREATE TABLE IF NOT EXISTS.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_SPACE]);
        await client.query(SCHEMA);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresStore(pool);
  }

  private async tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async addRepo(entry: RepoEntry): Promise<void> {
    await this.pool.query(`INSERT INTO codegenie_repos (id, source, mirror, managed, branches, cron, github, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      entry.id,
      entry.source,
      entry.mirror,
      entry.managed,
      JSON.stringify(entry.branches),
      entry.cron,
      entry.github,
      entry.added_at,
    ]);
  }

  async removeRepo(id: string): Promise<boolean> {
    return this.tx(async (c) => {
      const removed = ((await c.query(`DELETE FROM codegenie_repos WHERE id = $1`, [id])).rowCount ?? 0) > 0;
      // Queued work for a repository no longer watched is dropped, visibly.
      await c.query(`UPDATE codegenie_jobs SET state = 'failed', last_error = 'repository removed from the registry' WHERE repo = $1 AND state = 'queued'`, [id]);
      return removed;
    });
  }

  async getRepo(id: string): Promise<RepoEntry | undefined> {
    const { rows } = await this.pool.query<RepoEntry>(`SELECT * FROM codegenie_repos WHERE id = $1`, [id]);
    return rows[0] ? toRepo(rows[0]) : undefined;
  }

  async listRepos(): Promise<RepoEntry[]> {
    return (await this.pool.query<RepoEntry>(`SELECT * FROM codegenie_repos ORDER BY id COLLATE "C"`)).rows.map(toRepo);
  }

  async hasDelivery(delivery: string): Promise<boolean> {
    return ((await this.pool.query(`SELECT 1 FROM codegenie_events WHERE delivery = $1`, [delivery])).rowCount ?? 0) > 0;
  }

  async enqueue(event: TriggerEvent, now: number, maxAttempts: number): Promise<EnqueueResult> {
    return this.tx(async (c): Promise<EnqueueResult> => {
      // Serialises enqueues of one repository across processes, so two of them never both decide
      // "no queued job yet" and create two. Claims take the same lock.
      await c.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCK_SPACE, event.repo]);
      if (event.delivery !== undefined && ((await c.query(`SELECT 1 FROM codegenie_events WHERE delivery = $1`, [event.delivery])).rowCount ?? 0) > 0) {
        return { event: null, job: null, coalesced: false };
      }
      const priority = PRIORITY[event.reason];
      // Coalescing: at most one queued job per repository; a newer event moves it to its rev.
      const queued = (
        await c.query<{ id: number; mode: FreshnessMode; priority: number; reason: string }>(
          `SELECT id, mode, priority, reason FROM codegenie_jobs WHERE repo = $1 AND state = 'queued' ORDER BY id DESC LIMIT 1 FOR UPDATE`,
          [event.repo],
        )
      ).rows[0];
      let jobId: number;
      let coalesced = false;
      if (queued) {
        const mode = MODE_STRENGTH[event.mode] > MODE_STRENGTH[queued.mode] ? event.mode : queued.mode;
        const reason = priority < queued.priority ? event.reason : queued.reason;
        await c.query(`UPDATE codegenie_jobs SET rev = $1, mode = $2, priority = LEAST(priority, $3), reason = $4, run_after = LEAST(run_after, $5) WHERE id = $6`, [
          event.rev,
          mode,
          priority,
          reason,
          now,
          queued.id,
        ]);
        jobId = queued.id;
        coalesced = true;
      } else {
        jobId = (
          await c.query<{ id: number }>(
            `INSERT INTO codegenie_jobs (repo, rev, reason, mode, priority, state, max_attempts, run_after, created_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $7) RETURNING id`,
            [event.repo, event.rev, event.reason, event.mode, priority, maxAttempts, now],
          )
        ).rows[0].id;
      }
      const eventId = (
        await c.query<{ id: number }>(
          `INSERT INTO codegenie_events (repo, rev, reason, mode, delivery, detail, received_at, job_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [event.repo, event.rev, event.reason, event.mode, event.delivery ?? null, event.detail ?? null, now, jobId],
        )
      ).rows[0].id;
      return { event: eventId, job: jobId, coalesced };
    }).catch((err: { code?: string; constraint?: string }) => {
      // Two processes received the same delivery at once: the second insert hits the UNIQUE key.
      if (err.code === UNIQUE_VIOLATION && event.delivery !== undefined && /delivery/.test(err.constraint ?? '')) return { event: null, job: null, coalesced: false };
      throw err;
    });
  }

  async claim({ owner, leaseMs, now }: ClaimOptions): Promise<Job | undefined> {
    return this.tx(async (c): Promise<Job | undefined> => {
      // Candidates other processes are not claiming right now (SKIP LOCKED), best first.
      const candidates = (
        await c.query<{ id: number; repo: string }>(
          `SELECT id, repo FROM codegenie_jobs j WHERE state = 'queued' AND run_after <= $1
             AND NOT EXISTS (SELECT 1 FROM codegenie_jobs r WHERE r.repo = j.repo AND r.state = 'running')
           ORDER BY priority, id LIMIT 8 FOR UPDATE SKIP LOCKED`,
          [now],
        )
      ).rows;
      for (const candidate of candidates) {
        // The repository's lock, then a fresh look (READ COMMITTED: every statement sees what
        // committed before it) — a job of this repository another process just started is seen.
        const locked = (await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok`, [LOCK_SPACE, candidate.repo])).rows[0].ok;
        if (!locked) continue;
        const busy = ((await c.query(`SELECT 1 FROM codegenie_jobs WHERE repo = $1 AND state = 'running'`, [candidate.repo])).rowCount ?? 0) > 0;
        if (busy) continue;
        const { rows } = await c.query<JobRow>(
          `UPDATE codegenie_jobs j SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_until = $2, started_at = $3
            WHERE id = $4 AND state = 'queued' RETURNING ${JOB_COLUMNS}`,
          [owner, now + leaseMs, now, candidate.id],
        );
        if (rows[0]) return toJob(rows[0]);
      }
      return undefined;
    }).catch((err: { code?: string }) => {
      // The partial unique index refused a second running job of one repository: nothing was
      // claimed, the worker polls again.
      if (err.code === UNIQUE_VIOLATION) return undefined;
      throw err;
    });
  }

  async renew(jobId: number, owner: string, until: number): Promise<boolean> {
    return ((await this.pool.query(`UPDATE codegenie_jobs SET lease_until = $1 WHERE id = $2 AND state = 'running' AND lease_owner = $3`, [until, jobId, owner])).rowCount ?? 0) > 0;
  }

  async complete(jobId: number, owner: string, commit: string | null, outcome: GatherOutcome, now: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE codegenie_jobs SET state = 'done', finished_at = $1, commit_sha = $2, outcome = $3, lease_owner = NULL, lease_until = NULL, last_error = NULL
        WHERE id = $4 AND state = 'running' AND lease_owner = $5`,
      [now, commit, JSON.stringify(outcome), jobId, owner],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async fail(jobId: number, owner: string, error: string, now: number, retryAt: number | null): Promise<boolean> {
    return this.tx(async (c): Promise<boolean> => {
      const job = (
        await c.query<{ attempts: number; max_attempts: number }>(`SELECT attempts, max_attempts FROM codegenie_jobs WHERE id = $1 AND state = 'running' AND lease_owner = $2 FOR UPDATE`, [
          jobId,
          owner,
        ])
      ).rows[0];
      if (!job) return false;
      if (retryAt !== null && job.attempts < job.max_attempts) {
        await c.query(`UPDATE codegenie_jobs SET state = 'queued', run_after = $1, last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3`, [retryAt, error, jobId]);
      } else {
        await c.query(`UPDATE codegenie_jobs SET state = 'failed', finished_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3`, [now, error, jobId]);
      }
      return true;
    });
  }

  async release(jobId: number, owner: string): Promise<void> {
    await this.pool.query(
      `UPDATE codegenie_jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL WHERE id = $1 AND state = 'running' AND lease_owner = $2`,
      [jobId, owner],
    );
  }

  async reclaimExpired(now: number): Promise<number> {
    const result = await this.pool.query(
      `UPDATE codegenie_jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, last_error = 'lease expired (worker died)' WHERE state = 'running' AND lease_until < $1`,
      [now],
    );
    return result.rowCount ?? 0;
  }

  async getJob(id: number): Promise<Job | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const { rows } = await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM codegenie_jobs j WHERE id = $1`, [id]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async listJobs(filter: { state?: JobState; repo?: string; limit?: number }): Promise<Job[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) (args.push(filter.state), where.push(`state = $${args.length}`));
    if (filter.repo) (args.push(filter.repo), where.push(`repo = $${args.length}`));
    const limit = Number.isSafeInteger(filter.limit) && filter.limit! >= 0 ? filter.limit! : 100;
    args.push(limit);
    const sql = `SELECT ${JOB_COLUMNS} FROM codegenie_jobs j ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`;
    return (await this.pool.query<JobRow>(sql, args)).rows.map(toJob);
  }

  async lastDone(repo: string): Promise<Job | undefined> {
    const { rows } = await this.pool.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM codegenie_jobs j WHERE repo = $1 AND state = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1`, [repo]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async counts(): Promise<QueueCounts> {
    const { rows } = await this.pool.query<{ state: JobState; n: number }>(`SELECT state, COUNT(*) AS n FROM codegenie_jobs GROUP BY state`);
    const counts: QueueCounts = { queued: 0, running: 0, done: 0, failed: 0, events: 0 };
    for (const r of rows) counts[r.state] = r.n;
    counts.events = (await this.pool.query<{ n: number }>(`SELECT COUNT(*) AS n FROM codegenie_events`)).rows[0].n;
    return counts;
  }

  async eventJobs(): Promise<{ event: number; job: number | null; rev: string; repo: string }[]> {
    return (await this.pool.query<{ event: number; job: number | null; rev: string; repo: string }>(`SELECT id AS event, job_id AS job, rev, repo FROM codegenie_events ORDER BY id`)).rows;
  }

  async addRiskFlag(flag: RiskFlag): Promise<void> {
    await this.pool.query(
      `INSERT INTO codegenie_risk_flags (repo, advisory, detail, severity, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (repo, advisory) DO UPDATE SET detail = excluded.detail, severity = excluded.severity`,
      [flag.repo, flag.advisory, flag.detail, flag.severity, flag.created_at],
    );
  }

  async riskFlags(repo?: string): Promise<RiskFlag[]> {
    const { rows } = repo
      ? await this.pool.query<RiskFlag>(`SELECT * FROM codegenie_risk_flags WHERE repo = $1 ORDER BY advisory COLLATE "C"`, [repo])
      : await this.pool.query<RiskFlag>(`SELECT * FROM codegenie_risk_flags ORDER BY repo COLLATE "C", advisory COLLATE "C"`);
    return rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
