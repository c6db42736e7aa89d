/**
 * `codegenie gather <path>`: see gather-repository.ts. Exit codes: 0 ok (or fresh in cached-only),
 * 1 gather failed, 2 usage error, 3 stale in cached-only mode.
 */
import { parseArgs } from 'node:util';
import { gatherRepositoryDetailed, MODES } from './gather-repository';
import type { FreshnessMode, GatherOutcome } from '../serve/gather-port';

export const HELP = `usage: codegenie gather <path> [options]

Gathers the repository at <path> (any directory; nothing is written into it) with Nx as the
engine, in a state workspace of its own, and writes repo-context.yaml, views.json and raw/*.json.

options:
  --rev <commit-ish>     gather that commit's tree, read from git (work tree and index untouched)
  --mode <mode>          fresh-on-trigger (default: re-run what changed, replay the rest),
                         cached-only (never run a probe: last artifacts + what is stale),
                         force-refresh (skip every cache, local and remote)
  --out <dir>            where the artifacts go (default: the state folder's context/)
  --state-dir <dir>      state folder (default: $CODEGENIE_HOME, else $XDG_CACHE_HOME/codegenie,
                         else ~/.cache/codegenie)
  --remote-cache <url>   Nx self-hosted remote cache (else NX_SELF_HOSTED_REMOTE_CACHE_SERVER);
                         unreachable → the gather goes on without it and says so
  --token <token>        its access token (else NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN)
  --timeout <seconds>    give up (and kill Nx) after this long
  --json                 print the outcome as one JSON object
  -h, --help             this help

exit codes: 0 ok (cached-only: fresh), 1 gather failed, 2 usage error, 3 stale (cached-only)

examples:
  codegenie gather ~/src/api                        # then: codegenie show ~/src/api
  codegenie gather . --rev v2.1.0 --out /tmp/ctx
  codegenie gather ~/src/api --mode cached-only --json
  codegenie gather ~/src/api --remote-cache http://cache:3000 --token "$TOKEN"
`;

export function exitCodeOf(outcome: GatherOutcome, usageError: boolean): number {
  if (usageError) return 2;
  if (outcome.status === 'failed') return 1;
  if (outcome.status === 'stale') return 3;
  return 0;
}

function humanLine(o: GatherOutcome): string {
  const lines: string[] = [];
  if (o.status === 'failed') {
    lines.push(`codegenie gather: ${o.repository}: ${o.errors.join('; ') || 'failed'}`);
    return `${lines.join('\n')}\n`;
  }
  const how = o.fast_path ? 'unchanged since the last gather (no Nx run)' : `${o.probes.recomputed.length} task(s) recomputed, ${o.probes.replayed.length} replayed`;
  const state = o.status === 'stale' ? `stale: ${(o.stale_probes ?? []).join(', ')}` : o.status === 'fresh' ? 'fresh' : 'ok';
  lines.push(`codegenie gather: ${o.repository}${o.rev ? ` @ ${o.rev.slice(0, 12)}` : ''}: ${state}, ${how}, ${o.seconds.toFixed(2)} s`);
  if (o.remote_cache === 'unreachable') lines.push('codegenie gather: remote cache unreachable; gathered without it');
  for (const e of o.errors) lines.push(`codegenie gather: ${e}`);
  lines.push(`artifacts: ${o.out}`);
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        rev: { type: 'string' },
        mode: { type: 'string' },
        out: { type: 'string' },
        'state-dir': { type: 'string' },
        'remote-cache': { type: 'string' },
        token: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`codegenie gather: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const usage = (msg: string): number => {
    process.stderr.write(`codegenie gather: ${msg}\nrun 'codegenie gather --help' for usage\n`);
    return 2;
  };
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'a repository path is required' : `one path expected, got ${positionals.length}`);
  if (values.mode !== undefined && !MODES.includes(values.mode as FreshnessMode)) return usage(`unknown --mode ${JSON.stringify(values.mode)} (one of ${MODES.join(', ')})`);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!Number.isFinite(s) || s <= 0) return usage(`--timeout wants a positive number of seconds, got ${JSON.stringify(values.timeout)}`);
    timeoutMs = Math.round(s * 1000);
  }
  if (values.token !== undefined && values['remote-cache'] === undefined) return usage('--token needs --remote-cache');
  const { outcome, usageError } = await gatherRepositoryDetailed({
    path: positionals[0],
    rev: values.rev,
    mode: values.mode as FreshnessMode | undefined,
    outDir: values.out,
    stateDir: values['state-dir'],
    remoteCache: values['remote-cache'] ? { url: values['remote-cache'], token: values.token } : undefined,
    timeoutMs,
  });
  if (values.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
  else (outcome.status === 'failed' ? process.stderr : process.stdout).write(humanLine(outcome));
  return exitCodeOf(outcome, usageError);
}
