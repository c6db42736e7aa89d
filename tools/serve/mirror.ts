/**
 * Git access for watched repositories: a bare mirror the service owns (`git clone --mirror`,
 * `git fetch` when a pushed commit is missing), or a local git directory used as it is.
 * Only git plumbing runs here; nothing from the repository is executed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function git(gitDir: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('git', [`--git-dir=${gitDir}`, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return stdout.trim();
}

/** The git directory of a local repository (a bare repo or a work tree's `.git`). */
export async function localGitDir(path: string): Promise<string> {
  const { stdout } = await run('git', ['-C', path, 'rev-parse', '--absolute-git-dir'], { timeout: 10_000 });
  return stdout.trim();
}

export async function cloneMirror(url: string, dest: string): Promise<void> {
  await run('git', ['clone', '--mirror', '--quiet', url, dest], { timeout: 600_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
}

export async function hasCommit(gitDir: string, rev: string): Promise<boolean> {
  try {
    await git(gitDir, ['cat-file', '-e', `${rev}^{commit}`], 10_000);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a rev to a full sha, or undefined when the mirror does not have it. */
export async function resolveCommit(gitDir: string, rev: string): Promise<string | undefined> {
  try {
    return await git(gitDir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], 10_000);
  } catch {
    return undefined;
  }
}

/**
 * Makes `rev` present in a managed mirror: a mirror fetch (all refs) first, then, for a commit
 * no ref names (a fork's PR head), a fetch of that sha.
 */
export async function ensureCommit(gitDir: string, rev: string, managed: boolean): Promise<string> {
  const known = await resolveCommit(gitDir, rev);
  if (known && (!managed || /^[0-9a-f]{40}$/.test(rev))) return known;
  if (managed) {
    await git(gitDir, ['fetch', '--quiet', '--prune', 'origin']);
    let sha = await resolveCommit(gitDir, rev);
    if (!sha && /^[0-9a-f]{40}$/.test(rev)) {
      await git(gitDir, ['fetch', '--quiet', 'origin', rev]);
      sha = await resolveCommit(gitDir, rev);
    }
    if (sha) return sha;
  }
  throw new Error(`commit ${rev} is not in the repository`);
}
