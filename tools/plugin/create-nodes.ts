/**
 * The plugin entry: infers codegenie targets.
 * - `nx.json` at the workspace root → a project (default name `repo`) rooted at `.codegenie`, a
 *   folder of its own, so it never merges with or renames a root `package.json` project.
 * - each workspace package (package.json matched by the workspace globs) and each `project.json`
 *   project → the same targets scoped to that package's root, added to the existing project
 *   (no name given, so whatever other plugins call it stands).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createNodesFromFiles, type CreateNodesContext, type CreateNodesResult, type CreateNodesV2 } from '@nx/devkit';
import { fileIndexCatalog } from '../file-index';
import { codegenieVersion } from '../package-root';
import { loadProbes } from '../registry';
import { workspaceGlobsFrom, workspacePackageMatcher } from '../workspaces';
import { normalizeOptions, type CodegenieOptions, type NormalizedOptions } from './options';
import { fingerprintNodes, packageScope, repoScope, scopeTargets } from './targets';

const PROJECT_FILES = '{nx.json,**/package.json,**/project.json}';

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The workspace-package predicate, computed once per graph computation. */
function packageMatcher(workspaceRoot: string): (packageJsonPath: string) => boolean {
  const globs = workspaceGlobsFrom(
    readOptional(join(workspaceRoot, 'package.json')),
    readOptional(join(workspaceRoot, 'pnpm-workspace.yaml')),
  );
  return globs ? workspacePackageMatcher(globs.globs) : () => false;
}

function nodesFor(
  file: string,
  options: NormalizedOptions,
  isWorkspacePackage: (path: string) => boolean,
): CreateNodesResult {
  const probes = loadProbes();
  const { noiseDirs } = fileIndexCatalog();
  const version = codegenieVersion();
  if (file === 'nx.json') {
    return {
      projects: {
        '.codegenie': {
          name: options.projectName,
          root: '.codegenie',
          tags: ['codegenie'],
          targets: scopeTargets(repoScope(options.repositoryRoot), probes, options, noiseDirs, version),
          metadata: { description: 'codegenie: the repository-level context gather' },
        },
      },
      externalNodes: fingerprintNodes(probes, options, version),
    };
  }
  const root = dirname(file);
  // A state workspace gathers the repository scope only: its manifests are not Nx projects there.
  if (!options.packages || options.repositoryRoot || root === '.') return {};
  const isProject = file.endsWith('/project.json') || isWorkspacePackage(file);
  if (!isProject || root.split('/').some((part) => part === 'node_modules' || part === '.codegenie')) return {};
  return { projects: { [root]: { root, targets: scopeTargets(packageScope(root), probes, options, noiseDirs, version) } } };
}

export const createNodesV2: CreateNodesV2<CodegenieOptions> = [
  PROJECT_FILES,
  async (files, rawOptions, context: CreateNodesContext) => {
    const options = normalizeOptions(rawOptions);
    const isWorkspacePackage = packageMatcher(context.workspaceRoot);
    return createNodesFromFiles((file) => nodesFor(file, options, isWorkspacePackage), files, options, context);
  },
];
