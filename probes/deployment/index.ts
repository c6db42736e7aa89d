import { registerProbe } from '../../tools/registry';

export default registerProbe({
  name: 'deployment',
  version: '1',
  description: 'Dockerfiles, compose, Helm, Kustomize, Kubernetes manifests, PaaS descriptors and (opt-in) Terraform.',
  // Kept in step with catalogs/deployment.yaml (`formats`, `paas`); a test checks the catalog is covered.
  // `**/*.tf` is always an input, though Terraform is only read with the `terraform: true` option.
  inputs: [
    '**/Dockerfile',
    '**/*.Dockerfile',
    '**/*.dockerfile',
    '**/Dockerfile.*',
    '**/{docker-compose,compose}*.{yml,yaml}',
    '**/Chart.yaml',
    '**/values*.{yml,yaml}',
    '**/{kustomization,Kustomization}.{yml,yaml}',
    '**/Kustomization',
    '**/{k8s,kubernetes,kube,manifests,deploy,deployment,deployments,.k8s}/**/*.{yml,yaml}',
    '**/vercel.json',
    '**/netlify.toml',
    '**/fly.toml',
    '**/Procfile',
    '**/app.yaml',
    '**/serverless.{yml,yaml}',
    '**/*.tf',
    '!**/node_modules/**',
    '!**/.terraform/**',
    '!**/*.dockerignore',
  ],
  heaviness: 'light',
  run: async (ctx) => (await import('./extract')).extractDeployment(ctx),
});
