/**
 * Age-based eviction for the directory backend: at start, then periodically. (For S3, an
 * expiration lifecycle rule on the prefix does the same job inside the bucket; see the README.)
 */
import type { DirectoryStorage } from './directory-storage';
import { describeError, type Logger } from './log';

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_EVICTION_INTERVAL_MS = 60 * 60 * 1000;

export interface EvictionSchedule {
  /** Resolves when the sweep started at launch has finished (tests and the CLI wait on it). */
  readonly firstSweep: Promise<void>;
  stop(): void;
}

export function scheduleEviction(
  storage: DirectoryStorage,
  evictDays: number,
  log: Logger,
  intervalMs = DEFAULT_EVICTION_INTERVAL_MS,
): EvictionSchedule {
  const maxAgeMs = evictDays * DAY_MS;
  let running = false;
  const sweep = async (): Promise<void> => {
    if (running) return; // a slow sweep is never stacked on by the next tick
    running = true;
    try {
      const report = await storage.evict(maxAgeMs);
      log({
        event: 'eviction',
        evict_days: evictDays,
        removed_entries: report.removedEntries,
        removed_bytes: report.removedBytes,
        kept_entries: report.keptEntries,
        removed_temp_files: report.removedTempFiles,
      });
    } catch (err) {
      log({ event: 'eviction-error', error: describeError(err) });
    } finally {
      running = false;
    }
  };
  const firstSweep = sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { firstSweep, stop: () => clearInterval(timer) };
}

