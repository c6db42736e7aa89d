#!/usr/bin/env node
/**
 * The `codegenie` command. Subcommands load lazily so `codegenie --help` costs nothing.
 * Each subcommand module exports `main(argv: string[]): Promise<number>` (the exit code) and
 * answers `--help` itself; `codegenie help <command>` is the same as `codegenie <command> --help`.
 * `--version` reads package.json (through package-root, which loads nothing else).
 */
const SUBCOMMANDS: Record<string, { module: string; summary: string }> = {
  gather: { module: './gather-cli/cli', summary: 'gather any repository as it is (nothing written into it): <path> [--rev R] [--mode M] [--out DIR]' },
  'cache-server': { module: './cache-server/cli', summary: "serve Nx's self-hosted remote cache API from a directory or S3" },
  serve: { module: './serve/cli', summary: 'the continuous gather service: webhooks, cron, CVE events, a durable queue, a status page' },
  cache: { module: '../probes/scan/cache-cli', summary: "inspect or clear the scanner's per-file result cache (stats | clear)" },
  advisories: { module: './advisories/cli', summary: 'OSV advisory store: import <dir|zip|url>, affected --since <time>, register, status' },
  sbom: { module: './sbom/cli', summary: 'CycloneDX 1.6 JSON SBOM of the locked inventory (<path|context-dir>)' },
  show: { module: './show/cli', summary: "a gathered repository's summary, or one view as JSON (<path|context-dir>)" },
};

const EXAMPLES = [
  ['codegenie gather ../my-service', "gather a repository as it is (nothing is written into it)"],
  ['codegenie show ../my-service', 'what a newcomer reads first: package manager, Node, tests, CI, risks'],
  ['codegenie show . --view risk_flags', 'one view of the context, as JSON'],
  ['codegenie gather --repos repos.txt --jobs 4', 'a portfolio, one path (or path@rev) a line'],
  ['codegenie sbom . -o bom.json', 'a CycloneDX SBOM of the locked inventory'],
];

export function usage(): string {
  const lines = Object.entries(SUBCOMMANDS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => `  ${name.padEnd(14)} ${s.summary}`);
  const examples = EXAMPLES.map(([cmd, what]) => `  ${cmd}\n      ${what}`);
  return [
    'usage: codegenie <command> [options]',
    '       codegenie <command> --help | codegenie help <command>',
    '       codegenie --version',
    '',
    'commands:',
    ...lines,
    '',
    'examples:',
    ...examples,
    '',
    'exit codes: 0 ok, 1 failed, 2 usage error, 3 stale (gather --mode cached-only)',
    '',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === '-V') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    process.stdout.write(`${(require('./package-root') as typeof import('./package-root')).codegenieVersion()}\n`);
    return 0;
  }
  if (command === 'help' && rest.length > 0) {
    [command, ...rest] = [rest[0], '--help'];
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? process.stdout : process.stderr).write(usage());
    return command ? 0 : 2;
  }
  const sub = Object.hasOwn(SUBCOMMANDS, command) ? SUBCOMMANDS[command] : undefined;
  if (!sub) {
    process.stderr.write(`codegenie: unknown command ${JSON.stringify(command)} (see codegenie --help)\n`);
    return 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(sub.module) as { main(argv: string[]): Promise<number> };
  return mod.main(rest);
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A subcommand's node:util parseArgs rejects unknown or malformed flags: a usage error.
      const usageError = typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`codegenie: ${err instanceof Error ? err.message : String(err)}${usageError ? ' (see codegenie <command> --help)' : ''}\n`);
      process.exitCode = usageError ? 2 : 1;
    },
  );
}
