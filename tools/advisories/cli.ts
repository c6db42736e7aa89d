/**
 * `codegenie advisories <import|affected|register|status>`: the OSV advisory store in the state
 * folder (--state-dir, else CODEGENIE_HOME / XDG_CACHE_HOME/codegenie / ~/.cache/codegenie).
 *   import <dir|file.zip|file.json|URL>   merge records (newer `modified` wins; nothing is fetched unless a URL is given)
 *   affected --since <time> [--json]      watched repositories hit by advisories imported or changed since <time>
 *   register <repository> <context-dir>   record a gathered repository's locked inventory for `affected`
 *   status                                record count and content hash
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RAW_DIR } from '../artifact-paths';
import { isRecord } from '../parse';
import { defaultStateDir } from '../state-dir';
import { readSource } from './sources';
import { AdvisoryStore, affectedRepositories } from './store';

const USAGE = `usage: codegenie advisories import <dir|file.zip|file.json|URL> [--state-dir DIR]
       codegenie advisories affected --since <ISO time> [--json] [--state-dir DIR]
       codegenie advisories register <repository> <context-dir> [--state-dir DIR]
       codegenie advisories status [--state-dir DIR]
`;

/** The locked name@version pairs of a gathered context folder (its raw manifest envelope). */
export function lockedPackagesOfContext(contextDir: string): Array<{ name: string; version: string }> {
  const file = join(contextDir, RAW_DIR, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file}: no manifest output; gather the repository first`);
  const envelope = JSON.parse(readFileSync(file, 'utf8')) as { slice?: { lockfiles?: unknown[] } };
  const out: Array<{ name: string; version: string }> = [];
  for (const lockfile of envelope.slice?.lockfiles ?? []) {
    if (!isRecord(lockfile) || !Array.isArray(lockfile.packages)) continue;
    for (const p of lockfile.packages) if (isRecord(p) && typeof p.name === 'string' && typeof p.version === 'string') out.push({ name: p.name, version: p.version });
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'state-dir': { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const stateDir = values['state-dir'] ?? defaultStateDir(process.env);
  if (command === 'import') {
    if (args.length !== 1) return fail('import needs one source');
    const records = await readSource(args[0]);
    const store = new AdvisoryStore(stateDir);
    const summary = store.importRecords(records, new Date());
    store.save();
    process.stdout.write(
      `imported ${records.length} records: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.withdrawn} withdrawn, ${summary.not_npm} not npm, ${summary.invalid.length} invalid; store holds ${store.size} (content hash ${store.contentHash().slice(0, 12)})\n`,
    );
    for (const bad of summary.invalid.slice(0, 20)) process.stderr.write(`  invalid: ${bad.source}: ${bad.message}\n`);
    return 0;
  }
  if (command === 'affected') {
    if (!values.since) return fail('affected needs --since <time>');
    const hits = await affectedRepositories(stateDir, values.since);
    if (values.json) process.stdout.write(`${JSON.stringify(hits, null, 2)}\n`);
    else for (const h of hits) process.stdout.write(`${h.repository}\t${h.advisories.join(',')}\n`);
    return 0;
  }
  if (command === 'register') {
    if (args.length !== 2) return fail('register needs <repository> <context-dir>');
    const store = new AdvisoryStore(stateDir);
    const packages = lockedPackagesOfContext(args[1]);
    store.registerInventory(args[0], packages, new Date());
    store.save();
    process.stdout.write(`registered ${args[0]}: ${packages.length} locked packages\n`);
    return 0;
  }
  if (command === 'status') {
    const store = new AdvisoryStore(stateDir);
    process.stdout.write(`${store.size} advisories, ${store.repositories().length} registered repositories, content hash ${store.contentHash()}\n`);
    return 0;
  }
  return fail(`unknown subcommand ${JSON.stringify(command)}`);
}

function fail(message: string): number {
  process.stderr.write(`codegenie advisories: ${message}\n${USAGE}`);
  return 2;
}
