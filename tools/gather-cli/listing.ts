/**
 * The repository's file list for `codegenie gather`, from git rather than Nx's walker (the state
 * workspace's walker must not see the repository's Nx files, and the listing is the file index):
 * - a git work tree: `git ls-files -co --exclude-standard` (tracked plus untracked-not-ignored);
 * - a commit (`--rev`): `git ls-tree -r` of that commit (regular files and symlinks, no submodules);
 * - a plain folder: the same `ls-files` through an empty git directory of our own, so the folder's
 *   `.gitignore` files count exactly as they would in a repository, and nothing is written there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { byCodeUnit } from '../parse';

/** Folders never taken from a repository: our own output, installs, Nx's state, git's. */
const NEVER_DIRS = new Set(['.codegenie', 'node_modules', '.nx', '.git']);

/** Files read by the tools that would otherwise act on the state workspace (ignore rules, env files). */
function isToolControlFile(base: string): boolean {
  return base === '.gitignore' || base === '.nxignore' || base === '.env' || base.startsWith('.env.') || base === '.local.env';
}

export interface Listing {
  /** Every path of the repository (the file index sees these), sorted. */
  paths: string[];
  /** The subset copied into the state workspace (tool control files left out). */
  materialised: string[];
}

export function git(cwd: string, args: readonly string[], input?: string): string {
  return execFileSync('git', ['-C', cwd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: gitEnv(),
  });
}

/** git without the operator's GIT_DIR-style overrides, never prompting. */
export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_CEILING_DIRECTORIES']) delete env[key];
  return env;
}

export function splitNul(out: string): string[] {
  return out.split('\0').filter((p) => p.length > 0);
}

/** Keeps what may be gathered: never our own output, installs, or git/Nx state, at any depth. */
export function keepPath(path: string): boolean {
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) if (NEVER_DIRS.has(parts[i])) return false;
  return !NEVER_DIRS.has(parts[parts.length - 1]);
}

export function toListing(raw: Iterable<string>): Listing {
  const paths = [...new Set(raw)].filter(keepPath).sort(byCodeUnit);
  const materialised = paths.filter((p) => !isToolControlFile(p.slice(p.lastIndexOf('/') + 1)));
  return { paths, materialised };
}

/** True when `dir` is inside a git work tree (`git rev-parse --is-inside-work-tree`). */
export function isGitWorkTree(dir: string): boolean {
  try {
    return git(dir, ['rev-parse', '--is-inside-work-tree']).trim() === 'true';
  } catch {
    return false;
  }
}

export function workTreeListing(dir: string): Listing {
  // core.quotePath does not matter with -z; paths are relative to `dir` (which may be a subfolder).
  const out = git(dir, ['ls-files', '-co', '--exclude-standard', '-z', '--', '.']);
  // Tracked files deleted from the work tree are listed by -c: only what exists counts.
  return toListing(splitNul(out).filter((p) => existsSync(join(dir, p))));
}

/** The commit's tree under `dir`'s prefix (a subfolder of the repository gathers that subfolder). */
export function revListing(dir: string, commit: string): Listing & { blobs: Record<string, string> } {
  const out = git(dir, ['ls-tree', '-r', '-z', '--full-name', commit, '--', '.']);
  const prefix = git(dir, ['rev-parse', '--show-prefix']).trim();
  const blobs: Record<string, string> = {};
  for (const entry of splitNul(out)) {
    const tab = entry.indexOf('\t');
    const [mode, type, id] = entry.slice(0, tab).split(' ');
    if (type !== 'blob' || mode === '160000') continue;
    const full = entry.slice(tab + 1);
    if (full.startsWith(prefix)) blobs[full.slice(prefix.length)] = `${mode}:${id}`;
  }
  const listing = toListing(Object.keys(blobs));
  const kept: Record<string, string> = {};
  for (const p of listing.paths) kept[p] = blobs[p];
  return { ...listing, blobs: kept };
}

/** A plain folder, listed through an empty git directory kept in the state folder. */
export function folderListing(dir: string, scratchGitDir: string): Listing {
  if (!existsSync(join(scratchGitDir, 'HEAD'))) {
    mkdirSync(scratchGitDir, { recursive: true });
    execFileSync('git', ['init', '-q', '--bare', scratchGitDir], { stdio: 'ignore', env: gitEnv() });
  }
  const out = execFileSync('git', ['--git-dir', scratchGitDir, '--work-tree', dir, 'ls-files', '-o', '--exclude-standard', '-z'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: gitEnv(),
  });
  return toListing(splitNul(out));
}
