/**
 * The default backend: one file per entry in a directory, safe for several server processes
 * sharing one volume.
 *
 * A body is streamed into a uniquely named temp file in the same directory (opened with O_EXCL),
 * flushed to disk, and only then published with `link(temp, <hash>)`. `link` is atomic and fails
 * with EEXIST instead of replacing an existing name, so concurrent uploads of one hash leave
 * exactly one complete entry and a short body never gets a readable name. The volume must
 * support hard links (local disks and NFS do).
 */
import { access, constants, link, lstat, mkdir, open, readdir, unlink, utimes } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { isValidHash } from './routes';
import { guardBody, type CacheStorage, type PutOutcome, type StoredEntry } from './storage';

const TEMP_PREFIX = '.incoming-';
/** A temp file this old belongs to an upload that died with its process; nothing still writes it. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export interface EvictionReport {
  removedEntries: number;
  removedBytes: number;
  keptEntries: number;
  removedTempFiles: number;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class DirectoryStorage implements CacheStorage {
  readonly description: Record<string, string | boolean>;

  constructor(private readonly dir: string) {
    this.description = { backend: 'directory', dir };
  }

  /** Creates the directory if needed. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private entryPath(hash: string): string {
    // Callers validate too; this keeps the backend safe on its own.
    if (!isValidHash(hash)) throw new Error('invalid cache hash');
    return join(this.dir, hash);
  }

  async has(hash: string): Promise<boolean> {
    try {
      return (await lstat(this.entryPath(hash))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async get(hash: string): Promise<StoredEntry | null> {
    const path = this.entryPath(hash);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return null;
      }
      // Reading from the open descriptor keeps working even if eviction unlinks the name meanwhile.
      const stream = handle.createReadStream();
      // Eviction removes entries unused for N days, so a hit renews the entry's age.
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
      return { size: stat.size, stream };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  async put(hash: string, body: Readable, expectedLength: number): Promise<PutOutcome> {
    const finalPath = this.entryPath(hash);
    const tempPath = join(this.dir, `${TEMP_PREFIX}${hash}-${process.pid}-${randomBytes(6).toString('hex')}`);
    const guarded = guardBody(body, expectedLength);
    try {
      // Opened before streaming: a write stream opens its file asynchronously, so when the body
      // failed first the file could appear after the cleanup below had already run.
      const handle = await open(tempPath, 'wx', 0o644).catch((err: unknown) => {
        guarded.release();
        throw err;
      });
      try {
        // `flush` fsyncs before close: a published entry is never a file whose tail is still in
        // the page cache when the machine loses power.
        await pipeline(guarded.stream, handle.createWriteStream({ flush: true }));
      } catch (err) {
        throw guarded.failure ?? err;
      } finally {
        guarded.release();
        await handle.close().catch(() => undefined);
      }
      try {
        await link(tempPath, finalPath);
        return 'stored';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw err;
      }
    } finally {
      // After a successful link the entry lives on under its own name; the temp name always goes.
      await unlink(tempPath).catch(() => undefined);
    }
  }

  async healthy(): Promise<boolean> {
    try {
      await access(this.dir, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between requests.
  }

  /**
   * Removes entries not used (written or read) for `maxAgeMs`, and temp files abandoned by dead
   * uploads. Safe while other processes serve the same directory: a reader that already opened an
   * entry keeps its descriptor, and a later request for the hash is simply a miss.
   */
  async evict(maxAgeMs: number, now = Date.now()): Promise<EvictionReport> {
    const report: EvictionReport = { removedEntries: 0, removedBytes: 0, keptEntries: 0, removedTempFiles: 0 };
    const names = await readdir(this.dir);
    for (const name of names) {
      const isTemp = name.startsWith(TEMP_PREFIX);
      if (!isTemp && !isValidHash(name)) continue; // not ours: leave it alone
      const path = join(this.dir, name);
      let stat;
      try {
        stat = await lstat(path);
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      if (!stat.isFile()) continue;
      const age = now - stat.mtimeMs;
      if (isTemp) {
        if (age > STALE_TEMP_MS && (await unlink(path).then(() => true, () => false))) report.removedTempFiles += 1;
      } else if (age > maxAgeMs) {
        if (await unlink(path).then(() => true, () => false)) {
          report.removedEntries += 1;
          report.removedBytes += stat.size;
        }
      } else {
        report.keptEntries += 1;
      }
    }
    return report;
  }
}
