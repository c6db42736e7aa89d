import { fileIndexCatalog, noiseExclusionGlobs } from '../../tools/file-index';
import { registerProbe } from '../../tools/registry';
import { CI_FILE_GLOBS } from './package-manager-sources';

export default registerProbe({
  name: 'build-system',
  version: '2',
  description: 'Package manager and version, lockfiles, Node version constraints, classified scripts, bundlers, TypeScript configs.',
  // Contents read: the root package.json, the root Node version files and every tsconfig*.json
  // outside noise folders (the same folders the file index leaves out). Lockfiles and bundler
  // config files matter by presence only, so they come from the file index, not from inputs:
  // a dependency bump that rewrites the lockfile does not re-run this probe.
  inputs: [
    'package.json',
    '.nvmrc',
    '.node-version',
    '.tool-versions',
    // Read only when no packageManager field or root lockfile decides (package-manager-sources.ts).
    '.npmrc',
    ...CI_FILE_GLOBS,
    '**/tsconfig*.json',
    ...noiseExclusionGlobs(fileIndexCatalog().noiseDirs),
  ],
  usesFileIndex: true,
  heaviness: 'light',
  run: async (ctx) => (await import('./extract')).extractBuildSystem(ctx),
});
