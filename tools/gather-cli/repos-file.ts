/**
 * The `--repos FILE` list of `codegenie gather`: one repository a line.
 *
 *     # comment lines start with '#'; blank lines are skipped
 *     ../services/billing            a directory, relative to the file's own folder
 *     /srv/git/api@v2.3.0            that commit-ish of a git repository (`path@rev`)
 *     packages/@scope/tool           '@' inside a path is kept: see the rule below
 *     build@2x/                      a trailing '/' says "no rev": the directory `build@2x`
 *     ./web   # a comment after whitespace
 *
 * The `@rev` rule. The rev is what follows the LAST '@' of the line, and only when
 *   - something non-empty stands before that '@' (so `@scope` alone is a path), and
 *   - what follows is a rev-looking token: starts with a letter or digit, then letters, digits
 *     and `. _ - + ~ ^` only — no '/', no whitespace, no '@', no '{' (so `HEAD@{1}` reflog
 *     syntax and branch names with '/' cannot be written; name a tag or a sha instead).
 * Anything else is all path. A directory whose name really ends in `@token` is written with a
 * trailing '/' (`build@2x/`), which the rule never reads as a rev.
 *
 * A '#' starts a comment at the beginning of a line or after whitespace; a '#' glued to other
 * characters (`a#b`) is part of the path. Surrounding whitespace is trimmed; a UTF-8 BOM and
 * CRLF line ends are accepted. `~` is not expanded (no shell is involved).
 *
 * Errors are collected for the whole file and thrown together, each as `FILE:LINE: message`:
 * control characters, an empty rev (`path@` is almost always a typo), the same repository and
 * rev twice (two concurrent gathers of one repository would share its state folder), and a
 * file with no entries at all.
 */
import { isAbsolute, resolve } from 'node:path';

export interface RepoEntry {
  /** The repository path resolved against the list's folder. */
  path: string;
  rev?: string;
  /** The entry as written (path, and `@rev` when given): the name shown in logs and the summary. */
  label: string;
  /** 1-based line number in the file. */
  line: number;
}

export class ReposFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ReposFileError';
  }
}

const REV_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._+~^-]*$/;
// C0 controls except tab, DEL, and C1 controls: never part of a path someone meant to write.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/** Removes a comment: '#' at the start or after whitespace starts one. */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** Splits `path@rev` by the rule in the header; `rev` is `''` for a trailing '@' (an error). */
export function splitRev(spec: string): { path: string; rev?: string } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return { path: spec };
  const tail = spec.slice(at + 1);
  if (tail === '') return { path: spec.slice(0, at), rev: '' };
  if (!REV_TOKEN.test(tail)) return { path: spec };
  return { path: spec.slice(0, at), rev: tail };
}

/** The line that `parseReposFile` reads back as `{ path, rev }` (for tests and for generated lists). */
export function formatReposLine(path: string, rev?: string): string {
  if (path !== path.trim() || path === '' || CONTROL.test(path) || stripComment(path) !== path) {
    throw new Error(`cannot write ${JSON.stringify(path)} as a --repos line`);
  }
  if (rev !== undefined) {
    if (!REV_TOKEN.test(rev)) throw new Error(`not a rev token: ${JSON.stringify(rev)}`);
    return `${path}@${rev}`;
  }
  const read = splitRev(path);
  return read.path === path && read.rev === undefined ? path : `${path}/`;
}

/**
 * Parses a `--repos` list. `baseDir` is the folder relative paths are resolved against (the
 * file's own folder, so a list can be moved together with the repositories it names);
 * `source` names the file in error messages.
 */
export function parseReposFile(text: string, baseDir: string, source = 'repos file'): RepoEntry[] {
  const entries: RepoEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const spec = stripComment(rawLine).trim();
    if (spec === '') return;
    if (CONTROL.test(spec)) {
      problems.push(`${source}:${line}: control character in ${JSON.stringify(spec)}`);
      return;
    }
    const { path, rev } = splitRev(spec);
    if (rev === '') {
      problems.push(`${source}:${line}: '@' with no rev after it in ${JSON.stringify(spec)} (write "${path}/" for a directory whose name ends in '@')`);
      return;
    }
    const absolute = isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
    const key = `${absolute}\0${rev ?? ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(`${source}:${line}: ${JSON.stringify(spec)} repeats line ${first}`);
      return;
    }
    seen.set(key, line);
    entries.push({ path: absolute, ...(rev !== undefined ? { rev } : {}), label: spec, line });
  });
  if (problems.length === 0 && entries.length === 0) problems.push(`${source}: no repositories listed`);
  if (problems.length > 0) throw new ReposFileError(problems);
  return entries;
}
