/**
 * The embedded store: one SQLite file (WAL) through better-sqlite3. Every write is one
 * transaction committed before the caller answers, so an accepted event survives `kill -9`;
 * running jobs hold a lease that a restarted service reclaims when it expires.
 */
import Database from 'better-sqlite3';
import { MODE_STRENGTH, PRIORITY, type ClaimOptions, type EnqueueResult, type Job, type JobState, type QueueCounts, type RepoEntry, type RiskFlag, type ServiceStore, type TriggerEvent } from './types';
import type { FreshnessMode, GatherOutcome } from '../gather-port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS repos (
  id TEXT PRIMARY KEY, source TEXT NOT NULL, mirror TEXT NOT NULL, managed INTEGER NOT NULL,
  branches TEXT NOT NULL, cron TEXT, github TEXT, added_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, repo TEXT NOT NULL, rev TEXT NOT NULL, reason TEXT NOT NULL,
  mode TEXT NOT NULL, priority INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL, run_after INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER,
  last_error TEXT, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,
  commit_sha TEXT, outcome TEXT);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, priority, id);
CREATE INDEX IF NOT EXISTS jobs_repo ON jobs(repo, state);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, repo TEXT NOT NULL, rev TEXT NOT NULL, reason TEXT NOT NULL,
  mode TEXT NOT NULL, delivery TEXT UNIQUE, detail TEXT, received_at INTEGER NOT NULL, job_id INTEGER);
CREATE INDEX IF NOT EXISTS events_job ON events(job_id);
CREATE TABLE IF NOT EXISTS risk_flags (
  repo TEXT NOT NULL, advisory TEXT NOT NULL, detail TEXT, severity TEXT, created_at INTEGER NOT NULL,
  PRIMARY KEY (repo, advisory));
`;

interface JobRow extends Omit<Job, 'outcome' | 'commit' | 'events'> {
  commit_sha: string | null;
  outcome: string | null;
  events?: number;
}

function toJob(row: JobRow): Job {
  const { commit_sha, outcome, ...rest } = row;
  return { ...rest, commit: commit_sha, outcome: outcome ? (JSON.parse(outcome) as GatherOutcome) : null, events: row.events ?? 0 };
}

interface RepoRow {
  id: string;
  source: string;
  mirror: string;
  managed: number;
  branches: string;
  cron: string | null;
  github: string | null;
  added_at: number;
}

function toRepo(row: RepoRow): RepoEntry {
  return { ...row, managed: row.managed === 1, branches: JSON.parse(row.branches) as string[] };
}

const JOB_COLUMNS = `j.*, (SELECT COUNT(*) FROM events e WHERE e.job_id = j.id) AS events`;

export class SqliteStore implements ServiceStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly pending: { event: TriggerEvent; now: number; maxAttempts: number; resolve: (r: EnqueueResult) => void; reject: (e: Error) => void }[] = [];

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before the HTTP answer, whatever happens to the process after.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  async addRepo(entry: RepoEntry): Promise<void> {
    this.db
      .prepare(`INSERT INTO repos (id, source, mirror, managed, branches, cron, github, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(entry.id, entry.source, entry.mirror, entry.managed ? 1 : 0, JSON.stringify(entry.branches), entry.cron, entry.github, entry.added_at);
  }

  async removeRepo(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const removed = this.db.prepare(`DELETE FROM repos WHERE id = ?`).run(id).changes > 0;
      // Queued work for a repository no longer watched is dropped, visibly.
      this.db.prepare(`UPDATE jobs SET state = 'failed', last_error = 'repository removed from the registry' WHERE repo = ? AND state = 'queued'`).run(id);
      return removed;
    })();
  }

  async getRepo(id: string): Promise<RepoEntry | undefined> {
    const row = this.db.prepare(`SELECT * FROM repos WHERE id = ?`).get(id) as RepoRow | undefined;
    return row ? toRepo(row) : undefined;
  }

  async listRepos(): Promise<RepoEntry[]> {
    return (this.db.prepare(`SELECT * FROM repos ORDER BY id`).all() as RepoRow[]).map(toRepo);
  }

  async hasDelivery(delivery: string): Promise<boolean> {
    return this.db.prepare(`SELECT 1 FROM events WHERE delivery = ?`).get(delivery) !== undefined;
  }

  /**
   * Group commit: every enqueue that arrives while the event loop is busy (a burst of webhooks)
   * is written in one transaction, so a burst pays one fsync instead of one per event. Each caller
   * is still answered only after the transaction that holds its event has committed.
   */
  async enqueue(event: TriggerEvent, now: number, maxAttempts: number): Promise<EnqueueResult> {
    return new Promise<EnqueueResult>((resolve, reject) => {
      this.pending.push({ event, now, maxAttempts, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flushEnqueues());
    });
  }

  private flushEnqueues(): void {
    const batch = this.pending.splice(0);
    try {
      const results = this.db.transaction(() => batch.map((p) => this.enqueueOne(p.event, p.now, p.maxAttempts))).immediate();
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch {
      // One bad event must not fail its neighbours: retry each in a transaction of its own.
      for (const p of batch) {
        try {
          p.resolve(this.db.transaction(() => this.enqueueOne(p.event, p.now, p.maxAttempts)).immediate());
        } catch (err) {
          p.reject(err as Error);
        }
      }
    }
  }

  private enqueueOne(event: TriggerEvent, now: number, maxAttempts: number): EnqueueResult {
    if (event.delivery !== undefined && this.db.prepare(`SELECT 1 FROM events WHERE delivery = ?`).get(event.delivery)) {
      return { event: null, job: null, coalesced: false };
    }
    const priority = PRIORITY[event.reason];
    // Coalescing: at most one queued job per repository; a newer event moves it to its rev.
    const queued = this.db.prepare(`SELECT id, mode, priority, reason FROM jobs WHERE repo = ? AND state = 'queued' ORDER BY id DESC LIMIT 1`).get(event.repo) as
      | { id: number; mode: FreshnessMode; priority: number; reason: string }
      | undefined;
    let jobId: number;
    let coalesced = false;
    if (queued) {
      const mode = MODE_STRENGTH[event.mode] > MODE_STRENGTH[queued.mode] ? event.mode : queued.mode;
      const reason = priority < queued.priority ? event.reason : queued.reason;
      this.db
        .prepare(`UPDATE jobs SET rev = ?, mode = ?, priority = MIN(priority, ?), reason = ?, run_after = MIN(run_after, ?) WHERE id = ?`)
        .run(event.rev, mode, priority, reason, now, queued.id);
      jobId = queued.id;
      coalesced = true;
    } else {
      jobId = Number(
        this.db
          .prepare(`INSERT INTO jobs (repo, rev, reason, mode, priority, state, max_attempts, run_after, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`)
          .run(event.repo, event.rev, event.reason, event.mode, priority, maxAttempts, now, now).lastInsertRowid,
      );
    }
    const eventId = Number(
      this.db
        .prepare(`INSERT INTO events (repo, rev, reason, mode, delivery, detail, received_at, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(event.repo, event.rev, event.reason, event.mode, event.delivery ?? null, event.detail ?? null, now, jobId).lastInsertRowid,
    );
    return { event: eventId, job: jobId, coalesced };
  }

  async claim({ owner, leaseMs, now }: ClaimOptions): Promise<Job | undefined> {
    return this.db.transaction((): Job | undefined => {
      const row = this.db
        .prepare(
          `SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ?
             AND repo NOT IN (SELECT repo FROM jobs WHERE state = 'running')
           ORDER BY priority, id LIMIT 1`,
        )
        .get(now) as { id: number } | undefined;
      if (!row) return undefined;
      this.db
        .prepare(`UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, started_at = ? WHERE id = ?`)
        .run(owner, now + leaseMs, now, row.id);
      return toJob(this.db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE id = ?`).get(row.id) as JobRow);
    }).immediate();
  }

  async renew(jobId: number, owner: string, until: number): Promise<boolean> {
    return this.db.prepare(`UPDATE jobs SET lease_until = ? WHERE id = ? AND state = 'running' AND lease_owner = ?`).run(until, jobId, owner).changes > 0;
  }

  async complete(jobId: number, owner: string, commit: string | null, outcome: GatherOutcome, now: number): Promise<boolean> {
    return (
      this.db
        .prepare(`UPDATE jobs SET state = 'done', finished_at = ?, commit_sha = ?, outcome = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = ? AND state = 'running' AND lease_owner = ?`)
        .run(now, commit, JSON.stringify(outcome), jobId, owner).changes > 0
    );
  }

  async fail(jobId: number, owner: string, error: string, now: number, retryAt: number | null): Promise<boolean> {
    return this.db.transaction((): boolean => {
      const job = this.db.prepare(`SELECT attempts, max_attempts FROM jobs WHERE id = ? AND state = 'running' AND lease_owner = ?`).get(jobId, owner) as
        | { attempts: number; max_attempts: number }
        | undefined;
      if (!job) return false;
      if (retryAt !== null && job.attempts < job.max_attempts) {
        this.db.prepare(`UPDATE jobs SET state = 'queued', run_after = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`).run(retryAt, error, jobId);
      } else {
        this.db.prepare(`UPDATE jobs SET state = 'failed', finished_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`).run(now, error, jobId);
      }
      return true;
    }).immediate();
  }

  async release(jobId: number, owner: string): Promise<void> {
    this.db
      .prepare(`UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'running' AND lease_owner = ?`)
      .run(jobId, owner);
  }

  async reclaimExpired(now: number): Promise<number> {
    return this.db
      .prepare(`UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, last_error = 'lease expired (worker died)' WHERE state = 'running' AND lease_until < ?`)
      .run(now).changes;
  }

  async getJob(id: number): Promise<Job | undefined> {
    const row = this.db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  async listJobs(filter: { state?: JobState; repo?: string; limit?: number }): Promise<Job[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) (where.push('state = ?'), args.push(filter.state));
    if (filter.repo) (where.push('repo = ?'), args.push(filter.repo));
    const sql = `SELECT ${JOB_COLUMNS} FROM jobs j ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 100) as JobRow[]).map(toJob);
  }

  async lastDone(repo: string): Promise<Job | undefined> {
    const row = this.db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE repo = ? AND state = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1`).get(repo) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  async counts(): Promise<QueueCounts> {
    const rows = this.db.prepare(`SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`).all() as { state: JobState; n: number }[];
    const counts: QueueCounts = { queued: 0, running: 0, done: 0, failed: 0, events: 0 };
    for (const r of rows) counts[r.state] = r.n;
    counts.events = (this.db.prepare(`SELECT COUNT(*) AS n FROM events`).get() as { n: number }).n;
    return counts;
  }

  async eventJobs(): Promise<{ event: number; job: number | null; rev: string; repo: string }[]> {
    return this.db.prepare(`SELECT id AS event, job_id AS job, rev, repo FROM events ORDER BY id`).all() as { event: number; job: number | null; rev: string; repo: string }[];
  }

  async addRiskFlag(flag: RiskFlag): Promise<void> {
    this.db
      .prepare(`INSERT INTO risk_flags (repo, advisory, detail, severity, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo, advisory) DO UPDATE SET detail = excluded.detail, severity = excluded.severity`)
      .run(flag.repo, flag.advisory, flag.detail, flag.severity, flag.created_at);
  }

  async riskFlags(repo?: string): Promise<RiskFlag[]> {
    return (repo
      ? this.db.prepare(`SELECT * FROM risk_flags WHERE repo = ? ORDER BY advisory`).all(repo)
      : this.db.prepare(`SELECT * FROM risk_flags ORDER BY repo, advisory`).all()) as RiskFlag[];
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) this.flushEnqueues();
    this.db.close();
  }
}
