import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../tools/cache-server/limits';
import { DEFAULT_DIR, DEFAULT_PORT, parseServerArgs, UsageError, type ServerConfig } from '../../tools/cache-server/options';

function serve(argv: string[]): ServerConfig {
  const parsed = parseServerArgs(argv, '/srv');
  if (parsed.kind !== 'serve') throw new Error('expected serve');
  return parsed.config;
}

describe('parseServerArgs', () => {
  it('defaults to the directory backend on loopback', () => {
    expect(serve([])).toEqual({
      host: '127.0.0.1',
      port: DEFAULT_PORT,
      backend: { kind: 'directory', dir: `/srv/${DEFAULT_DIR}` },
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      evictDays: undefined,
      tokensFile: undefined,
      noAuth: false,
      shutdownGraceMs: 30_000,
    });
  });

  it('reads every directory option', () => {
    expect(serve(['--port', '0', '--host', '0.0.0.0', '--dir', 'cache', '--evict-days', '7.5', '--max-body-bytes', '1000', '--tokens-file', 't.txt', '--shutdown-grace-ms', '5'])).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      backend: { kind: 'directory', dir: '/srv/cache' },
      maxBodyBytes: 1000,
      evictDays: 7.5,
      tokensFile: '/srv/t.txt',
      shutdownGraceMs: 5,
    });
  });

  it('reads every S3 option', () => {
    expect(serve(['--s3-bucket', 'ci-cache', '--s3-prefix', 'nx/', '--s3-region', 'eu-west-1', '--s3-endpoint', 'http://127.0.0.1:9000', '--s3-path-style']).backend).toEqual({
      kind: 's3',
      bucket: 'ci-cache',
      prefix: 'nx/',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    });
  });

  it.each([
    [['--dir', 'a', '--s3-bucket', 'b'], /one backend/],
    [['--s3-bucket', 'b', '--evict-days', '3'], /lifecycle/],
    [['--s3-prefix', 'nx/'], /needs --s3-bucket/],
    [['--s3-bucket', 'b', '--s3-endpoint', 'minio:9000'], /http/],
    [['--s3-bucket', 'b', '--max-body-bytes', String(6 * 1024 ** 3)], /cannot exceed/],
    [['--port', '70000'], /--port/],
    [['--port', '-1'], /--port|argument/],
    [['--max-body-bytes', '0'], /--max-body-bytes/],
    [['--max-body-bytes', '1e9'], /--max-body-bytes/],
    [['--evict-days', '0'], /--evict-days/],
    [['--evict-days', 'soon'], /--evict-days/],
    [['--no-auth', '--tokens-file', 'x'], /contradict/],
    [['--frobnicate'], /frobnicate/],
    [['positional'], /positional|argument/i],
  ])('rejects %j', (argv, message) => {
    expect(() => parseServerArgs(argv as string[], '/srv')).toThrow(UsageError);
    expect(() => parseServerArgs(argv as string[], '/srv')).toThrow(message as RegExp);
  });

  it('recognises --help', () => {
    expect(parseServerArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseServerArgs(['-h'])).toEqual({ kind: 'help' });
  });
});
