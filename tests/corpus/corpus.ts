/**
 * The shared corpus (`../shared/corpus`, beside this checkout): real manifests and lockfiles with
 * facts read off them. Absent on a user's clone — tests that use it skip.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const CORPUS = join(resolve(__dirname, '../../../shared'), 'corpus');

export const corpusRepos: string[] = existsSync(CORPUS)
  ? readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** files.txt as empty files, then the copied data files (`tree/`) over them. */
export function materialize(repo: string): { tree: Record<string, string | Buffer>; listed: string[] } {
  const repoDir = join(CORPUS, repo);
  const listed = readFileSync(join(repoDir, 'files.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
  const tree: Record<string, string | Buffer> = {};
  for (const p of listed) tree[p] = '';
  const treeDir = join(repoDir, 'tree');
  if (existsSync(treeDir)) for (const full of walk(treeDir)) tree[relative(treeDir, full).split('\\').join('/')] = readFileSync(full);
  return { tree, listed };
}

export function facts<T = Record<string, unknown>>(repo: string): T {
  return JSON.parse(readFileSync(join(CORPUS, repo, 'facts.json'), 'utf8')) as T;
}
