/**
 * `codegenie show <path|context-dir> [--view NAME] [--json] [--state-dir DIR] [--out DIR]`
 *
 * Prints what a newcomer reads first about a gathered repository, from its artifacts only (no
 * Nx, no probe runs, no YAML parse of the whole context: the slices come from raw/<probe>.json).
 *
 * Where the context is found, first match wins:
 *   1. `--out DIR`, or the argument itself, is a context folder: it holds views.json or
 *      repo-context.yaml (what `codegenie gather --out DIR` wrote);
 *   2. `<path>/.codegenie/context/` (the in-place plugin: `nx run repo:gather`);
 *   3. the state folder of `codegenie gather <path>`: `--state-dir`, else CODEGENIE_HOME, else
 *      $XDG_CACHE_HOME/codegenie, else ~/.cache/codegenie. Each `<state>/repos/<id>/` whose
 *      `source.json` is a JSON object with `"path"` equal to the repository's real path
 *      (absolute, symlinks resolved) is a candidate; its context is `"out"` from that file when
 *      present (absolute), else `<state>/repos/<id>/context`. With several candidates (one
 *      repository gathered at several revs), the most recently written views.json wins.
 *
 * Exit codes: 0 shown; 1 no context found or unreadable artifacts; 2 usage (bad flags, a path
 * that does not exist or is not a folder, an unknown view name). Errors are one line on stderr.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTEXT_DIR, CONTEXT_FILE, RAW_DIR, VIEWS_FILE } from '../artifact-paths';
import { defaultStateDir } from '../state-dir';
import { buildSummary, formatSummary } from './summary';

export const USAGE = `usage: codegenie show <path|context-dir> [--view NAME] [--json] [--state-dir DIR] [--out DIR]

Prints a gathered repository's summary: package manager, Node constraints, monorepo packages,
frameworks, tests, CI, deployment, risk flags by severity, confidence. Reads artifacts only.

options:
  --view NAME       print one view of views.json as JSON (available_skills, confidence_summary,
                    entrypoint, risk_flags)
  --json            print the summary as JSON
  --state-dir DIR   where \`codegenie gather\` keeps per-repository state (default: CODEGENIE_HOME,
                    else $XDG_CACHE_HOME/codegenie, else ~/.cache/codegenie)
  --out DIR         read the context folder a gather wrote with --out DIR
  -h, --help        this text

examples:
  codegenie show .                          the context of the repository here
  codegenie show ../api --view risk_flags   one view, as JSON
  codegenie show .codegenie/context --json  the summary as JSON, for scripts

exit codes: 0 shown, 1 no context found (gather first), 2 usage error
`;

class ShowError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

export interface LocatedContext {
  dir: string;
  /** A name for the title: the repository's folder name when known. */
  name: string;
  how: 'context-dir' | 'in-place' | 'state-dir';
}

function isContextDir(dir: string): boolean {
  return existsSync(join(dir, VIEWS_FILE)) || existsSync(join(dir, CONTEXT_FILE));
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** The gathered context of a repository kept under `<stateDir>/repos/<id>/` (see the header). */
export function findInStateDir(repoPath: string, stateDir: string): string | undefined {
  const reposDir = join(stateDir, 'repos');
  let ids: string[];
  try {
    ids = readdirSync(reposDir);
  } catch {
    return undefined;
  }
  let best: { dir: string; at: number } | undefined;
  for (const id of ids.sort()) {
    let source: { path?: unknown; out?: unknown };
    try {
      source = JSON.parse(readFileSync(join(reposDir, id, 'source.json'), 'utf8')) as typeof source;
    } catch {
      continue;
    }
    if (typeof source !== 'object' || source === null || typeof source.path !== 'string') continue;
    let recorded: string;
    try {
      recorded = realpathSync(source.path);
    } catch {
      recorded = resolve(source.path);
    }
    if (recorded !== repoPath) continue;
    const dir = typeof source.out === 'string' ? resolve(source.out) : join(reposDir, id, 'context');
    if (!isContextDir(dir)) continue;
    const at = mtime(join(dir, VIEWS_FILE));
    if (!best || at > best.at) best = { dir, at };
  }
  return best?.dir;
}

export function locateContext(target: string, options: { stateDir?: string; out?: string } = {}): LocatedContext {
  if (options.out !== undefined) {
    const dir = resolve(options.out);
    if (!isContextDir(dir)) throw new ShowError(`--out ${options.out}: no views.json or ${CONTEXT_FILE} there`, 1);
    return { dir, name: basename(dir), how: 'context-dir' };
  }
  const abs = resolve(target);
  let stat;
  try {
    stat = statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShowError(`${target}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'not readable' : (err as Error).message}`, 2);
  }
  if (!stat.isDirectory()) throw new ShowError(`${target}: not a directory`, 2);
  if (isContextDir(abs)) {
    const repo = abs.endsWith(join(...CONTEXT_DIR.split('/'))) ? dirname(dirname(abs)) : abs;
    return { dir: abs, name: basename(repo), how: 'context-dir' };
  }
  const inPlace = join(abs, ...CONTEXT_DIR.split('/'));
  if (isContextDir(inPlace)) return { dir: inPlace, name: basename(abs), how: 'in-place' };
  const stateDir = resolve(options.stateDir ?? defaultStateDir());
  const real = realpathSync(abs);
  const found = findInStateDir(real, stateDir);
  if (found) return { dir: found, name: basename(real), how: 'state-dir' };
  throw new ShowError(`${target}: no gathered context (looked in ${CONTEXT_DIR}/ and in ${join(stateDir, 'repos')}); run \`codegenie gather ${target}\` first`, 1);
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ShowError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `unreadable (${(err as Error).message.split('\n')[0]})`}`, 1);
  }
}

/**
 * The `codegenie:` header of repo-context.yaml (version, schema_version) without parsing the
 * whole file: the context is emitted with sorted top-level keys at column 0, and these two
 * scalars sit directly under `codegenie:` at two spaces.
 */
function readHeader(dir: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(join(dir, CONTEXT_FILE), 'utf8');
  } catch {
    return {};
  }
  const start = text.search(/^codegenie:\s*$/m);
  if (start < 0) return {};
  const rest = text.slice(start).split('\n').slice(1);
  const end = rest.findIndex((l) => /^\S/.test(l));
  const header: Record<string, unknown> = {};
  for (const line of end < 0 ? rest : rest.slice(0, end)) {
    const m = /^ {2}(version|schema_version): "?([^"\s]+)"?\s*$/.exec(line);
    if (m) header[m[1]] = m[1] === 'schema_version' ? Number(m[2]) : m[2];
  }
  return header;
}

/** The probes' slices from raw/<probe>.json; a missing or unreadable one is simply absent. */
function readSlices(dir: string): Record<string, Record<string, unknown> | undefined> {
  const slices: Record<string, Record<string, unknown> | undefined> = {};
  for (const probe of ['build-system', 'ci', 'deployment', 'language', 'manifest', 'test-inventory', 'vulnerabilities']) {
    try {
      const envelope = JSON.parse(readFileSync(join(dir, RAW_DIR, `${probe}.json`), 'utf8')) as { slice?: Record<string, unknown> };
      slices[probe] = envelope.slice;
    } catch {
      slices[probe] = undefined;
    }
  }
  return slices;
}

export function showText(located: LocatedContext): string {
  const views = readJson(join(located.dir, VIEWS_FILE));
  return formatSummary(buildSummary(readSlices(located.dir), views, readHeader(located.dir)), located.name);
}

export async function main(argv: string[]): Promise<number> {
  const fail = (message: string, code: number) => {
    process.stderr.write(`codegenie show: ${message}\n`);
    return code;
  };
  let values: { view?: string; json?: boolean; 'state-dir'?: string; out?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        view: { type: 'string' },
        json: { type: 'boolean' },
        'state-dir': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return fail(`${(err as Error).message.split('\n')[0]} (see codegenie show --help)`, 2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 0 && values.out === undefined)) {
    return fail(positionals.length > 1 ? `one path expected, got ${positionals.length}` : 'a repository path or context folder is required (see codegenie show --help)', 2);
  }
  try {
    const located = locateContext(positionals[0] ?? '.', { stateDir: values['state-dir'], out: values.out });
    if (values.view !== undefined) {
      const views = readJson(join(located.dir, VIEWS_FILE));
      const names = Object.keys(views).filter((k) => k !== 'schema_version').sort();
      if (!names.includes(values.view)) return fail(`unknown view ${JSON.stringify(values.view)}; views: ${names.join(', ')}`, 2);
      process.stdout.write(`${JSON.stringify(views[values.view], null, 2)}\n`);
      return 0;
    }
    if (values.json) {
      const views = readJson(join(located.dir, VIEWS_FILE));
      const summary = buildSummary(readSlices(located.dir), views, readHeader(located.dir));
      process.stdout.write(`${JSON.stringify({ repository: located.name, context: located.dir, ...summary }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(showText(located));
    return 0;
  } catch (err) {
    if (err instanceof ShowError) return fail(err.message, err.code);
    throw err;
  }
}
