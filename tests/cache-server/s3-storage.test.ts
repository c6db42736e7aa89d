import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalisePrefix, S3Storage } from '../../tools/cache-server/s3-storage';
import { IncompleteUploadError } from '../../tools/cache-server/storage';
import { startLocalS3, type LocalS3 } from './helpers/s3rver';

describe('S3Storage against a local S3-compatible server', () => {
  let s3: LocalS3;
  let storage: S3Storage;

  beforeAll(async () => {
    s3 = await startLocalS3();
    storage = new S3Storage({ bucket: s3.bucket, prefix: 'ci/nx', client: s3.client });
  });
  afterAll(async () => {
    await storage?.close();
    await s3?.close();
  });

  async function keys(): Promise<string[]> {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  it('streams an entry in and out under the prefix, with its length marker', async () => {
    expect(await storage.put('101', Readable.from([Buffer.from('hello '), Buffer.from('world')]), 11)).toBe('stored');
    expect(await storage.has('101')).toBe(true);
    const entry = await storage.get('101');
    expect(entry?.size).toBe(11);
    expect(await text(entry!.stream)).toBe('hello world');
    expect(await keys()).toContain('ci/nx/101');
    expect(await storage.get('102')).toBeNull();
    expect(await storage.has('102')).toBe(false);
  });

  it('treats objects without a matching length marker as missing', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'ci/nx/201', Body: 'written by something else' }));
    await s3.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'ci/nx/202', Body: 'short', Metadata: { 'codegenie-length': '100' } }),
    );
    for (const hash of ['201', '202']) {
      expect(await storage.has(hash)).toBe(false);
      expect(await storage.get(hash)).toBeNull();
    }
  });

  it('aborts the upstream PUT when the client body ends early, so nothing readable is stored', async () => {
    const body = new PassThrough();
    const putting = storage.put('301', body, 1024 * 1024);
    body.write(Buffer.alloc(64 * 1024, 1));
    await new Promise((r) => setTimeout(r, 50));
    body.destroy();
    await expect(putting).rejects.toBeInstanceOf(IncompleteUploadError);
    await new Promise((r) => setTimeout(r, 50));
    expect(await storage.has('301')).toBe(false);
    expect(await storage.get('301')).toBeNull();
    // s3rver, unlike S3, may keep the partial bytes it received; the length marker hides them.
    const raw = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'ci/nx/301' })).catch(() => null);
    if (raw) expect(raw.ContentLength).toBeLessThan(1024 * 1024);
  });

  it('reports health from the bucket', async () => {
    expect(await storage.healthy()).toBe(true);
    const missing = new S3Storage({ bucket: 'no-such-bucket', client: s3.client });
    expect(await missing.healthy()).toBe(false);
  });
});

/** A stand-in client for answers s3rver never gives (it ignores If-None-Match). */
function fakeClient(answer: (input: Record<string, unknown>) => Promise<unknown>): { client: S3Client; inputs: Array<Record<string, unknown>> } {
  const inputs: Array<Record<string, unknown>> = [];
  const client = {
    async send(command: { input: Record<string, unknown> }) {
      inputs.push(command.input);
      return answer(command.input);
    },
    destroy() {},
  } as unknown as S3Client;
  return { client, inputs };
}

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('S3Storage conditional writes', () => {
  it('sends If-None-Match: * with the exact length, and maps 412 to "exists"', async () => {
    const { client, inputs } = fakeClient(async (input) => {
      await text(input.Body as Readable);
      throw s3Error('PreconditionFailed', 412);
    });
    const storage = new S3Storage({ bucket: 'b', prefix: 'p/', client });
    expect(await storage.put('9', Readable.from([Buffer.from('abc')]), 3)).toBe('exists');
    expect(inputs[0]).toMatchObject({ Bucket: 'b', Key: 'p/9', IfNoneMatch: '*', ContentLength: 3, Metadata: { 'codegenie-length': '3' } });
  });

  it('maps a conditional-write race (409 ConditionalRequestConflict) to "exists"', async () => {
    const { client } = fakeClient(async () => {
      throw s3Error('ConditionalRequestConflict', 409);
    });
    expect(await new S3Storage({ bucket: 'b', client }).put('9', Readable.from([Buffer.from('abc')]), 3)).toBe('exists');
  });

  it('surfaces other store errors without touching the client body', async () => {
    const { client } = fakeClient(async () => {
      throw s3Error('AccessDenied', 403);
    });
    const body = new PassThrough();
    body.write('abc');
    await expect(new S3Storage({ bucket: 'b', client }).put('9', body, 10)).rejects.toThrow('AccessDenied');
    expect(body.destroyed).toBe(false);
  });

  it('normalises prefixes', () => {
    expect(['', 'nx', 'nx/', '/nx', 'a/b'].map(normalisePrefix)).toEqual(['', 'nx/', 'nx/', 'nx/', 'a/b/']);
  });
});
