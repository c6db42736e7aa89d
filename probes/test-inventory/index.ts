import { registerProbe } from '../../tools/registry';

export default registerProbe({
  name: 'test-inventory',
  version: '1',
  description: 'Test frameworks, test files per convention, smoke/e2e tests, coverage configuration and thresholds.',
  // Test files and framework config files matter by path only: they come from the file index.
  // Contents read: the root package.json (dependencies, scripts, jest/nyc/c8 keys) and the root
  // coverage-bearing configs, inspected as text/AST and never executed.
  inputs: [
    'package.json',
    '.nycrc',
    '.nycrc.{json,yml,yaml}',
    '.c8rc',
    '.c8rc.json',
    'jest.config.{js,cjs,mjs,ts,cts,mts,json}',
    'vitest.config.{js,cjs,mjs,ts,cts,mts}',
    'vite.config.{js,cjs,mjs,ts,cts,mts}',
  ],
  usesFileIndex: true,
  heaviness: 'light',
  run: async (ctx) => (await import('./extract')).extractTestInventory(ctx),
});
