import { registerProbe } from '../../tools/registry';

export default registerProbe({
  name: 'index-health',
  version: '1',
  description:
    'Runs last: reads the sibling envelopes and reports their confidence and errors, lockfile drift and integrity, multiple lockfiles, and work probes skipped.',
  // Nothing from the repository: only the siblings' outputs (Nx dependent task outputs).
  inputs: [],
  runsLast: true,
  heaviness: 'light',
  run: async (ctx) => (await import('./extract')).extractIndexHealth(ctx),
});
