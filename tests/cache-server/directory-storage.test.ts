import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../tools/cache-server/directory-storage';
import { IncompleteUploadError } from '../../tools/cache-server/storage';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codegenie-dirstore-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setAge(path: string, ageMs: number): void {
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe('DirectoryStorage', () => {
  it('publishes an entry only once its whole body arrived', async () => {
    const storage = new DirectoryStorage(dir);
    const body = new PassThrough();
    const putting = storage.put('42', body, 10);
    body.write('12345');
    await new Promise((r) => setTimeout(r, 20));
    expect(await storage.has('42')).toBe(false);
    body.end('67890');
    expect(await putting).toBe('stored');
    const entry = await storage.get('42');
    expect(entry?.size).toBe(10);
    expect(await text(entry!.stream)).toBe('1234567890');
    expect(readdirSync(dir)).toEqual(['42']);
  });

  it('discards a body shorter or longer than declared, leaving no file behind', async () => {
    const storage = new DirectoryStorage(dir);
    await expect(storage.put('1', Readable.from([Buffer.from('short')]), 10)).rejects.toBeInstanceOf(IncompleteUploadError);
    await expect(storage.put('2', Readable.from([Buffer.from('much too long')]), 4)).rejects.toBeInstanceOf(IncompleteUploadError);
    expect(readdirSync(dir)).toEqual([]);
    expect(await storage.get('1')).toBeNull();
  });

  it('discards a body whose stream is destroyed mid-way', async () => {
    const storage = new DirectoryStorage(dir);
    const body = new PassThrough();
    const putting = storage.put('3', body, 100);
    body.write(Buffer.alloc(40));
    await new Promise((r) => setTimeout(r, 10));
    body.destroy();
    await expect(putting).rejects.toBeInstanceOf(IncompleteUploadError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps the first entry when two instances (two server processes) race on one hash', async () => {
    const first = new DirectoryStorage(dir);
    const second = new DirectoryStorage(dir);
    const bodies = Array.from({ length: 10 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const outcomes = await Promise.all(bodies.map((b, i) => (i % 2 ? first : second).put('77', Readable.from([b.subarray(0, 1000), b.subarray(1000)]), b.length)));
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'exists')).toHaveLength(9);
    const stored = readFileSync(join(dir, '77'));
    expect(bodies.some((b) => b.equals(stored))).toBe(true);
    expect(readdirSync(dir)).toEqual(['77']);
  });

  it('refuses an invalid hash even when called directly', async () => {
    const storage = new DirectoryStorage(dir);
    await expect(storage.has('../x')).rejects.toThrow(/invalid cache hash/);
    await expect(storage.get('..')).rejects.toThrow(/invalid cache hash/);
    await expect(storage.put('a/b', Readable.from([]), 0)).rejects.toThrow(/invalid cache hash/);
  });

  it('evicts entries unused for longer than the limit, renews entries on read, and sweeps abandoned temp files', async () => {
    const storage = new DirectoryStorage(dir);
    for (const hash of ['1', '2', '3']) await storage.put(hash, Readable.from([Buffer.from(hash.repeat(10))]), 10);
    setAge(join(dir, '1'), 10 * DAY);
    setAge(join(dir, '2'), 10 * DAY);
    const read = await storage.get('2'); // a hit renews entry 2
    await text(read!.stream);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(dir, '.incoming-9-1-aa'), 'x');
    setAge(join(dir, '.incoming-9-1-aa'), 2 * DAY);
    writeFileSync(join(dir, '.incoming-8-1-bb'), 'fresh upload in progress');
    writeFileSync(join(dir, 'README.txt'), 'not ours');
    setAge(join(dir, 'README.txt'), 100 * DAY);

    const report = await storage.evict(7 * DAY);
    expect(report).toEqual({ removedEntries: 1, removedBytes: 10, keptEntries: 2, removedTempFiles: 1 });
    expect(readdirSync(dir).sort()).toEqual(['.incoming-8-1-bb', '2', '3', 'README.txt']);
  });

  it('keeps serving a reader whose entry is evicted mid-read', async () => {
    const storage = new DirectoryStorage(dir);
    const big = Buffer.alloc(2 * 1024 * 1024, 7);
    await storage.put('5', Readable.from([big]), big.length);
    const entry = await storage.get('5');
    await new Promise((r) => setTimeout(r, 20)); // let the read's own renewal land first
    setAge(join(dir, '5'), 30 * DAY);
    expect((await storage.evict(DAY)).removedEntries).toBe(1);
    const chunks: Buffer[] = [];
    for await (const c of entry!.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    expect(await storage.get('5')).toBeNull();
  });

  it('reports health from the directory permissions', async () => {
    const storage = new DirectoryStorage(join(dir, 'nested'));
    expect(await storage.healthy()).toBe(false);
    await storage.init();
    expect(await storage.healthy()).toBe(true);
    expect(statSync(join(dir, 'nested')).isDirectory()).toBe(true);
  });
});
