/** The `codegenie cache-server` command as a process: startup, configuration errors, signals. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCliToExit, startCliServer } from './helpers/cli-process';
import { get, put, request } from './helpers/http';

const RW = 'cli-rw-token-aaaaaaaaaaaaaaaaaaaa';
const RO = 'cli-ro-token-bbbbbbbbbbbbbbbbbbbb';
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'codegenie-cli-test-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('codegenie cache-server (process)', () => {
  it('prints help and exits 0', async () => {
    const run = await runCliToExit(['--help'], cleanEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: codegenie cache-server');
    expect(run.stdout).toContain('--s3-path-style');
  });

  it('exits 2 with usage on a bad option', async () => {
    const run = await runCliToExit(['--dir', 'a', '--s3-bucket', 'b'], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('choose one backend');
  });

  it('refuses to start without tokens unless --no-auth is explicit', async () => {
    const run = await runCliToExit(['--port', '0', '--dir', join(root, 'no-tokens')], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no tokens configured');
  });

  it('reports an unreadable tokens file without crashing', async () => {
    const run = await runCliToExit(['--port', '0', '--tokens-file', join(root, 'missing.txt')], cleanEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read the tokens file (ENOENT)');
  });

  it('prints the URL first, logs JSON lines only, takes tokens from a file, and never logs them', async () => {
    const tokensFile = join(root, 'tokens.txt');
    writeFileSync(tokensFile, `# CI\nrw:${RW}\nro:${RO}\n`);
    const server = await startCliServer(['--port', '0', '--dir', join(root, 'file-tokens'), '--tokens-file', tokensFile], cleanEnv());
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await put(server.url, '11', RW, Buffer.from('artifact'))).status).toBe(200);
      expect((await put(server.url, '12', RO, Buffer.from('artifact'))).status).toBe(403);
      expect((await get(server.url, '11', RO)).body.toString()).toBe('artifact');
      expect((await get(server.url, '11', 'wrong')).status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const lines = server.stderr();
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(server.logs()[0]).toMatchObject({ event: 'listening', backend: 'directory', read_write_tokens: 1, read_only_tokens: 1 });
    expect(lines.join('\n')).not.toContain(RW);
    expect(lines.join('\n')).not.toContain(RO);
    expect(server.logs().map((l) => l.event).slice(-2)).toEqual(['shutdown', 'stopped']);
  });

  it('on SIGTERM finishes the upload in flight, stops accepting, and exits 0', async () => {
    const dir = join(root, 'sigterm');
    const server = await startCliServer(['--port', '0', '--dir', dir], cleanEnv({ CODEGENIE_CACHE_RW_TOKENS: RW }));
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`PUT /v1/cache/21 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${RW}\r\nContent-Length: 8\r\n\r\nfirst`);
    // Wait until the server has the upload in hand (its temp file exists).
    for (let i = 0; i < 300 && !readdirSync(dir).some((n) => n.startsWith('.incoming-')); i += 1) await new Promise((r) => setTimeout(r, 10));
    const response = new Promise<string>((r) => socket.once('data', (c: Buffer) => r(c.toString('latin1'))));
    server.child.kill('SIGTERM');
    for (let i = 0; i < 300 && !server.logs().some((l) => l.event === 'shutdown'); i += 1) await new Promise((r) => setTimeout(r, 10));
    await expect(request(`${server.url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    socket.write('end');
    expect(await response).toMatch(/^HTTP\/1\.1 200/);
    expect(await server.exited).toBe(0);
    expect(readdirSync(dir)).toEqual(['21']);
    socket.destroy();
  });

  it('lets two server processes share one directory: racing uploads leave one entry', async () => {
    const dir = join(root, 'shared-volume');
    const env = cleanEnv({ CODEGENIE_CACHE_RW_TOKENS: RW });
    const [one, two] = await Promise.all([startCliServer(['--port', '0', '--dir', dir], env), startCliServer(['--port', '0', '--dir', dir], env)]);
    try {
      const bodies = Array.from({ length: 12 }, (_, i) => Buffer.alloc(256 * 1024, i + 1));
      const results = await Promise.all(bodies.map((b, i) => put(i % 2 ? one.url : two.url, '31', RW, b)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(11);
      const winner = bodies[results.findIndex((r) => r.status === 200)];
      expect((await get(one.url, '31', RW)).body.equals(winner)).toBe(true);
      expect((await get(two.url, '31', RW)).body.equals(winner)).toBe(true);
      expect(readdirSync(dir)).toEqual(['31']);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('evicts old entries at startup with --evict-days', async () => {
    const dir = join(root, 'evict');
    mkdirSync(dir, { recursive: true });
    for (const name of ['41', '42']) writeFileSync(join(dir, name), 'x');
    const old = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
    utimesSync(join(dir, '41'), old, old);
    const server = await startCliServer(['--port', '0', '--dir', dir, '--evict-days', '30'], cleanEnv({ CODEGENIE_CACHE_RW_TOKENS: RW }));
    try {
      for (let i = 0; i < 300 && !server.logs().some((l) => l.event === 'eviction'); i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(server.logs().find((l) => l.event === 'eviction')).toMatchObject({ evict_days: 30, removed_entries: 1, kept_entries: 1 });
      expect(readdirSync(dir)).toEqual(['42']);
    } finally {
      await server.stop();
    }
  });

  it('exits 1 with a logged reason when the port is taken', async () => {
    const env = cleanEnv({ CODEGENIE_CACHE_RW_TOKENS: RW });
    const first = await startCliServer(['--port', '0', '--dir', join(root, 'port')], env);
    try {
      const { port } = new URL(first.url);
      const second = await runCliToExit(['--port', port, '--dir', join(root, 'port')], env);
      expect(second.code).toBe(1);
      expect(second.stdout).toBe('');
      expect(JSON.parse(second.stderr.trim().split('\n').pop() as string)).toMatchObject({ event: 'startup-error' });
    } finally {
      await first.stop();
    }
  });
});
