/**
 * Configuration: defaults < YAML file (`--config FILE`) < environment (CODEGENIE_SERVE_*) < flags.
 * The webhook secret is read from the environment or the file only, never from a flag (it would
 * show in `ps`).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateCron, DEFAULT_CRON } from './triggers/cron';

export interface ServeConfig {
  host: string;
  port: number;
  stateDir: string;
  workers: number;
  database: string | undefined;
  webhookSecret: string | undefined;
  cron: string;
  timezone: string | undefined;
  leaseMs: number;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  maxBodyBytes: number;
  graceMs: number;
  pollMs: number;
  gatherModule: string | undefined;
  advisoryModule: string | undefined;
  repositories: { source: string; id?: string; branches?: string[]; cron?: string; github?: string }[];
}

export class ConfigError extends Error {}

type Raw = Record<string, string | undefined>;

const KEYS: { key: keyof ServeConfig; yaml: string; env: string; flag: string; kind: 'int' | 'string' }[] = [
  { key: 'host', yaml: 'host', env: 'CODEGENIE_SERVE_HOST', flag: 'host', kind: 'string' },
  { key: 'port', yaml: 'port', env: 'CODEGENIE_SERVE_PORT', flag: 'port', kind: 'int' },
  { key: 'stateDir', yaml: 'state_dir', env: 'CODEGENIE_SERVE_STATE_DIR', flag: 'state-dir', kind: 'string' },
  { key: 'workers', yaml: 'workers', env: 'CODEGENIE_SERVE_WORKERS', flag: 'workers', kind: 'int' },
  { key: 'database', yaml: 'database', env: 'CODEGENIE_SERVE_DATABASE', flag: 'database', kind: 'string' },
  { key: 'webhookSecret', yaml: 'webhook_secret', env: 'CODEGENIE_WEBHOOK_SECRET', flag: '', kind: 'string' },
  { key: 'cron', yaml: 'cron', env: 'CODEGENIE_SERVE_CRON', flag: 'cron', kind: 'string' },
  { key: 'timezone', yaml: 'timezone', env: 'CODEGENIE_SERVE_TIMEZONE', flag: 'timezone', kind: 'string' },
  { key: 'leaseMs', yaml: 'lease_ms', env: 'CODEGENIE_SERVE_LEASE_MS', flag: 'lease-ms', kind: 'int' },
  { key: 'timeoutMs', yaml: 'gather_timeout_ms', env: 'CODEGENIE_SERVE_GATHER_TIMEOUT_MS', flag: 'gather-timeout-ms', kind: 'int' },
  { key: 'maxAttempts', yaml: 'max_attempts', env: 'CODEGENIE_SERVE_MAX_ATTEMPTS', flag: 'max-attempts', kind: 'int' },
  { key: 'retryBaseMs', yaml: 'retry_base_ms', env: 'CODEGENIE_SERVE_RETRY_BASE_MS', flag: 'retry-base-ms', kind: 'int' },
  { key: 'maxBodyBytes', yaml: 'max_body_bytes', env: 'CODEGENIE_SERVE_MAX_BODY_BYTES', flag: 'max-body-bytes', kind: 'int' },
  { key: 'graceMs', yaml: 'shutdown_grace_ms', env: 'CODEGENIE_SERVE_SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms', kind: 'int' },
  { key: 'pollMs', yaml: 'poll_ms', env: 'CODEGENIE_SERVE_POLL_MS', flag: 'poll-ms', kind: 'int' },
  { key: 'gatherModule', yaml: 'gather_module', env: 'CODEGENIE_GATHER_MODULE', flag: 'gather-module', kind: 'string' },
  { key: 'advisoryModule', yaml: 'advisory_module', env: 'CODEGENIE_ADVISORY_MODULE', flag: 'advisory-module', kind: 'string' },
];

export const CONFIG_FLAGS = KEYS.filter((k) => k.flag !== '').map((k) => k.flag);

function defaults(env: NodeJS.ProcessEnv): ServeConfig {
  const cacheHome = env.CODEGENIE_HOME ?? (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'codegenie') : join(homedir(), '.cache', 'codegenie'));
  return {
    host: '127.0.0.1',
    port: 7420,
    stateDir: join(cacheHome, 'serve'),
    workers: 1,
    database: undefined,
    webhookSecret: undefined,
    cron: DEFAULT_CRON,
    timezone: undefined,
    leaseMs: 30_000,
    timeoutMs: 15 * 60_000,
    maxAttempts: 3,
    retryBaseMs: 5_000,
    maxBodyBytes: 1024 * 1024,
    graceMs: 30_000,
    pollMs: 500,
    gatherModule: undefined,
    advisoryModule: undefined,
    repositories: [],
  };
}

function assign(config: ServeConfig, key: keyof ServeConfig, kind: 'int' | 'string', value: unknown, where: string): void {
  if (value === undefined || value === null || value === '') return;
  if (kind === 'int') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${where}: expected a non-negative integer, got ${JSON.stringify(value)}`);
    (config as unknown as Record<string, unknown>)[key] = n;
  } else {
    (config as unknown as Record<string, unknown>)[key] = String(value);
  }
}

export function loadConfig(flags: Raw & { config?: string }, env: NodeJS.ProcessEnv): ServeConfig {
  const config = defaults(env);
  const file = flags.config ?? env.CODEGENIE_SERVE_CONFIG;
  if (file) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read the config file ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (doc !== null && typeof doc !== 'object') throw new ConfigError(`${file}: expected a mapping`);
    const map = (doc ?? {}) as Record<string, unknown>;
    const known = new Set([...KEYS.map((k) => k.yaml), 'repositories']);
    for (const k of Object.keys(map)) if (!known.has(k)) throw new ConfigError(`${file}: unknown key ${k}`);
    for (const k of KEYS) assign(config, k.key, k.kind, map[k.yaml], `${file}: ${k.yaml}`);
    if (map.repositories !== undefined) {
      if (!Array.isArray(map.repositories)) throw new ConfigError(`${file}: repositories must be a list`);
      config.repositories = map.repositories.map((r, i) => {
        const entry = (typeof r === 'string' ? { source: r } : r) as ServeConfig['repositories'][number];
        if (typeof entry?.source !== 'string') throw new ConfigError(`${file}: repositories[${i}].source is required`);
        return entry;
      });
    }
  }
  for (const k of KEYS) assign(config, k.key, k.kind, env[k.env], k.env);
  for (const k of KEYS) if (k.flag) assign(config, k.key, k.kind, flags[k.flag], `--${k.flag}`);
  config.stateDir = resolve(config.stateDir);
  if (config.workers < 1) throw new ConfigError('workers must be at least 1');
  const cronError = validateCron(config.cron);
  if (cronError) throw new ConfigError(`cron ${JSON.stringify(config.cron)}: ${cronError}`);
  return config;
}
