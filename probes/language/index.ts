import { registerProbe } from '../../tools/registry';

export default registerProbe({
  name: 'language',
  version: '1',
  description: 'File counts per language, primary language, monorepo markers and tool.',
  // Paths come from the file index; only the root package.json is read (for `workspaces`).
  inputs: ['package.json'],
  usesFileIndex: true,
  heaviness: 'light',
  run: async (ctx) => (await import('./extract')).extractLanguage(ctx),
});
