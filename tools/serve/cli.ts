/**
 * `codegenie serve`: the continuous gather service, and `codegenie serve repos add|remove|list`
 * to edit the watched-repository registry (directly in the state directory's store, or through a
 * running service with --url). The URL is printed as the first stdout line; logs are JSON lines
 * on stderr.
 */
import { mkdirSync } from 'node:fs';

import { parseArgs } from 'node:util';
import { jsonLineLogger } from '../cache-server/log';
import { loadAdvisoryMatcher } from './advisory-port';
import { CONFIG_FLAGS, ConfigError, loadConfig, type ServeConfig } from './config';
import { liveGatherGroups, killGroup, loadGatherFunction } from './gather-port';
import { startHttp } from './http/server';
import { openStore } from './queue/open-store';
import { addRepository, RegistryError, removeRepository } from './registry';
import { Service } from './service';
import { CronTrigger } from './triggers/cron';

export const USAGE = `usage: codegenie serve [--config FILE] [--port N] [--host H] [--state-dir DIR] [--workers N]
                       [--database sqlite:FILE|postgres://...] [--cron EXPR] [--gather-module FILE]
       codegenie serve repos add <path-or-url> [--id ID] [--branch B]... [--cron EXPR] [--github OWNER/NAME]
       codegenie serve repos remove <id>
       codegenie serve repos list
  (repos commands: --state-dir DIR edits the store directly, --url URL goes through a running service)
  environment: CODEGENIE_WEBHOOK_SECRET, CODEGENIE_SERVE_PORT, CODEGENIE_SERVE_STATE_DIR,
  CODEGENIE_SERVE_WORKERS, CODEGENIE_SERVE_DATABASE, ... (see tools/serve/README.md)
`;

function parseFlags(argv: string[], extra: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {}) {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { config: { type: 'string' }, help: { type: 'boolean' }, ...extra };
  for (const f of CONFIG_FLAGS) options[f] = { type: 'string' };
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Whatever way the process ends, no gather process group outlives it. */
function killGathersOnExit(): void {
  process.on('exit', () => {
    for (const pid of liveGatherGroups) killGroup(pid);
  });
}

async function runService(config: ServeConfig): Promise<number> {
  const log = jsonLineLogger((line) => process.stderr.write(line)) as unknown as (e: Record<string, unknown>) => void;
  mkdirSync(config.stateDir, { recursive: true });
  killGathersOnExit();
  const store = await openStore(config.database, config.stateDir);
  const { gather, kind } = loadGatherFunction(config.gatherModule);
  const service = new Service({
    store,
    gather,
    gatherKind: kind,
    stateDir: config.stateDir,
    workers: config.workers,
    leaseMs: config.leaseMs,
    timeoutMs: config.timeoutMs,
    retryBaseMs: config.retryBaseMs,
    maxAttempts: config.maxAttempts,
    pollMs: config.pollMs,
    log,
    advisories: loadAdvisoryMatcher(config.advisoryModule),
  });
  for (const repo of config.repositories) {
    if (await store.getRepo(repo.id ?? '')) continue;
    try {
      await addRepository(store, config.stateDir, { source: repo.source, id: repo.id, branches: repo.branches, cron: repo.cron ?? null, github: repo.github ?? null }, service.now());
    } catch (err) {
      if (!(err instanceof RegistryError && /already watched/.test(err.message))) log({ event: 'config-repo-error', source: repo.source, error: (err as Error).message });
    }
  }
  const cron = new CronTrigger(service, config.cron, config.timezone);
  await cron.refresh();
  const http = await startHttp({ service, webhookSecret: config.webhookSecret, maxBodyBytes: config.maxBodyBytes, host: config.host, port: config.port, onRegistryChange: () => cron.refresh() });
  service.start();
  process.stdout.write(`${http.url}\n`);
  log({ event: 'listening', url: http.url, store: store.kind, gather: kind, workers: config.workers, state_dir: config.stateDir, webhooks: config.webhookSecret ? 'on' : 'off (no secret)' });
  const signal = await waitForStopSignal();
  log({ event: 'shutdown', signal, grace_ms: config.graceMs });
  cron.stop();
  service.draining = true;
  await Promise.all([http.close(), service.stop(config.graceMs)]);
  await store.close();
  log({ event: 'stopped' });
  return 0;
}

async function viaHttp(url: string, method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(new URL(path, url), { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
  return res.ok ? 0 : 1;
}

async function runRepos(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, { id: { type: 'string' }, branch: { type: 'string', multiple: true }, github: { type: 'string' }, url: { type: 'string' } });
  const [action, arg] = positionals;
  const v = values as Record<string, string | string[] | boolean | undefined>;
  const request = { source: arg, id: v.id as string | undefined, branches: v.branch as string[] | undefined, cron: (v.cron as string | undefined) ?? null, github: (v.github as string | undefined) ?? null };
  if (typeof v.url === 'string') {
    if (action === 'add' && arg) return viaHttp(v.url, 'POST', '/repos', request);
    if (action === 'remove' && arg) return viaHttp(v.url, 'DELETE', `/repos/${encodeURIComponent(arg)}`);
    if (action === 'list') return viaHttp(v.url, 'GET', '/repos');
  }
  const config = loadConfig(v as Record<string, string | undefined>, env);
  mkdirSync(config.stateDir, { recursive: true });
  const store = await openStore(config.database, config.stateDir);
  try {
    if (action === 'add' && arg) {
      const repo = await addRepository(store, config.stateDir, request as never, Date.now());
      process.stdout.write(`${JSON.stringify(repo, null, 2)}\n`);
      return 0;
    }
    if (action === 'remove' && arg) {
      const removed = await removeRepository(store, arg);
      process.stderr.write(removed ? `removed ${arg}\n` : `codegenie serve: repository ${arg} is not watched\n`);
      return removed ? 0 : 1;
    }
    if (action === 'list') {
      for (const r of await store.listRepos()) process.stdout.write(`${r.id}\t${r.branches.join(',')}\t${r.source}\n`);
      return 0;
    }
    process.stderr.write(USAGE);
    return 2;
  } catch (err) {
    if (err instanceof RegistryError) {
      process.stderr.write(`codegenie serve: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    if (argv[0] === 'repos') return await runRepos(argv.slice(1), env);
    const { values, positionals } = parseFlags(argv);
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument ${positionals[0]}`);
    return await runService(loadConfig(values as Record<string, string | undefined>, env));
  } catch (err) {
    if (err instanceof ConfigError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`codegenie serve: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

