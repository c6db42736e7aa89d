/**
 * The HTTP contract, status by status, and the faults, against both storage backends: the
 * directory and S3 (through a local s3rver). Loopback only; every loop is bounded.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../tools/cache-server/directory-storage';
import { S3Storage } from '../../tools/cache-server/s3-storage';
import type { CacheStorage } from '../../tools/cache-server/storage';
import { bearer, get, put, rawStatus, request, truncatedPut } from './helpers/http';
import { RO_TOKEN, RW_TOKEN, startInProcess, type InProcessServer } from './helpers/in-process';
import { startLocalS3, type LocalS3 } from './helpers/s3rver';

const MAX_BODY = 256 * 1024;

/** A body that looks like what Nx sends (binary, not text). */
function artifact(seed: number, size = 4096): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    buf[i] = x >>> 24;
  }
  return buf;
}

let hashCounter = 1_000_000;
/** A fresh, valid Nx-style hash per test. */
function nextHash(): string {
  hashCounter += 1;
  return `1234567890${hashCounter}`;
}

interface BackendFixture {
  storage: CacheStorage;
  /** Files the backend keeps besides complete entries (temp files, partial objects). */
  strayFiles(): string[];
  /**
   * Waits until an entry that was just stored is readable. s3rver (the local S3 stand-in) answers
   * a PUT before the object is fully visible, unlike real S3, which is read-after-write consistent.
   */
  settle(hash: string): Promise<void>;
  close(): Promise<void>;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const backends: Array<{ name: string; open(): Promise<BackendFixture> }> = [
  {
    name: 'directory',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'codegenie-protocol-dir-'));
      const storage = new DirectoryStorage(dir);
      await storage.init();
      return {
        storage,
        strayFiles: () => readdirSync(dir).filter((n) => !/^[0-9]+$/.test(n)),
        settle: async () => undefined,
        close: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 's3',
    async open() {
      const s3: LocalS3 = await startLocalS3();
      const storage = new S3Storage({ bucket: s3.bucket, prefix: 'nx-cache', client: s3.client });
      return {
        storage,
        strayFiles: () => [],
        settle: (hash) => waitUntil(() => storage.has(hash), `s3 object ${hash}`),
        close: () => s3.close(),
      };
    },
  },
];

describe.each(backends)('cache protocol ($name backend)', (backend) => {
  let fixture: BackendFixture;
  let server: InProcessServer;
  let url: string;

  /** PUT, then (when it stored) wait until the backend serves the entry. */
  const putSettled = async (...args: Parameters<typeof put>) => {
    const result = await put(...args);
    if (result.status === 200) await fixture.settle(args[1]);
    return result;
  };

  beforeAll(async () => {
    fixture = await backend.open();
    server = await startInProcess(fixture.storage, { maxBodyBytes: MAX_BODY });
    url = server.url;
  });

  afterAll(async () => {
    await server?.shutdown(1000);
    await fixture?.close();
  });

  it('PUT stores an artifact (200) and GET returns the same bytes (200, octet-stream)', async () => {
    const hash = nextHash();
    const body = artifact(1);
    const stored = await putSettled(url, hash, RW_TOKEN, body);
    expect(stored.status).toBe(200);
    const fetched = await get(url, hash, RW_TOKEN);
    expect(fetched.status).toBe(200);
    expect(fetched.headers['content-type']).toBe('application/octet-stream');
    expect(fetched.headers['content-length']).toBe(String(body.length));
    expect(fetched.body.equals(body)).toBe(true);
  });

  it('stores and serves an empty artifact', async () => {
    const hash = nextHash();
    expect((await putSettled(url, hash, RW_TOKEN, Buffer.alloc(0))).status).toBe(200);
    const fetched = await get(url, hash, RW_TOKEN);
    expect(fetched.status).toBe(200);
    expect(fetched.body.length).toBe(0);
  });

  it('answers 404 for a hash nobody stored', async () => {
    const res = await get(url, nextHash(), RW_TOKEN);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain');
  });

  it('never overwrites an existing record (409) and keeps the first bytes', async () => {
    const hash = nextHash();
    expect((await putSettled(url, hash, RW_TOKEN, artifact(2))).status).toBe(200);
    const second = await putSettled(url, hash, RW_TOKEN, artifact(3));
    expect(second.status).toBe(409);
    expect((await get(url, hash, RW_TOKEN)).body.equals(artifact(2))).toBe(true);
  });

  it('answers 401 with an exact text/plain body for a missing or wrong token, on GET and PUT', async () => {
    const hash = nextHash();
    const cases = [
      await request(`${url}/v1/cache/${hash}`),
      await request(`${url}/v1/cache/${hash}`, { headers: bearer('not-a-configured-token') }),
      await request(`${url}/v1/cache/${hash}`, { headers: { Authorization: `Basic ${RW_TOKEN}` } }),
      await request(`${url}/v1/cache/${hash}`, { headers: { Authorization: 'Bearer' } }),
      await request(`${url}/v1/cache/${hash}`, { method: 'PUT', headers: { 'Content-Length': 3 }, body: 'abc' }),
      await putSettled(url, hash, `${RW_TOKEN}x`, artifact(4)),
      await putSettled(url, hash, RW_TOKEN.slice(0, -1), artifact(4)),
    ];
    for (const res of cases) {
      expect(res.status).toBe(401);
      // Nx shows the body to the user only when the type is exactly text/plain.
      expect(res.headers['content-type']).toBe('text/plain');
    }
    expect((await get(url, hash, RW_TOKEN)).status).toBe(404);
  });

  it('lets a read-only token read, and refuses its writes with 403 without storing anything', async () => {
    const hash = nextHash();
    const refused = await putSettled(url, hash, RO_TOKEN, artifact(5));
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toBe('text/plain');
    expect((await get(url, hash, RW_TOKEN)).status).toBe(404);
    expect((await putSettled(url, hash, RW_TOKEN, artifact(5))).status).toBe(200);
    expect((await get(url, hash, RO_TOKEN)).body.equals(artifact(5))).toBe(true);
  });

  it('requires Content-Length on PUT (411 for a chunked body)', async () => {
    const hash = nextHash();
    const res = await request(`${url}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: { ...bearer(RW_TOKEN), 'Transfer-Encoding': 'chunked' },
      body: artifact(6),
    });
    expect(res.status).toBe(411);
    expect((await get(url, hash, RW_TOKEN)).status).toBe(404);
  });

  it('refuses a body over the size limit with 413 and stores nothing; exactly the limit is fine', async () => {
    const over = nextHash();
    const res = await putSettled(url, over, RW_TOKEN, artifact(7, MAX_BODY + 1));
    expect(res.status).toBe(413);
    expect((await get(url, over, RW_TOKEN)).status).toBe(404);
    const atLimit = nextHash();
    expect((await putSettled(url, atLimit, RW_TOKEN, artifact(8, MAX_BODY))).status).toBe(200);
  });

  it.each([
    ['letters', '/v1/cache/abcdef'],
    ['empty', '/v1/cache/'],
    ['parent segments', '/v1/cache/../../../etc/passwd'],
    ['dot segment', '/v1/cache/./123'],
    ['nested path', '/v1/cache/123/456'],
    ['encoded dots', '/v1/cache/%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['encoded slash', '/v1/cache/..%2F..%2Fsecret'],
    ['double-encoded', '/v1/cache/%252e%252e%252f'],
    ['backslash', '/v1/cache/..\\..\\secret'],
    ['NUL', '/v1/cache/123%00'],
    ['too long', `/v1/cache/${'1'.repeat(65)}`],
  ])('rejects a GET for a hash outside the Nx alphabet (%s) with 400', async (_label, target) => {
    expect(await rawStatus(url, 'GET', target, bearer(RW_TOKEN))).toBe(400);
    expect(await rawStatus(url, 'PUT', target, { ...bearer(RW_TOKEN), 'Content-Length': '0' })).toBe(400);
  });

  it('does not serve paths outside /v1/cache (404), nor other methods (405)', async () => {
    expect(await rawStatus(url, 'GET', '/v1/cache', bearer(RW_TOKEN))).toBe(404);
    expect(await rawStatus(url, 'GET', '/v1/%2e%2e/cache/1', bearer(RW_TOKEN))).toBe(404);
    expect(await rawStatus(url, 'DELETE', `/v1/cache/${nextHash()}`, bearer(RW_TOKEN))).toBe(405);
    expect(await rawStatus(url, 'HEAD', `/v1/cache/${nextHash()}`, bearer(RW_TOKEN))).toBe(405);
  });

  it('reports health without a token', async () => {
    const res = await request(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ status: 'ok' });
  });

  it('never makes a truncated upload readable, and a complete retry still succeeds', async () => {
    const hash = nextHash();
    const body = artifact(9, 64 * 1024);
    await truncatedPut(url, hash, RW_TOKEN, body.length, body.subarray(0, 20 * 1024));
    const line = await server.waitForLog((l) => l.event === 'request' && 'hash' in l && l.hash === hash);
    expect(line).toMatchObject({ method: 'PUT', outcome: 'incomplete' });
    expect((await get(url, hash, RW_TOKEN)).status).toBe(404);
    expect(await fixture.storage.has(hash)).toBe(false);
    expect(fixture.strayFiles()).toEqual([]);

    expect((await putSettled(url, hash, RW_TOKEN, body)).status).toBe(200);
    expect((await get(url, hash, RW_TOKEN)).body.equals(body)).toBe(true);
  });

  it('writes one access-log line per request with method, hash, size, status and duration, and no token', async () => {
    const hash = nextHash();
    await putSettled(url, hash, RW_TOKEN, artifact(10, 1000));
    await get(url, hash, RO_TOKEN);
    // A line is written once the response has closed on the server side, a moment after the client
    // read it, so the two lines may land in either order: wait for both, then match by method.
    await server.waitForLog((l) => l.event === 'request' && 'hash' in l && l.hash === hash && l.method === 'PUT');
    await server.waitForLog((l) => l.event === 'request' && 'hash' in l && l.hash === hash && l.method === 'GET');
    const lines = server.logs.filter((l) => l.event === 'request' && 'hash' in l && l.hash === hash);
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.method === 'PUT')).toMatchObject({ method: 'PUT', hash, size: 1000, status: 200, outcome: 'stored', role: 'read-write' });
    expect(lines.find((l) => l.method === 'GET')).toMatchObject({ method: 'GET', hash, size: 1000, status: 200, outcome: 'hit', role: 'read-only' });
    for (const l of lines) expect(typeof (l as { duration_ms: unknown }).duration_ms).toBe('number');
    const all = JSON.stringify(server.logs);
    expect(all).not.toContain(RW_TOKEN);
    expect(all).not.toContain(RO_TOKEN);
  });
});

describe('cache protocol, directory-specific faults', () => {
  let dir: string;
  let server: InProcessServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codegenie-protocol-faults-'));
    const storage = new DirectoryStorage(dir);
    await storage.init();
    server = await startInProcess(storage);
  });

  afterAll(async () => {
    await server?.shutdown(1000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('concurrent PUTs of one hash leave exactly one intact entry (one 200, the rest 409)', async () => {
    const hash = nextHash();
    const bodies = Array.from({ length: 8 }, (_, i) => artifact(100 + i, 128 * 1024));
    const results = await Promise.all(bodies.map((b) => put(server.url, hash, RW_TOKEN, b)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = bodies[results.findIndex((r) => r.status === 200)];
    const served = await get(server.url, hash, RW_TOKEN);
    expect(served.body.equals(winner)).toBe(true);
    expect(readdirSync(dir)).toEqual([hash]);
  });

  it('streams an upload into storage before the body has fully arrived (no whole-artifact buffering)', async () => {
    const hash = nextHash();
    const { connect } = await import('node:net');
    const { port } = new URL(server.url);
    const half = artifact(11, 512 * 1024);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`PUT /v1/cache/${hash} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW_TOKEN}\r\nContent-Length: ${half.length * 2}\r\n\r\n`);
    socket.write(half);
    // The temp file must reach the first half's size while the second half is still unsent.
    const { statSync } = await import('node:fs');
    let written = 0;
    for (let i = 0; i < 200 && written < half.length; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      const temp = readdirSync(dir).find((n) => n.startsWith('.incoming-'));
      written = temp ? statSync(join(dir, temp)).size : 0;
    }
    expect(written).toBe(half.length);
    const response = new Promise<string>((r) => socket.once('data', (c: Buffer) => r(c.toString('latin1'))));
    socket.write(half);
    expect(await response).toMatch(/^HTTP\/1\.1 200/);
    socket.destroy();
  });

  it('reports 503 on /healthz once the directory is gone, and treats reads as misses', async () => {
    const gone = mkdtempSync(join(tmpdir(), 'codegenie-protocol-gone-'));
    const storage = new DirectoryStorage(gone);
    const local = await startInProcess(storage);
    try {
      rmSync(gone, { recursive: true, force: true });
      expect((await request(`${local.url}/healthz`)).status).toBe(503);
      expect((await get(local.url, nextHash(), RW_TOKEN)).status).toBe(404);
    } finally {
      await local.shutdown(1000);
    }
  });
});
