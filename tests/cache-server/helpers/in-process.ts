/** Starts the server inside the test process (fast protocol tests), collecting its log lines. */
import type { LogEntry } from '../../../tools/cache-server/log';
import { startCacheServer, type RunningCacheServer } from '../../../tools/cache-server/server';
import type { CacheStorage } from '../../../tools/cache-server/storage';
import { TokenRegistry } from '../../../tools/cache-server/tokens';

export const RW_TOKEN = 'rw-0123456789abcdef0123456789abcdef';
export const RO_TOKEN = 'ro-fedcba9876543210fedcba9876543210';

export interface InProcessServer extends RunningCacheServer {
  logs: LogEntry[];
  /** Resolves with the first access-log line matching `predicate` (lines are written on close). */
  waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
}

export async function startInProcess(storage: CacheStorage, options: { maxBodyBytes?: number } = {}): Promise<InProcessServer> {
  const logs: LogEntry[] = [];
  const running = await startCacheServer({
    storage,
    authorizer: new TokenRegistry({ readWrite: [RW_TOKEN], readOnly: [RO_TOKEN] }),
    maxBodyBytes: options.maxBodyBytes,
    log: (entry) => logs.push(entry),
    port: 0,
    host: '127.0.0.1',
  });
  return Object.assign(running, {
    logs,
    async waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs = 5000): Promise<LogEntry> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line; have ${JSON.stringify(logs)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  });
}
