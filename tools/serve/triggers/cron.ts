/**
 * The cron trigger: one schedule for all watched repositories (default nightly), and a schedule of
 * its own for a repository whose entry overrides it. Each firing enqueues a low-priority gather of
 * every watched branch head. croner parses and times the expressions.
 */
import { Cron } from 'croner';
import type { Service } from '../service';

export const DEFAULT_CRON = '0 3 * * *';

export function validateCron(expression: string): string | undefined {
  try {
    new Cron(expression, { paused: true }).stop();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export class CronTrigger {
  private jobs: Cron[] = [];

  constructor(private readonly service: Service, private readonly schedule: string, private readonly timezone?: string) {}

  async fire(override: string | null): Promise<number> {
    let n = 0;
    for (const repo of await this.service.store.listRepos()) {
      if ((repo.cron ?? null) !== override) continue;
      for (const branch of repo.branches) {
        await this.service.submit({ repo: repo.id, rev: `refs/heads/${branch}`, reason: 'cron', mode: 'fresh-on-trigger', detail: override ?? this.schedule });
        n++;
      }
    }
    return n;
  }

  /** (Re)builds the timers from the registry: call after repositories are added or removed. */
  async refresh(): Promise<void> {
    this.stop();
    const overrides = new Set((await this.service.store.listRepos()).map((r) => r.cron).filter((c): c is string => c !== null));
    const options = this.timezone ? { timezone: this.timezone } : {};
    this.jobs.push(new Cron(this.schedule, options, () => void this.fire(null)));
    for (const expr of overrides) this.jobs.push(new Cron(expr, options, () => void this.fire(expr)));
  }

  stop(): void {
    for (const job of this.jobs) job.stop();
    this.jobs = [];
  }
}
