/**
 * Structured logs: one JSON object per line. Access lines carry method, hash, size, status and
 * duration; nothing in this module ever receives a token or an Authorization header.
 */

export interface AccessLogEntry {
  event: 'request';
  method: string;
  /** The validated hash for cache routes; the (truncated) path for anything else. */
  hash?: string;
  path?: string;
  status: number;
  /** Artifact bytes received (PUT) or sent (GET). */
  size?: number;
  duration_ms: number;
  /** What happened beyond the status, e.g. `stored`, `exists`, `miss`, `incomplete`, `storage-error`. */
  outcome?: string;
  role?: string;
  error?: string;
}

export interface EventLogEntry {
  event: string;
  [field: string]: unknown;
}

export type LogEntry = AccessLogEntry | EventLogEntry;

export type Logger = (entry: LogEntry) => void;

/** Writes each entry as one JSON line (with a timestamp) to `write`, e.g. stderr. */
export function jsonLineLogger(write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  return (entry) => {
    write(`${JSON.stringify({ time: now().toISOString(), ...entry })}\n`);
  };
}

export const silentLogger: Logger = () => undefined;

/** Error text safe for a log line: a message only, bounded, never a stack or a request header. */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
