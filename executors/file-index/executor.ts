/**
 * Writes the scope's file index. Its own, non-batched executor on purpose: Nx hashes the tasks
 * that depend on its output only after it finished, so a content-only edit (same paths, same
 * index bytes) lets every paths-only probe replay from cache (SPEC §8).
 */
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { artifactPaths } from '../../tools/artifact-paths';
import { writeFileAtomic } from '../../tools/atomic-write';
import { canonicalJson } from '../../tools/canonical-json';
import { buildFileIndex } from '../../tools/file-index';
import { listScopeFiles, nestedProjectRoots } from '../../tools/nx-files';

export default async function fileIndexExecutor(options: { scope: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  const scope = options.scope ?? '';
  const files = await listScopeFiles(context.root, scope, ['**/*'], nestedProjectRoots(context.projectGraph, scope));
  const index = buildFileIndex(files);
  writeFileAtomic(join(context.root, artifactPaths(scope).raw('file-index')), canonicalJson(index));
  process.stdout.write(`codegenie file-index: ${index.files.length} files (${index.excludedCount} noise files excluded)\n`);
  return { success: true };
}
