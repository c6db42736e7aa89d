import { registerProbe } from '../../tools/registry';

export default registerProbe({
  name: 'ci',
  version: '1',
  description: 'CI systems and, for every pipeline, its triggers, jobs, Node versions, images and classified commands.',
  // Kept in step with catalogs/ci-systems.yaml; a test checks every catalog glob is covered.
  // CI configuration lives at the repository root, so the probe runs for the root project only.
  inputs: [
    '.github/workflows/*.{yml,yaml}',
    '.circleci/config.{yml,yaml}',
    '.gitlab-ci.{yml,yaml}',
    'Jenkinsfile',
    'Jenkinsfile.*',
    '*.jenkinsfile',
    '*.Jenkinsfile',
    'azure-pipelines.{yml,yaml}',
    '.azure-pipelines/**/*.{yml,yaml}',
    '.travis.{yml,yaml}',
    'bitbucket-pipelines.{yml,yaml}',
    '.buildkite/*.{yml,yaml,json}',
    'buildkite.{yml,yaml,json}',
  ],
  heaviness: 'light',
  repoOnly: true,
  run: async (ctx) => (await import('./extract')).extractCi(ctx),
});
