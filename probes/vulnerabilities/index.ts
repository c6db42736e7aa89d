import { registerProbe } from '../../tools/registry';
import { storeFingerprint } from './fingerprint';

export default registerProbe({
  name: 'vulnerabilities',
  version: '1',
  description: "Runs last: matches the manifest probe's locked inventory against the OSV advisory store (npm), one check per locked package and version.",
  // Nothing from the repository: the manifest sibling's output, and the advisory store outside it.
  inputs: [],
  runsLast: true,
  heaviness: 'light',
  // The store's content hash enters this probe's fingerprint only: an import re-runs this probe alone.
  externalFingerprint: storeFingerprint,
  run: async (ctx) => (await import('./extract')).extractVulnerabilities(ctx),
});
