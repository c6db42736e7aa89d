/** What the lockfile writers need beyond the package graph, and what a dependency bump changes. */

export type PackageManager = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';

export const PACKAGE_MANAGERS: readonly PackageManager[] = ['npm', 'pnpm', 'yarn-classic', 'yarn-berry', 'bun'];

export const LOCKFILE_NAMES: Record<PackageManager, string> = {
  npm: 'package-lock.json',
  pnpm: 'pnpm-lock.yaml',
  'yarn-classic': 'yarn.lock',
  'yarn-berry': 'yarn.lock',
  bun: 'bun.lock',
};

export interface LockfileContext {
  /** The root manifest's `license`, echoed by npm's root entry. */
  license?: string;
  /** The root manifest's `workspaces` globs (npm records them in its root entry). */
  workspaceGlobs?: readonly string[];
  /** The root manifest's `engines.node`. */
  nodeEngine?: string;
}

/** One direct dependency moved to a new version, in one importer's manifest and in the lockfile. */
export interface BumpEdit {
  /** The importer whose manifest declared the bumped range ('' for the root). */
  importerPath: string;
  name: string;
  oldVersion: string;
  newVersion: string;
  oldRange: string;
  newRange: string;
  newIntegrity: string;
}
