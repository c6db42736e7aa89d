import { registerProbe } from '../../tools/registry';

/**
 * Folders whose sources are not the project's own: the file index's noise folders
 * (`catalogs/file-index.yaml`; a test keeps the two lists in step), at any depth or, for names
 * that are often real source deeper down (`build`, `out`, `tmp`, `target`), at the root only.
 * All of `.yarn` (releases, SDKs, caches) is Yarn's, not the project's.
 */
const EXCLUDED_ANYWHERE = [
  '.git', '.codegenie', '.nx', 'node_modules', 'bower_components', 'jspm_packages', 'dist', 'coverage',
  '.nyc_output', '.next', '.nuxt', '.svelte-kit', '.astro', '.turbo', '.cache', '.parcel-cache', '.vercel',
  '.netlify', '.yarn', '.pnpm-store',
];
const EXCLUDED_AT_ROOT = ['build', 'out', 'tmp', 'target'];

export default registerProbe({
  name: 'scan',
  version: '1',
  description: 'Structural scan of JavaScript/TypeScript sources with the ast-grep rules in catalogs/scan-rules (feeds risk_flags).',
  inputs: [
    '**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}',
    // Declarations carry no runtime code; Yarn's generated PnP loader is not the project's source.
    '!**/*.d.{ts,mts,cts}',
    '!**/.pnp.{cjs,loader.mjs}',
    ...EXCLUDED_ANYWHERE.map((dir) => `!**/${dir}/**`),
    ...EXCLUDED_AT_ROOT.map((dir) => `!${dir}/**`),
  ],
  heaviness: 'heavy',
  run: async (ctx) => (await import('./scan')).runScan(ctx),
});
