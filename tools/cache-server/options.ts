/** `codegenie cache-server` command-line options, parsed and checked before anything starts. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { DEFAULT_MAX_BODY_BYTES, S3_MAX_PUT_BYTES } from './limits';

export type BackendConfig =
  | { kind: 'directory'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string; region?: string; endpoint?: string; forcePathStyle: boolean };

export interface ServerConfig {
  host: string;
  port: number;
  backend: BackendConfig;
  maxBodyBytes: number;
  evictDays?: number;
  tokensFile?: string;
  noAuth: boolean;
  shutdownGraceMs: number;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'serve'; config: ServerConfig };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_DIR = 'codegenie-remote-cache';
const DEFAULT_GRACE_MS = 30_000;

export const USAGE = `usage: codegenie cache-server [options]

Serves Nx's self-hosted remote cache API (PUT/GET /v1/cache/{hash}) from a directory or an
S3-compatible bucket. Prints the listening URL as the first line on stdout; logs are JSON lines
on stderr. Point Nx at it with NX_SELF_HOSTED_REMOTE_CACHE_SERVER=<url> and
NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<token>.

  --port <n>              port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>        address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)
  --dir <path>            directory backend (the default, ./${DEFAULT_DIR})
  --evict-days <n>        directory backend: remove entries unused for n days (at start, then hourly)
  --s3-bucket <name>      S3 backend: bucket (credentials from the AWS SDK's default chain)
  --s3-prefix <prefix>    S3 backend: key prefix, e.g. nx-cache/
  --s3-region <region>    S3 backend: region (default $AWS_REGION or us-east-1)
  --s3-endpoint <url>     S3 backend: endpoint of an S3-compatible store
  --s3-path-style         S3 backend: path-style addressing (most non-AWS stores need it)
  --max-body-bytes <n>    refuse uploads larger than n bytes with 413 (default ${DEFAULT_MAX_BODY_BYTES})
  --tokens-file <path>    tokens as JSON {"rw":[...],"ro":[...]} or lines rw:<token> / ro:<token>
  --no-auth               accept every request as read-write (trusted networks only)
  --shutdown-grace-ms <n> on SIGTERM/SIGINT, wait this long for in-flight requests (default ${DEFAULT_GRACE_MS})
  -h, --help              show this help

Tokens are also read from CODEGENIE_CACHE_RW_TOKENS and CODEGENIE_CACHE_RO_TOKENS
(comma-separated). Read-only tokens may GET but never PUT.
`;

function integerOption(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}`);
  }
  return n;
}

export function parseServerArgs(argv: string[], cwd = process.cwd()): ParsedCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        dir: { type: 'string' },
        'evict-days': { type: 'string' },
        's3-bucket': { type: 'string' },
        's3-prefix': { type: 'string' },
        's3-region': { type: 'string' },
        's3-endpoint': { type: 'string' },
        's3-path-style': { type: 'boolean' },
        'max-body-bytes': { type: 'string' },
        'tokens-file': { type: 'string' },
        'no-auth': { type: 'boolean' },
        'shutdown-grace-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { kind: 'help' };

  const s3Flags = ['s3-prefix', 's3-region', 's3-endpoint', 's3-path-style'] as const;
  let backend: BackendConfig;
  if (values['s3-bucket'] !== undefined) {
    if (values.dir !== undefined) throw new UsageError('choose one backend: --dir or --s3-bucket');
    if (values['evict-days'] !== undefined) {
      throw new UsageError('--evict-days applies to the directory backend; for S3 use a lifecycle expiration rule (see the cache-server README)');
    }
    backend = {
      kind: 's3',
      bucket: values['s3-bucket'],
      prefix: values['s3-prefix'] ?? '',
      region: values['s3-region'],
      endpoint: values['s3-endpoint'],
      forcePathStyle: values['s3-path-style'] ?? false,
    };
    if (backend.endpoint !== undefined && !/^https?:\/\//.test(backend.endpoint)) throw new UsageError('--s3-endpoint must be an http(s) URL');
  } else {
    const stray = s3Flags.filter((f) => values[f] !== undefined);
    if (stray.length > 0) throw new UsageError(`--${stray[0]} needs --s3-bucket`);
    backend = { kind: 'directory', dir: resolve(cwd, values.dir ?? DEFAULT_DIR) };
  }

  const maxBodyBytes = integerOption(values['max-body-bytes'], 'max-body-bytes', 1) ?? DEFAULT_MAX_BODY_BYTES;
  if (backend.kind === 's3' && maxBodyBytes > S3_MAX_PUT_BYTES) {
    throw new UsageError(`--max-body-bytes cannot exceed ${S3_MAX_PUT_BYTES} with S3 (a single PutObject's limit)`);
  }
  const evictDaysText = values['evict-days'];
  let evictDays: number | undefined;
  if (evictDaysText !== undefined) {
    evictDays = Number(evictDaysText);
    if (!/^[0-9]+(\.[0-9]+)?$/.test(evictDaysText) || !(evictDays > 0)) throw new UsageError('--evict-days must be a positive number of days');
  }
  const noAuth = values['no-auth'] ?? false;
  if (noAuth && values['tokens-file'] !== undefined) throw new UsageError('--no-auth and --tokens-file contradict each other');

  return {
    kind: 'serve',
    config: {
      host: values.host ?? '127.0.0.1',
      port: integerOption(values.port, 'port', 0, 65535) ?? DEFAULT_PORT,
      backend,
      maxBodyBytes,
      evictDays,
      tokensFile: values['tokens-file'] === undefined ? undefined : resolve(cwd, values['tokens-file']),
      noAuth,
      shutdownGraceMs: integerOption(values['shutdown-grace-ms'], 'shutdown-grace-ms', 0) ?? DEFAULT_GRACE_MS,
    },
  };
}
