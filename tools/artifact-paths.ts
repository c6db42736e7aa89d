/** Where a scope's artifacts live. Paths are relative to the workspace root and `/`-separated. */
import { posix } from 'node:path';

export const CONTEXT_DIR = '.codegenie/context';
export const RAW_DIR = 'raw';
export const CONTEXT_FILE = 'repo-context.yaml';
export const VIEWS_FILE = 'views.json';
/** Run statistics: outside `context/` and never a task output, so they are never cached. */
export const STATS_DIR = '.codegenie/stats';

/**
 * In a state workspace (`codegenie gather <path>`): the repository's file listing, NUL-separated
 * paths relative to the repository root, at the workspace root. The file index reads it instead of
 * Nx's walker, which is kept from seeing the repository's own Nx files.
 */
export const REPOSITORY_LISTING_FILE = 'repository-files.list';

export interface ArtifactPaths {
  contextDir: string;
  rawDir: string;
  contextFile: string;
  viewsFile: string;
  statsDir: string;
  raw(probe: string): string;
}

/** Artifact paths for the scope rooted at `scopeRoot` (`''` = the repository). */
export function artifactPaths(scopeRoot: string): ArtifactPaths {
  const join = (...parts: string[]) => posix.join(...parts.filter(Boolean));
  const contextDir = join(scopeRoot, CONTEXT_DIR);
  const rawDir = join(contextDir, RAW_DIR);
  return {
    contextDir,
    rawDir,
    contextFile: join(contextDir, CONTEXT_FILE),
    viewsFile: join(contextDir, VIEWS_FILE),
    statsDir: join(scopeRoot, STATS_DIR),
    raw: (probe) => join(rawDir, `${probe}.json`),
  };
}
