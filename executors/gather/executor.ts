/** Nx executor for `gather`: merges one scope's probe outputs into the context artifacts. */
import type { ExecutorContext } from '@nx/devkit';
import { gather } from '../../tools/gather/gather';
import { artifactPaths } from '../../tools/artifact-paths';
import { codegenieVersion } from '../../tools/package-root';
import { loadProbes } from '../../tools/registry';

export default async function gatherExecutor(options: { scope: string }, context: ExecutorContext): Promise<{ success: boolean }> {
  const scopeRoot = options.scope ?? '';
  try {
    const { views } = gather({ workspaceRoot: context.root, scopeRoot, probes: loadProbes(), codegenieVersion: codegenieVersion() });
    const paths = artifactPaths(scopeRoot);
    process.stdout.write(
      `codegenie gather: wrote ${paths.contextFile} and ${paths.viewsFile} ` +
        `(confidence ${views.confidence_summary.overall}, ${views.risk_flags.length} risk flag(s), ${views.available_skills.length} skill(s))\n`,
    );
    return { success: true };
  } catch (err) {
    process.stderr.write(`codegenie gather failed for ${scopeRoot || 'the repository'}: ${(err as Error).message}\nPrevious artifacts were left as they were.\n`);
    return { success: false };
  }
}
