import { registerProbe } from '../../tools/registry';

export default registerProbe({
  name: 'manifest',
  version: '2',
  description: 'Workspace package.json files, every lockfile parsed into the locked inventory, native modules, frameworks, lockfile drift.',
  inputs: [
    '**/package.json',
    '**/package-lock.json',
    '**/npm-shrinkwrap.json',
    '**/pnpm-lock.yaml',
    '**/yarn.lock',
    '**/bun.lock',
    // Binary: listed (it tells which package manager is used), never read.
    '**/bun.lockb',
    'pnpm-workspace.yaml',
    // Installed or cached packages and our own output are not the repository's manifests.
    '!**/node_modules/**',
    '!**/bower_components/**',
    '!**/jspm_packages/**',
    '!**/.yarn/**',
    '!**/.pnpm-store/**',
    '!.codegenie/**',
    '!.nx/**',
  ],
  heaviness: 'medium',
  // Lockfiles of large monorepos reach tens of MB (a 50,000-package package-lock.json is ~18 MB).
  maxFileBytes: 64 * 1024 * 1024,
  run: async (ctx) => (await import('./extract')).extractManifest(ctx),
});
