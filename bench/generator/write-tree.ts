/** Writing a generated tree to disk, hashing a tree on disk, and committing it with a fixed identity. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { byCodeUnit } from './prng';

export function writeTree(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; refusing to generate into it`);
  const made = new Set<string>();
  for (const path of Object.keys(files).sort(byCodeUnit)) {
    const target = join(dir, path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(target, files[path]);
  }
}

/** Every file under `dir` (relative, `/`-separated, sorted), skipping `.git`. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (entry.name === '.git' && rel === '') continue;
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk('');
  return out.sort(byCodeUnit);
}

/** The tree as `{ path: content }` (skipping `.git`). */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of listFiles(dir)) out[path] = readFileSync(join(dir, path), 'utf8');
  return out;
}

/** sha256 over every path and content, in code-unit order: equal hashes mean byte-identical trees. */
export function hashTree(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(files).sort(byCodeUnit)) {
    hash.update(path);
    hash.update('\0');
    hash.update(files[path]);
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function hashDir(dir: string): string {
  return hashTree(readTree(dir));
}

/** The moment of the initial commit; commit n of a churn trace is n minutes later. */
export const BASE_COMMIT_EPOCH = 1_735_689_600; // 2025-01-01T00:00:00Z

function gitEnv(commitIndex: number): NodeJS.ProcessEnv {
  const date = `${BASE_COMMIT_EPOCH + commitIndex * 60} +0000`;
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Bench Generator',
    GIT_AUTHOR_EMAIL: 'bench@codegenie.invalid',
    GIT_COMMITTER_NAME: 'Bench Generator',
    GIT_COMMITTER_EMAIL: 'bench@codegenie.invalid',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
}

function git(dir: string, args: string[], commitIndex = 0): string {
  return execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    env: gitEnv(commitIndex),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function initRepository(dir: string): string {
  git(dir, ['init', '-q', '-b', 'main']);
  return commitAll(dir, 'Initial commit', 0);
}

/**
 * Stages everything and commits with the fixed identity and a date derived from `commitIndex`,
 * so the same sequence of changes gives the same commit hashes. Returns the new HEAD.
 */
export function commitAll(dir: string, message: string, commitIndex: number): string {
  git(dir, ['add', '-A'], commitIndex);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message], commitIndex);
  return git(dir, ['rev-parse', 'HEAD'], commitIndex);
}
