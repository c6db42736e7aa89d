#!/usr/bin/env node
/**
 * Command line for the benchmark repository generator.
 *
 *   npx tsc -p bench/tsconfig.json
 *   node dist-bench/generator/cli.js generate --dir /tmp/repo --seed 1 --size standard --pm pnpm [--variant monorepo] [--git]
 *   node dist-bench/generator/cli.js churn --dir /tmp/repo --seed 1 --length 100 [--commit]
 *
 * `generate` prints one JSON line with what was written and how long it took.
 * `churn` applies a trace to an existing repository, printing one line per step.
 */
import { churnTrace, applyChangeDetailed } from './churn';
import { generateRepo } from './generate';
import { PACKAGE_MANAGERS, type PackageManager } from './lockfiles/types';
import type { RepoSize, Variant } from './repository';
import { commitAll } from './write-tree';

const USAGE = `usage:
  cli.js generate --dir DIR [--seed N] [--size small|standard|LOC] [--pm ${PACKAGE_MANAGERS.join('|')}] [--variant service|monorepo] [--git] [--lock-packages N]
  cli.js churn --dir DIR [--seed N] [--length N] [--commit]`;

function parseArgs(argv: string[]): { command: string; flags: Map<string, string | true> } {
  const [command = '', ...rest] = argv;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(arg.slice(2), true);
    else {
      flags.set(arg.slice(2), next);
      i++;
    }
  }
  return { command, flags };
}

function text(flags: Map<string, string | true>, name: string, fallback?: string): string {
  const value = flags.get(name);
  if (typeof value === 'string') return value;
  if (fallback !== undefined) return fallback;
  throw new Error(`--${name} is required`);
}

function seedOf(raw: string): number | string {
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

function main(argv: string[]): number {
  const { command, flags } = parseArgs(argv);
  if (command === 'generate') {
    const sizeRaw = text(flags, 'size', 'standard');
    const size: RepoSize = sizeRaw === 'small' || sizeRaw === 'standard' ? sizeRaw : Number(sizeRaw);
    if (typeof size === 'number' && !(size > 0)) throw new Error(`bad --size ${sizeRaw}`);
    const pm = text(flags, 'pm', 'npm') as PackageManager;
    if (!PACKAGE_MANAGERS.includes(pm)) throw new Error(`bad --pm ${pm}`);
    const variant = text(flags, 'variant', 'service') as Variant;
    if (variant !== 'service' && variant !== 'monorepo') throw new Error(`bad --variant ${variant}`);
    const lock = flags.get('lock-packages');
    const started = performance.now();
    const result = generateRepo({
      dir: text(flags, 'dir'),
      seed: seedOf(text(flags, 'seed', '1')),
      size,
      packageManager: pm,
      variant,
      git: flags.get('git') === true,
      lockfilePackages: typeof lock === 'string' ? Number(lock) : undefined,
    });
    console.log(JSON.stringify({ ...result, ms: Math.round(performance.now() - started) }));
    return 0;
  }
  if (command === 'churn') {
    const dir = text(flags, 'dir');
    const commit = flags.get('commit') === true;
    for (const step of churnTrace(seedOf(text(flags, 'seed', '1')), Number(text(flags, 'length', '100')))) {
      const change = applyChangeDetailed(dir, step.kind, step.rng);
      const head = commit ? commitAll(dir, change.description, step.index) : '';
      console.log(`${step.index}\t${change.description}${head ? `\t${head}` : ''}`);
    }
    return 0;
  }
  console.error(USAGE);
  return command === '' || command === 'help' || flags.has('help') ? 0 : 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(USAGE);
  process.exitCode = 2;
}
