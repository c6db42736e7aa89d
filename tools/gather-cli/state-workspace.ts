/**
 * The per-repository state folder `codegenie gather <path>` runs Nx in, outside the repository:
 *
 *   <stateDir>/repos/<id>/
 *     workspace/                   the Nx workspace: OUR nx.json, package.json, .nxignore,
 *       node_modules -> codegenie's own install, repository-files.list, and
 *       repo/                      the repository's files (hard links; copies across devices)
 *     context/                     default --out
 *     record.json                  the last good gather (fast path, cached-only staleness)
 *
 * Why a subfolder and our own manifests: Nx always loads its default plugins, which read workspace
 * globs from the workspace root's package.json and make a project of every project.json they see.
 * With our root package.json (no workspaces) and a .nxignore hiding the repository's project.json /
 * nx.json files, none of the repository's manifests becomes an Nx project (BOM manifests,
 * duplicate package names, pnpm lockfiles with nothing installed all stop mattering), and no
 * plugin named by the repository is loaded. Nx's walker does not follow a symlinked folder, hence
 * links per file. Nothing is ever written through a link: Nx and codegenie write outputs under
 * repo/.codegenie/, which is never materialised, and replace files by rename.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { REPOSITORY_LISTING_FILE } from '../artifact-paths';
import { packageRoot } from '../package-root';
import { gitEnv } from './listing';

export const REPO_SUBFOLDER = 'repo';

export interface StateLayout {
  /** <stateDir>/repos/<id> */
  root: string;
  workspace: string;
  /** workspace/repo */
  repoDir: string;
  defaultOut: string;
  record: string;
  scratchGitDir: string;
}

/** A readable, collision-safe id: the folder's name plus a short hash of its real path (and rev mode). */
export function repositoryId(realPath: string, revMode: boolean): string {
  const slug = basename(realPath).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 40) || 'repo';
  const hash = createHash('sha256').update(`${realPath}${revMode ? '\0rev' : ''}`).digest('hex').slice(0, 12);
  return `${slug}-${hash}${revMode ? '-rev' : ''}`;
}

export function stateLayout(stateDir: string, id: string): StateLayout {
  const root = join(stateDir, 'repos', id);
  const workspace = join(root, 'workspace');
  return {
    root,
    workspace,
    repoDir: join(workspace, REPO_SUBFOLDER),
    defaultOut: join(root, 'context'),
    record: join(root, 'record.json'),
    scratchGitDir: join(root, 'listing.git'),
  };
}

/**
 * The node_modules folder holding codegenie's own nx (and codegenie itself): the nearest one above
 * codegenie's package root that has nx, found without resolving symlinks (an install made of links
 * must keep pointing at itself); else where node resolves nx from here.
 */
export function installNodeModules(): string {
  let dir = packageRoot();
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, 'nx', 'package.json'))) return candidate;
    if (basename(dirname(dir)) === 'node_modules' && existsSync(join(dirname(dir), 'nx', 'package.json'))) return dirname(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return dirname(dirname(require.resolve('nx/package.json')));
}

export const STATE_NX_JSON = {
  $comment: 'Written by codegenie gather: the workspace around a gathered repository. Regenerated on every gather.',
  // Any repository may be large: a per-probe deadline of 2 minutes rather than 30 s (scheduling
  // knobs never enter a task hash, so the artifacts stay those of the in-place path).
  plugins: [{ plugin: 'codegenie', options: { repositoryRoot: REPO_SUBFOLDER, packages: false, timeoutMs: 120_000 } }],
  pluginsConfig: { '@nx/js': { analyzeLockfile: false } },
  neverConnectToCloud: true,
  useDaemonProcess: false,
};

/**
 * Our ignore rules for Nx's walker (gitignore syntax). The repository's own project.json / nx.json
 * files would become projects (and their plugins run); its outputs are ours.
 */
export const STATE_NXIGNORE = ['/repo/**/project.json', '/repo/**/nx.json', '/repo/.codegenie/', 'node_modules', '/.nx/', ''].join('\n');

function writeIfChanged(path: string, text: string): void {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    /* absent */
  }
  writeFileAtomic(path, text);
}

/** Creates or refreshes the workspace's own files (never the repository's). */
export function prepareWorkspace(layout: StateLayout, nodeModules: string = installNodeModules()): void {
  mkdirSync(layout.repoDir, { recursive: true });
  writeIfChanged(join(layout.workspace, 'nx.json'), `${JSON.stringify(STATE_NX_JSON, null, 2)}\n`);
  writeIfChanged(
    join(layout.workspace, 'package.json'),
    `${JSON.stringify({ name: 'codegenie-state-workspace', private: true, $comment: 'no workspaces: the repository\'s packages are not Nx projects here' }, null, 2)}\n`,
  );
  writeIfChanged(join(layout.workspace, '.nxignore'), STATE_NXIGNORE);
  const link = join(layout.workspace, 'node_modules');
  let current: string | undefined;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== nodeModules) {
    rmSync(link, { force: true, recursive: false });
    symlinkSync(nodeModules, link, 'dir');
  }
}

export function writeListing(layout: StateLayout, paths: readonly string[]): void {
  writeIfChanged(join(layout.workspace, REPOSITORY_LISTING_FILE), paths.map((p) => `${p}\0`).join(''));
}

/** Same file as far as an incremental sync can tell: a hard link (same inode), or a copy of equal size and mtime. */
function sameFile(src: Stats, dst: Stats): boolean {
  if (src.isSymbolicLink() !== dst.isSymbolicLink()) return false;
  if (src.dev === dst.dev && src.ino === dst.ino) return true;
  return !src.isSymbolicLink() && src.size === dst.size && Math.trunc(src.mtimeMs) === Math.trunc(dst.mtimeMs);
}

function place(src: string, dst: string, stat: Stats): void {
  mkdirSync(dirname(dst), { recursive: true });
  if (stat.isSymbolicLink()) {
    // Recreated, not linked: the target text is all a probe could learn (symlinks are never followed).
    symlinkSync(readlinkSync(src), dst);
    return;
  }
  try {
    linkSync(src, dst);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    copyFileSync(src, dst);
    utimesSync(dst, stat.atime, stat.mtime);
  }
}

function walkFiles(dir: string, prefix: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (!prefix && e.name === '.codegenie') continue; // our outputs live here
    if (e.isDirectory()) walkFiles(join(dir, e.name), rel, out);
    else out.push(rel);
  }
}

function removeEmptyDirs(dir: string, isRoot = true): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  let empty = true;
  for (const e of entries) {
    if (isRoot && e.name === '.codegenie') {
      empty = false;
      continue;
    }
    if (e.isDirectory() && removeEmptyDirs(join(dir, e.name), false)) continue;
    empty = false;
  }
  if (empty && !isRoot) rmdirSync(dir);
  return empty;
}

export interface SyncStats {
  linked: number;
  removed: number;
  kept: number;
}

/**
 * Makes `repoDir` hold exactly `paths` from `source`: new or replaced files linked (or copied),
 * files no longer listed removed. Unchanged links stay, so Nx's file-hash cache stays warm.
 */
export function syncFromWorkTree(source: string, repoDir: string, paths: readonly string[]): SyncStats {
  const stats: SyncStats = { linked: 0, removed: 0, kept: 0 };
  const wanted = new Set(paths);
  const present: string[] = [];
  walkFiles(repoDir, '', present);
  for (const rel of present) {
    if (!wanted.has(rel)) {
      unlinkSync(join(repoDir, rel));
      stats.removed++;
    }
  }
  for (const rel of paths) {
    const src = join(source, rel);
    let s: Stats;
    try {
      s = lstatSync(src);
    } catch {
      continue; // vanished since the listing
    }
    if (!s.isFile() && !s.isSymbolicLink()) continue;
    const dst = join(repoDir, rel);
    let d: Stats | undefined;
    try {
      d = lstatSync(dst);
    } catch {
      d = undefined;
    }
    if (d && sameFile(s, d)) {
      stats.kept++;
      continue;
    }
    if (d) rmSync(dst, { recursive: true, force: true });
    place(src, dst, s);
    stats.linked++;
  }
  if (stats.removed > 0) removeEmptyDirs(repoDir);
  return stats;
}

/**
 * Writes a commit's files into `repoDir` from git's object store (`git archive`), never touching
 * the repository's work tree or index. The folder is emptied first (except our outputs).
 */
export async function materialiseRev(repoPath: string, commit: string, repoDir: string, paths: readonly string[]): Promise<void> {
  for (const entry of readdirSync(repoDir)) if (entry !== '.codegenie') rmSync(join(repoDir, entry), { recursive: true, force: true });
  if (paths.length === 0) return;
  const prefix = execFileSync('git', ['-C', repoPath, 'rev-parse', '--show-prefix'], { encoding: 'utf8', env: gitEnv() }).trim();
  const treeish = prefix ? `${commit}:${prefix.replace(/\/$/, '')}` : commit;
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['-C', repoPath, 'archive', '--format=tar', treeish], { stdio: ['ignore', 'pipe', 'pipe'], env: gitEnv() });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', repoDir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    archive.stderr.on('data', (d: Buffer) => (err += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    archive.stdout.pipe(tar.stdin);
    archive.on('error', reject);
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git archive | tar failed: ${err.trim()}`))));
  });
  // Keep exactly the listed files (the archive also holds ignore and env files we never materialise).
  const wanted = new Set(paths);
  const present: string[] = [];
  walkFiles(repoDir, '', present);
  for (const rel of present) if (!wanted.has(rel)) unlinkSync(join(repoDir, rel));
  removeEmptyDirs(repoDir);
  if (existsSync(join(repoDir, 'pax_global_header'))) unlinkSync(join(repoDir, 'pax_global_header'));
}
