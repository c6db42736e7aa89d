/**
 * S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, Ceph, ...) through
 * `@aws-sdk/client-s3`. Credentials come from the SDK's default chain (environment, profile,
 * instance or task role); they are never part of the server's own configuration or logs.
 *
 * Atomicity: S3 makes an object visible only when its single PUT has received the whole
 * Content-Length, so a request body that ends early (the Nx client disconnected) aborts the
 * upstream PUT and nothing is stored. `IfNoneMatch: '*'` makes S3 refuse to overwrite an existing
 * key (412), so concurrent uploads of one hash keep the first one. Stores that ignore
 * `If-None-Match` fall back to last-writer-wins; every writer sends a complete artifact for the
 * same task hash, so a reader still gets one whole entry.
 *
 * Each object also carries its length in `x-amz-meta-codegenie-length`. An object whose size
 * differs (or that lacks the marker) is treated as a miss: protection against stores that write
 * a partial object before failing, such as some local emulators.
 */
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { isValidHash } from './routes';
import { guardBody, type CacheStorage, type PutOutcome, type StoredEntry } from './storage';

const LENGTH_METADATA_KEY = 'codegenie-length';

export interface S3StorageOptions {
  bucket: string;
  /** Key prefix, e.g. `nx/`; a trailing `/` is added when missing. */
  prefix?: string;
  region?: string;
  /** Custom endpoint for S3-compatible stores, e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most non-AWS stores need. */
  forcePathStyle?: boolean;
  /** Injected client (tests); otherwise one is built from the options above. */
  client?: S3Client;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(err) === 404;
}

function isAlreadyExists(err: unknown): boolean {
  const name = (err as Error)?.name;
  // 412: If-None-Match failed, the key exists. 409: S3's answer to a conditional write that raced
  // another one for the same key.
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || statusOf(err) === 412 || statusOf(err) === 409;
}

export function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

export class S3Storage implements CacheStorage {
  readonly description: Record<string, string | boolean>;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly ownsClient: boolean;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.prefix = normalisePrefix(options.prefix);
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? false,
        // A streamed request body cannot be replayed, so a retried PUT would send nothing; and a
        // failed read is just a cache miss. One attempt each.
        maxAttempts: 1,
        // The SDK's default adds aws-chunked trailing checksums to streamed bodies, which many
        // S3-compatible stores reject; Content-Length plus the length marker cover truncation.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    this.description = {
      backend: 's3',
      bucket: this.bucket,
      prefix: this.prefix,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
    };
  }

  private key(hash: string): string {
    if (!isValidHash(hash)) throw new Error('invalid cache hash');
    return `${this.prefix}${hash}`;
  }

  private static isComplete(size: number | undefined, metadata: Record<string, string> | undefined): boolean {
    return size !== undefined && metadata?.[LENGTH_METADATA_KEY] === String(size);
  }

  async has(hash: string): Promise<boolean> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(hash) }));
      return S3Storage.isComplete(head.ContentLength, head.Metadata);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async get(hash: string): Promise<StoredEntry | null> {
    let object;
    try {
      object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(hash) }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const body = object.Body as Readable | undefined;
    if (!body || !S3Storage.isComplete(object.ContentLength, object.Metadata)) {
      body?.destroy();
      return null;
    }
    return { size: object.ContentLength as number, stream: body };
  }

  async put(hash: string, body: Readable, expectedLength: number): Promise<PutOutcome> {
    // If the client's body ends early, the upstream PUT is aborted mid-body and S3 discards it.
    // (The SDK pipes the body with `.pipe`, which does not forward errors: hence the abort signal.)
    const abort = new AbortController();
    const guarded = guardBody(body, expectedLength, () => abort.abort());
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(hash),
          Body: guarded.stream,
          ContentLength: expectedLength,
          ContentType: 'application/octet-stream',
          IfNoneMatch: '*',
          Metadata: { [LENGTH_METADATA_KEY]: String(expectedLength) },
        }),
        { abortSignal: abort.signal },
      );
    } catch (err) {
      if (guarded.failure) throw guarded.failure;
      guarded.stream.destroy();
      if (isAlreadyExists(err)) return 'exists';
      throw err;
    } finally {
      guarded.release();
    }
    if (guarded.failure) throw guarded.failure;
    return 'stored';
  }

  async healthy(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}
