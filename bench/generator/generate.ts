/** `generateRepo`: build the repository in memory, write it, optionally commit it. */
import type { PackageManager } from './lockfiles/types';
import { buildRepository, countLoc, type RepoSize, type Variant } from './repository';
import { hashTree, initRepository, writeTree } from './write-tree';

export interface GenerateOptions {
  /** Empty or missing folder to write into. */
  dir: string;
  seed: number | string;
  /** 'small' ≈ 3k lines, 'standard' ≈ 50k lines, or a target line count. */
  size: RepoSize;
  packageManager: PackageManager;
  variant: Variant;
  /** `git init` and one commit with a fixed identity and date (deterministic commit hash). */
  git: boolean;
  /** Unique packages in the lockfile (default 1,500). */
  lockfilePackages?: number;
}

export interface GenerateResult {
  dir: string;
  name: string;
  files: number;
  loc: number;
  lockfile: { path: string; packages: number; bytes: number };
  /** Workspace folders (monorepo variant), sorted. */
  workspaces: string[];
  testRunner: string;
  /** sha256 over all generated paths and contents (see `hashTree`). */
  treeHash: string;
  /** HEAD after the initial commit, when `git` was asked for. */
  commit: string | null;
}

export function generateRepo(options: GenerateOptions): GenerateResult {
  const model = buildRepository(options);
  writeTree(options.dir, model.files);
  const commit = options.git ? initRepository(options.dir) : null;
  return {
    dir: options.dir,
    name: model.name,
    files: Object.keys(model.files).length,
    loc: countLoc(model.files),
    lockfile: { path: model.lockfilePath, packages: model.lockedPackages, bytes: Buffer.byteLength(model.files[model.lockfilePath]) },
    workspaces: model.workspaces,
    testRunner: model.runner,
    treeHash: hashTree(model.files),
    commit,
  };
}
