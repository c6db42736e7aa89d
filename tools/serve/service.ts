/**
 * One running service: the store, the dispatcher, the metrics and the triggers that feed it.
 * Every trigger ends in `submit`, which persists the event (coalesced into the repository's
 * queued job) before anyone is answered.
 */
import type { AffectedRepositoriesFunction } from './advisory-port';
import { Dispatcher } from './dispatcher';
import type { GatherFunction } from './gather-port';
import { createMetrics, type ServiceMetrics } from './metrics';
import type { EnqueueResult, Job, ServiceStore, TriggerEvent } from './queue/types';

export interface ServiceOptions {
  store: ServiceStore;
  gather: GatherFunction;
  gatherKind: string;
  stateDir: string;
  workers: number;
  leaseMs: number;
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  pollMs: number;
  log: (entry: Record<string, unknown>) => void;
  advisories?: AffectedRepositoriesFunction;
}

export class Service {
  readonly store: ServiceStore;
  readonly metrics: ServiceMetrics;
  readonly dispatcher: Dispatcher;
  readonly now = (): number => Date.now();
  draining = false;

  constructor(readonly opts: ServiceOptions) {
    this.store = opts.store;
    this.metrics = createMetrics(opts.store);
    this.dispatcher = new Dispatcher({
      store: opts.store,
      gather: opts.gather,
      stateDir: opts.stateDir,
      workers: opts.workers,
      leaseMs: opts.leaseMs,
      timeoutMs: opts.timeoutMs,
      retryBaseMs: opts.retryBaseMs,
      pollMs: opts.pollMs,
      log: opts.log,
      onFinished: (_job, result) => {
        this.metrics.gatherSeconds.observe({ outcome: result.state }, result.seconds);
        if (result.outcome) {
          this.metrics.probes.inc({ result: 'replayed' }, result.outcome.probes.replayed.length);
          this.metrics.probes.inc({ result: 'recomputed' }, result.outcome.probes.recomputed.length);
        }
      },
    });
  }

  start(): void {
    this.dispatcher.start();
  }

  async submit(event: TriggerEvent): Promise<EnqueueResult> {
    const result = await this.store.enqueue(event, this.now(), this.opts.maxAttempts);
    this.metrics.events.inc({ source: event.reason, outcome: result.event === null ? 'duplicate' : result.coalesced ? 'coalesced' : 'accepted' });
    if (result.event !== null) this.dispatcher.notify();
    return result;
  }

  /** Polls the store until the job is done or failed for good (or `timeoutMs` passes). */
  async waitForJob(jobId: number, timeoutMs: number): Promise<Job | undefined> {
    const deadline = this.now() + timeoutMs;
    let delay = 10;
    for (;;) {
      const job = await this.store.getJob(jobId);
      if (!job || job.state === 'done' || job.state === 'failed' || this.now() >= deadline) return job;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(200, delay * 2);
    }
  }

  /**
   * A CVE feed event: asks the matcher which watched repositories the advisory hits (or takes the
   * list the feed sent), records a risk flag for each and schedules a gather of its branch head.
   */
  async onAdvisory(advisory: string, since: string, supplied?: { repo: string; detail?: string; severity?: string }[]): Promise<{ repo: string; job: number | null }[]> {
    let affected = supplied?.map((a) => ({ ...a, advisory }));
    if (!affected) {
      if (!this.opts.advisories) throw new Error('no advisory matcher is available: send "affected" with the event or start with --advisory-module');
      const repos = await this.store.listRepos();
      const lastDone = await Promise.all(repos.map((r) => this.store.lastDone(r.id)));
      affected = (await this.opts.advisories({ stateDir: this.opts.stateDir, repositories: repos.map((r, i) => ({ id: r.id, contextDir: lastDone[i]?.outcome?.out ?? null })) }, since)).filter(
        (a) => a.advisory === advisory || advisory === '*',
      );
    }
    const scheduled: { repo: string; job: number | null }[] = [];
    for (const hit of affected) {
      const repo = await this.store.getRepo(hit.repo);
      if (!repo) continue;
      await this.store.addRiskFlag({ repo: repo.id, advisory: hit.advisory, detail: hit.detail ?? null, severity: hit.severity ?? null, created_at: this.now() });
      const result = await this.submit({ repo: repo.id, rev: `refs/heads/${repo.branches[0]}`, reason: 'cve', mode: 'fresh-on-trigger', detail: hit.advisory });
      scheduled.push({ repo: repo.id, job: result.job });
    }
    return scheduled;
  }

  async stop(graceMs: number): Promise<void> {
    this.draining = true;
    await this.dispatcher.stop(graceMs);
  }
}
