/**
 * `codegenie cache-server`: starts the remote cache server, prints its URL as the first stdout
 * line, logs JSON lines to stderr, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { readFile } from 'node:fs/promises';
import { DirectoryStorage } from './directory-storage';
import { scheduleEviction, type EvictionSchedule } from './eviction';
import { describeError, jsonLineLogger, type Logger } from './log';
import { parseServerArgs, USAGE, UsageError, type BackendConfig, type ServerConfig } from './options';
import { startCacheServer } from './server';
import type { CacheStorage } from './storage';
import {
  mergeTokenLists,
  OPEN_ACCESS,
  parseTokensFile,
  TokenConfigError,
  TokenRegistry,
  tokensFromEnv,
  type Authorizer,
} from './tokens';

async function loadAuthorizer(config: ServerConfig, env: NodeJS.ProcessEnv): Promise<{ authorizer: Authorizer; summary: Record<string, unknown> }> {
  const fromEnv = tokensFromEnv(env);
  if (config.noAuth) {
    if (fromEnv.readWrite.length + fromEnv.readOnly.length > 0) {
      throw new TokenConfigError('--no-auth was given but tokens are set in the environment; drop one or the other');
    }
    return { authorizer: OPEN_ACCESS, summary: { auth: 'none' } };
  }
  let fromFile = { readWrite: [] as string[], readOnly: [] as string[] };
  if (config.tokensFile !== undefined) {
    let text: string;
    try {
      text = await readFile(config.tokensFile, 'utf8');
    } catch (err) {
      throw new TokenConfigError(`cannot read the tokens file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    fromFile = parseTokensFile(text);
  }
  const registry = new TokenRegistry(mergeTokenLists(fromEnv, fromFile));
  if (registry.size === 0) {
    throw new TokenConfigError(
      'no tokens configured: set CODEGENIE_CACHE_RW_TOKENS / CODEGENIE_CACHE_RO_TOKENS, pass --tokens-file, or run with --no-auth on a trusted network',
    );
  }
  return {
    authorizer: registry,
    summary: { auth: 'tokens', read_write_tokens: registry.readWriteCount, read_only_tokens: registry.readOnlyCount },
  };
}

async function openStorage(backend: BackendConfig): Promise<CacheStorage> {
  if (backend.kind === 'directory') {
    const storage = new DirectoryStorage(backend.dir);
    await storage.init();
    return storage;
  }
  // Loaded only when asked for: the SDK is the heaviest thing this command could load.
  const { S3Storage } = await import('./s3-storage');
  return new S3Storage(backend);
}

/** Keeps stderr pure JSON: process warnings (e.g. the AWS SDK's Node version notice) become log lines. */
function routeWarningsToLog(log: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => log({ event: 'warning', name: warning.name, message: warning.message }));
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // A second signal while draining means "now".
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: ServerConfig;
  try {
    const command = parseServerArgs(argv);
    if (command.kind === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    config = command.config;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`codegenie cache-server: ${err.message}\n\n${USAGE}`);
    return 2;
  }

  const log = jsonLineLogger((line) => process.stderr.write(line));
  routeWarningsToLog(log);

  let auth;
  try {
    auth = await loadAuthorizer(config, env);
  } catch (err) {
    if (!(err instanceof TokenConfigError)) throw err;
    process.stderr.write(`codegenie cache-server: ${err.message}\n`);
    return 2;
  }

  let storage: CacheStorage;
  try {
    storage = await openStorage(config.backend);
  } catch (err) {
    log({ event: 'startup-error', error: describeError(err) });
    return 1;
  }

  let running;
  try {
    running = await startCacheServer({
      storage,
      authorizer: auth.authorizer,
      maxBodyBytes: config.maxBodyBytes,
      log,
      port: config.port,
      host: config.host,
    });
  } catch (err) {
    log({ event: 'startup-error', error: describeError(err) });
    await storage.close();
    return 1;
  }

  process.stdout.write(`${running.url}\n`);
  log({ event: 'listening', url: running.url, ...storage.description, ...auth.summary, max_body_bytes: config.maxBodyBytes });

  let eviction: EvictionSchedule | undefined;
  if (config.evictDays !== undefined && storage instanceof DirectoryStorage) {
    eviction = scheduleEviction(storage, config.evictDays, log);
  }

  const signal = await waitForStopSignal();
  log({ event: 'shutdown', signal, grace_ms: config.shutdownGraceMs });
  eviction?.stop();
  await running.shutdown(config.shutdownGraceMs);
  await storage.close();
  log({ event: 'stopped' });
  return 0;
}
