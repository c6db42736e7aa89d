#!/usr/bin/env node
/**
 * The `codegenie` command. Subcommands load lazily so `codegenie --help` costs nothing.
 * Each subcommand module exports `main(argv: string[]): Promise<number>` (the exit code).
 */
const SUBCOMMANDS: Record<string, { module: string; summary: string }> = {
  gather: { module: './gather-cli/cli', summary: 'gather any repository as it is (nothing written into it): <path> [--rev R] [--mode M] [--out DIR]' },
  'cache-server': { module: './cache-server/cli', summary: "serve Nx's self-hosted remote cache API from a directory or S3" },
  serve: { module: './serve/cli', summary: 'the continuous gather service: webhooks, cron, CVE events, a durable queue, a status page' },
  cache: { module: '../probes/scan/cache-cli', summary: "inspect or clear the scanner's per-file result cache (stats | clear)" },
  advisories: { module: './advisories/cli', summary: 'OSV advisory store: import <dir|zip|url>, affected --since <time>, register, status' },
  sbom: { module: './sbom/cli', summary: 'CycloneDX 1.6 JSON SBOM of the locked inventory (<path|context-dir>)' },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(14)} ${s.summary}`);
  return `usage: codegenie <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(usage());
    return command ? 0 : 2;
  }
  const sub = SUBCOMMANDS[command];
  if (!sub) {
    process.stderr.write(`codegenie: unknown command ${JSON.stringify(command)}\n${usage()}`);
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
      process.stderr.write(`codegenie: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
