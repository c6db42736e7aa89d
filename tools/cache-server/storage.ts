/**
 * The one interface every storage backend implements. Entries are immutable and keyed by a
 * validated Nx task hash; a `put` is atomic-or-nothing: either the whole body (exactly
 * `expectedLength` bytes) becomes readable under that hash, or nothing does.
 */
import { finished, Transform, type Readable } from 'node:stream';

export interface StoredEntry {
  size: number;
  stream: Readable;
}

/** `stored`: this call created the entry. `exists`: an entry was already there and was kept. */
export type PutOutcome = 'stored' | 'exists';

export interface CacheStorage {
  /** A short description for the startup log line (never a secret). */
  readonly description: Record<string, string | boolean>;
  has(hash: string): Promise<boolean>;
  /** The entry, or null on a miss. The caller must consume or destroy the stream. */
  get(hash: string): Promise<StoredEntry | null>;
  /** Streams `body` into storage; never overwrites an existing entry. */
  put(hash: string, body: Readable, expectedLength: number): Promise<PutOutcome>;
  /** Whether the backend can currently serve requests (for `/healthz`). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The body ended before (or ran past) its declared length: nothing was stored. */
export class IncompleteUploadError extends Error {
  override name = 'IncompleteUploadError';
}

/**
 * Passes bytes through and fails unless exactly `expected` bytes went by. HTTP framing already
 * stops a body at its Content-Length; this is what turns an early end into an error that every
 * backend treats the same way.
 */
export function lengthGuard(expected: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > expected) callback(new IncompleteUploadError(`body is longer than the declared ${expected} bytes`));
      else callback(null, chunk);
    },
    flush(callback) {
      if (seen === expected) callback();
      else callback(new IncompleteUploadError(`received ${seen} of ${expected} bytes`));
    },
  });
}

export interface GuardedBody {
  /** The body, passed through a length guard; pipe this into storage. */
  readonly stream: Transform;
  /** Set once the client's body is known to be incomplete. */
  readonly failure: IncompleteUploadError | undefined;
  /** Stops reading the client's body (without destroying it, so the server can still answer). */
  release(): void;
}

/**
 * Feeds a client's request body to a backend through a length guard. The request itself is
 * never destroyed from here: when storage fails, the server must still be able to answer on that
 * connection. `onIncomplete` runs once if the body ends early or runs long (e.g. to abort an
 * upstream request that would otherwise wait for bytes that never come).
 */
export function guardBody(body: Readable, expectedLength: number, onIncomplete: () => void = () => undefined): GuardedBody {
  const guard = lengthGuard(expectedLength);
  let failure: IncompleteUploadError | undefined;
  const fail = (err: unknown): void => {
    if (failure) return;
    failure = err instanceof IncompleteUploadError ? err : new IncompleteUploadError(`request body ended early (${(err as Error)?.message ?? 'unknown'})`);
    guard.destroy(failure);
    onIncomplete();
  };
  const stopWatching = finished(body, (err) => {
    if (err) fail(err);
  });
  // Errors the guard receives from downstream (a storage failure) are not the client's fault.
  guard.on('error', (err) => {
    if (err instanceof IncompleteUploadError) fail(err);
  });
  body.pipe(guard);
  return {
    stream: guard,
    get failure() {
      return failure;
    },
    release() {
      body.unpipe(guard);
      stopWatching();
    },
  };
}
