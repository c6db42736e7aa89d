/**
 * The job shape every trigger turns into, and the durable store the dispatcher works on.
 * Store methods are async so a server-backed store can sit behind the same interface.
 */
import type { FreshnessMode, GatherOutcome } from '../gather-port';

export type TriggerReason = 'manual' | 'pull_request' | 'push' | 'cve' | 'cron';

/** Lower runs first: manual and PR before pushes and advisories, cron last. */
export const PRIORITY: Record<TriggerReason, number> = { manual: 0, pull_request: 1, push: 2, cve: 2, cron: 3 };

/** When events coalesce, the stronger freshness mode wins. */
export const MODE_STRENGTH: Record<FreshnessMode, number> = { 'cached-only': 0, 'fresh-on-trigger': 1, 'force-refresh': 2 };

export interface TriggerEvent {
  repo: string;
  /** A commit sha, or a ref the worker resolves in the mirror (cron and manual without a rev). */
  rev: string;
  reason: TriggerReason;
  mode: FreshnessMode;
  /** GitHub's X-GitHub-Delivery, unique: a second event with the same id is refused. */
  delivery?: string;
  /** e.g. PR number or advisory id, for the job list. */
  detail?: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface Job {
  id: number;
  repo: string;
  rev: string;
  reason: TriggerReason;
  mode: FreshnessMode;
  priority: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The resolved commit the gather ran on. */
  commit: string | null;
  outcome: GatherOutcome | null;
  events: number;
}

export interface RepoEntry {
  id: string;
  /** What the user registered: a local git directory or a clone URL. */
  source: string;
  /** The git directory gathers read: the local path itself, or the service's bare mirror. */
  mirror: string;
  /** True when the service owns the mirror (clone --mirror) and fetches into it. */
  managed: boolean;
  branches: string[];
  cron: string | null;
  /** owner/name on GitHub, matched against webhook payloads. */
  github: string | null;
  added_at: number;
}

export interface RiskFlag {
  repo: string;
  advisory: string;
  detail: string | null;
  severity: string | null;
  created_at: number;
}

export interface EnqueueResult {
  /** The event's row id, or null when the delivery id was seen before (nothing written). */
  event: number | null;
  job: number | null;
  /** True when the event joined an already queued job instead of creating one. */
  coalesced: boolean;
}

export interface QueueCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
  events: number;
}

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  now: number;
}

export interface ServiceStore {
  readonly kind: string;
  addRepo(entry: RepoEntry): Promise<void>;
  removeRepo(id: string): Promise<boolean>;
  getRepo(id: string): Promise<RepoEntry | undefined>;
  listRepos(): Promise<RepoEntry[]>;
  hasDelivery(delivery: string): Promise<boolean>;
  /** Persists the event and coalesces it into the repository's queued job, in one transaction. */
  enqueue(event: TriggerEvent, now: number, maxAttempts: number): Promise<EnqueueResult>;
  /** Takes the next runnable job (priority, then age), never a second one for a repository already running. */
  claim(options: ClaimOptions): Promise<Job | undefined>;
  /** Extends the lease; false when the job is no longer ours (expired and reclaimed). */
  renew(jobId: number, owner: string, until: number): Promise<boolean>;
  complete(jobId: number, owner: string, commit: string | null, outcome: GatherOutcome, now: number): Promise<boolean>;
  /** A failed attempt: back to queued after `retryAt`, or failed for good when attempts are used up. */
  fail(jobId: number, owner: string, error: string, now: number, retryAt: number | null): Promise<boolean>;
  /** Gives a running job back without counting the attempt (graceful shutdown). */
  release(jobId: number, owner: string): Promise<void>;
  /** Running jobs whose lease ran out (their worker died) go back to the queue. */
  reclaimExpired(now: number): Promise<number>;
  getJob(id: number): Promise<Job | undefined>;
  listJobs(filter: { state?: JobState; repo?: string; limit?: number }): Promise<Job[]>;
  lastDone(repo: string): Promise<Job | undefined>;
  counts(): Promise<QueueCounts>;
  /** Event ids with the job each one was attached to: for audits and the durability test. */
  eventJobs(): Promise<{ event: number; job: number | null; rev: string; repo: string }[]>;
  addRiskFlag(flag: RiskFlag): Promise<void>;
  riskFlags(repo?: string): Promise<RiskFlag[]>;
  close(): Promise<void>;
}
