/**
 * Storage faults and lifecycle, with stand-in storages: what the client sees when the backend
 * misbehaves, that downloads stream, and that shutdown lets in-flight requests finish.
 */
import { connect } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { CacheStorage, PutOutcome, StoredEntry } from '../../tools/cache-server/storage';
import { get, put, request } from './helpers/http';
import { RW_TOKEN, startInProcess } from './helpers/in-process';

function storageWith(overrides: Partial<CacheStorage>): CacheStorage {
  return {
    description: { backend: 'fake' },
    has: async () => false,
    get: async () => null,
    put: async (_hash: string, body: Readable) => {
      await text(body);
      return 'stored' as PutOutcome;
    },
    healthy: async () => true,
    close: async () => undefined,
    ...overrides,
  };
}

describe('storage faults', () => {
  it('turns a read failure into a miss (404), so Nx rebuilds instead of failing', async () => {
    const server = await startInProcess(storageWith({ get: async () => Promise.reject(new Error('EIO: disk on fire')) }));
    try {
      expect((await get(server.url, '1', RW_TOKEN)).status).toBe(404);
      const line = await server.waitForLog((l) => l.event === 'request');
      expect(line).toMatchObject({ status: 404, outcome: 'storage-error', error: 'Error: EIO: disk on fire' });
    } finally {
      await server.shutdown(1000);
    }
  });

  it('turns a write failure into 403 "not stored", which Nx accepts without failing the task', async () => {
    const server = await startInProcess(
      storageWith({
        put: async (_h: string, body: Readable) => {
          body.resume();
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        },
      }),
    );
    try {
      const res = await put(server.url, '2', RW_TOKEN, Buffer.alloc(100_000, 1));
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toBe('text/plain');
      expect(await server.waitForLog((l) => l.event === 'request')).toMatchObject({ outcome: 'storage-error' });
    } finally {
      await server.shutdown(1000);
    }
  });

  it('answers 403 when even the existence check fails', async () => {
    const server = await startInProcess(storageWith({ has: async () => Promise.reject(new Error('timeout')) }));
    try {
      expect((await put(server.url, '3', RW_TOKEN, Buffer.from('x'))).status).toBe(403);
    } finally {
      await server.shutdown(1000);
    }
  });

  it('reports an unhealthy backend on /healthz with 503', async () => {
    const server = await startInProcess(storageWith({ healthy: async () => false }));
    try {
      const res = await request(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body.toString())).toEqual({ status: 'storage-unavailable' });
    } finally {
      await server.shutdown(1000);
    }
  });
});

describe('streaming and shutdown', () => {
  it('streams a download: the client gets the first bytes before storage produced the rest', async () => {
    const source = new PassThrough();
    const entry: StoredEntry = { size: 8, stream: source };
    const server = await startInProcess(storageWith({ get: async () => entry }));
    try {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.write(`GET /v1/cache/4 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW_TOKEN}\r\n\r\n`);
      source.write('half');
      let received = '';
      socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
      for (let i = 0; i < 200 && !received.endsWith('half'); i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(received).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\nhalf$/);
      source.end('done');
      for (let i = 0; i < 200 && !received.endsWith('halfdone'); i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(received.endsWith('halfdone')).toBe(true);
      socket.destroy();
    } finally {
      await server.shutdown(1000);
    }
  });

  it('on shutdown, finishes an in-flight upload, then refuses new connections', async () => {
    let received = 0;
    const server = await startInProcess(
      storageWith({
        put: async (_h: string, body: Readable) => {
          for await (const c of body) received += (c as Buffer).length;
          return 'stored';
        },
      }),
    );
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`PUT /v1/cache/5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW_TOKEN}\r\nContent-Length: 10\r\n\r\n12345`);
    for (let i = 0; i < 200 && received < 5; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(received).toBe(5);

    const response = new Promise<string>((r) => socket.once('data', (c: Buffer) => r(c.toString('latin1'))));
    const stopped = server.shutdown(5000);
    await new Promise((r) => setTimeout(r, 50));
    await expect(request(`${server.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    socket.write('67890');
    const head = await response;
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(/Connection: close/i);
    await stopped;
    expect(received).toBe(10);
    socket.destroy();
  });

  it('on shutdown, cuts a stalled request once the grace period is over', async () => {
    const server = await startInProcess(storageWith({}));
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`PUT /v1/cache/6 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW_TOKEN}\r\nContent-Length: 10\r\n\r\n123`);
    await new Promise((r) => setTimeout(r, 50));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const started = Date.now();
    await server.shutdown(200);
    await closed;
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
