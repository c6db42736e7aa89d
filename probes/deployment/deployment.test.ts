import { join } from 'node:path';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../tools/catalog';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { applyByteMutations, byteMutations, parsedValues } from '../../tests/helpers/probe-properties';
import { composeServices } from './compose';
import { classifyFiles } from './extract';
import type { DeploymentCatalog } from './extract';
import { chartFacts, valuesImages } from './helm';
import { kustomizationFacts } from './kustomize';
import { manifestFacts } from './kubernetes';
import { appEngineFacts, serverlessFacts, vercelFacts } from './paas';
import probe from './index';

const FIXTURE = join(__dirname, '../../fixtures/deployment/full-stack');
const validate = sliceValidator('deployment');
const catalog = loadCatalog<DeploymentCatalog>('deployment');

function expectValid(slice: unknown) {
  expect(validate(slice)).toEqual([]);
}

describe('deployment probe over the full-stack fixture', () => {
  it('finds every format; the slice matches its schema', async () => {
    const result = await runProbeInMemory(probe, fixtureTree(FIXTURE));
    const slice = result.slice as Record<string, any>;
    expect(result.errors).toEqual([]);
    // serverless.yml's `!Ref` is an unknown YAML tag: a warning, never an error.
    expect(result.warnings?.map((w) => [w.code, w.file])).toEqual([['yaml-warning', 'functions/serverless.yml']]);
    expect(slice.detected).toEqual(['app-engine', 'compose', 'docker', 'fly', 'helm', 'kubernetes', 'kustomize', 'netlify', 'procfile', 'serverless', 'terraform', 'vercel']);
    expect(slice.dockerfiles.map((d: { file: string }) => d.file)).toEqual(['Dockerfile', 'Dockerfile.migrations', 'apps/worker/Dockerfile', 'docker/dev.Dockerfile']);
    expect(slice.compose.map((c: { file: string }) => c.file)).toEqual(['compose.override.yaml', 'docker-compose.yml']);
    expect(slice.helm).toHaveLength(1);
    expect(slice.helm[0].values.map((v: { file: string }) => v.file)).toEqual(['deploy/helm/acme-api/values-production.yaml', 'deploy/helm/acme-api/values.yaml']);
    // Helm templates are never read as manifests; kustomize bases are.
    expect(slice.kubernetes.files).toEqual(['deploy/kustomize/base/deployment.yaml', 'deploy/kustomize/base/service.yaml', 'k8s/jobs.yml', 'k8s/workloads.yaml']);
    expect(slice.kubernetes.workloads.map((w: { kind: string; name: string }) => `${w.kind}/${w.name}`)).toEqual([
      'Deployment/acme-api',
      'Job/seed',
      'DaemonSet/log-shipper',
      'Deployment/acme-api',
      'CronJob/nightly-report',
    ]);
    expect(slice.paas.map((p: { platform: string }) => p.platform)).toEqual(['procfile', 'app-engine', 'vercel', 'netlify', 'fly', 'serverless']);
    expect(slice.terraform).toEqual({ status: 'skipped', file_count: 1 });
    expect(slice.node_majors).toEqual([20]);
    const unpinned = slice.images.filter((i: { pin: string }) => i.pin === 'none' || i.pin === 'floating').map((i: { ref: string }) => i.ref);
    expect(unpinned).toEqual(['ghcr.io/acme/api', 'ghcr.io/acme/worker:latest', 'mailhog/mailhog', 'node', 'node:lts', 'otel/opentelemetry-collector-contrib:latest']);
    expectValid(slice);
  });

  it('parses Terraform only with the terraform option', async () => {
    const tree = fixtureTree(FIXTURE);
    const off = await runProbeInMemory(probe, tree);
    const on = await runProbeInMemory(probe, tree, { options: { terraform: true } });
    expect((on.slice as Record<string, any>).terraform).toEqual({
      status: 'parsed',
      file_count: 1,
      resource_types: { aws_ecs_cluster: 1, aws_ecs_service: 1, aws_ecs_task_definition: 1 },
      modules: [{ file: 'infra/main.tf', name: 'vpc', source: 'terraform-aws-modules/vpc/aws' }],
      images: ['ghcr.io/acme/api:3.4.0'],
    });
    expect((off.slice as Record<string, any>).images.find((i: { ref: string }) => i.ref === 'ghcr.io/acme/api:3.4.0').files).not.toContain('infra/main.tf');
    expectValid(on.slice);
    // A truthy but non-`true` option value does not switch it on.
    const odd = await runProbeInMemory(probe, tree, { options: { terraform: 'yes' } });
    expect((odd.slice as Record<string, any>).terraform.status).toBe('skipped');
  });

  it('gives byte-identical output whatever order the files come in', async () => {
    const tree = fixtureTree(FIXTURE);
    const a = await runProbeInMemory(probe, tree);
    const b = await runProbeInMemory(probe, Object.fromEntries(Object.entries(tree).reverse()));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('malformed input never crashes the probe', () => {
  const BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  it('bad YAML, JSON, TOML, binary and oversized files are reported per file; the rest is read', async () => {
    const result = await runProbeInMemory(
      probe,
      {
        'docker-compose.yml': BOMB,
        'charts/api/Chart.yaml': 'name: api\n\tversion: 1\n',
        'charts/api/values.yaml': 'image: { repository: acme/api, tag: "1" }\n',
        'k8s/dup.yaml': 'kind: Deployment\nkind: Pod\nspec: { containers: [{ image: a:1 }] }\n',
        'k8s/huge.yaml': 'kind: Pod\n' + '#'.repeat(3000),
        'vercel.json': '{ "buildCommand": ',
        'netlify.toml': '[build\ncommand = npm run build\n',
        'Dockerfile': Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x00, 0xff]),
        'api/Dockerfile': 'FROM node:22-alpine\nCMD ["node", "index.js"]\n',
      },
      { maxFileBytes: 2000 },
    );
    const slice = result.slice as Record<string, any>;
    expect(result.errors?.map((e) => [e.code, e.file])).toEqual([
      ['binary-file', 'Dockerfile'],
      ['parse-error', 'charts/api/Chart.yaml'],
      ['parse-error', 'docker-compose.yml'],
      ['file-too-large', 'k8s/huge.yaml'],
      ['parse-error', 'vercel.json'],
    ]);
    // Duplicate keys are reported (the shared YAML parser's rule), and the file is still read.
    expect(result.warnings?.map((w) => [w.code, w.file])).toEqual([
      ['yaml-warning', 'k8s/dup.yaml'],
      ['toml-unread-lines', 'netlify.toml'],
    ]);
    expect(slice.dockerfiles.map((d: { file: string }) => d.file)).toEqual(['api/Dockerfile']);
    expect(slice.helm[0]).toMatchObject({ parsed: false, name: null, values: [{ file: 'charts/api/values.yaml' }] });
    // Duplicate keys: the last one wins.
    expect(slice.kubernetes.workloads).toEqual([expect.objectContaining({ file: 'k8s/dup.yaml', kind: 'Pod' })]);
    expect(slice.node_majors).toEqual([22]);
    expectValid(slice);
  });

  it('templated YAML in a manifest folder outside a chart is skipped with a warning', async () => {
    const result = await runProbeInMemory(probe, { 'deploy/web.yaml': 'kind: Deployment\nmetadata:\n  name: {{ .Values.name }\n  {{- if .x }}\n' });
    expect(result.errors).toEqual([]);
    expect(result.warnings?.map((w) => w.code)).toEqual(['templated-yaml']);
    expect((result.slice as Record<string, any>).kubernetes.templated_files).toEqual(['deploy/web.yaml']);
  });

  it('a generic app.yaml inside a manifest folder is a manifest; elsewhere it is App Engine', async () => {
    const result = await runProbeInMemory(probe, {
      'k8s/app.yaml': 'kind: Pod\nspec: { containers: [{ image: "node:22" }] }\n',
      'svc/app.yaml': 'runtime: nodejs22\n',
    });
    const slice = result.slice as Record<string, any>;
    expect(slice.kubernetes.files).toEqual(['k8s/app.yaml']);
    expect(slice.paas.map((p: { file: string }) => p.file)).toEqual(['svc/app.yaml']);
  });

  it('a large legal manifest (3,000 documents) is read whole', async () => {
    const doc = (i: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app-${i} }\nspec:\n  template:\n    spec:\n      containers: [{ name: c, image: "acme/app-${i % 7}:1.${i % 3}" }]\n`;
    const result = await runProbeInMemory(probe, { 'k8s/all.yaml': Array.from({ length: 3000 }, (_, i) => doc(i)).join('---\n') });
    const slice = result.slice as Record<string, any>;
    expect(result.errors).toEqual([]);
    expect(slice.kubernetes.kinds).toEqual({ Deployment: 3000 });
    expect(slice.kubernetes.workloads).toHaveLength(3000);
    expect(slice.images).toHaveLength(21);
  });

  it('a Dockerfile without FROM is a warning', async () => {
    const result = await runProbeInMemory(probe, { Dockerfile: '# nothing here\nRUN echo\n' });
    expect(result.errors).toEqual([]);
    expect(result.warnings?.map((w) => w.code)).toEqual(['instruction-before-from', 'no-from']);
    expectValid(result.slice);
  });
});

describe('declared inputs', () => {
  const inInputs = inputMatcher(probe.inputs);
  const segment = fc.constantFrom('deploy', 'k8s', 'charts', 'api', 'templates', 'node_modules', '.terraform', 'src', 'docker', 'infra', 'manifests', 'a b');
  const name = fc.constantFrom('Dockerfile', 'api.Dockerfile', 'web.dockerfile', 'Dockerfile.prod', 'Dockerfile.dockerignore', 'docker-compose.yml', 'compose.prod.yaml', 'Chart.yaml', 'values.yaml', 'values-prod.yml', 'kustomization.yaml', 'Kustomization', 'x.yaml', 'x.yml', 'vercel.json', 'netlify.toml', 'fly.toml', 'Procfile', 'app.yaml', 'serverless.yml', 'main.tf', 'README.md', 'index.ts', 'package.json', 'compose.ts');
  const path = fc.tuple(fc.array(segment, { maxLength: 3 }), name).map(([dirs, file]) => [...dirs, file].join('/'));

  it('cover every path the catalog recognises, and nothing under node_modules', () => {
    const allGlobs = [...Object.values(catalog.formats).flat(), ...catalog.paas.map((p) => `**/${p.file}`)];
    const recognised = picomatch(allGlobs, { dot: true });
    const notDockerfile = picomatch(catalog.notFormats.dockerfile, { dot: true });
    fc.assert(
      fc.property(path, (p) => {
        const noise = p.split('/').includes('node_modules') || p.split('/').includes('.terraform');
        if (recognised(p) && !noise && !notDockerfile(p)) expect(inInputs(p)).toBe(true);
        if (inInputs(p)) expect(recognised(p)).toBe(true);
        if (noise) expect(inInputs(p)).toBe(false);
      }),
      { numRuns: 3000 },
    );
    expect(inInputs('Dockerfile.dockerignore')).toBe(false);
  });

  it('every file the probe classifies is among its inputs', () => {
    fc.assert(
      fc.property(fc.uniqueArray(path, { maxLength: 30 }), (paths) => {
        const files = paths.filter(inInputs);
        for (const list of classifyFiles(files, catalog).values()) for (const f of list) expect(inInputs(f)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('changing any file outside the inputs leaves the output byte-identical', async () => {
    const base = fixtureTree(FIXTURE);
    const outside = fc.tuple(path, fc.string({ maxLength: 200 })).filter(([p]) => !inInputs(p));
    await fc.assert(
      fc.asyncProperty(fc.array(outside, { maxLength: 8 }), fc.boolean(), async (extra, terraform) => {
        const withExtra = { ...base, ...Object.fromEntries(extra) };
        const mutated: Record<string, string | Buffer> = { ...base, ...Object.fromEntries(extra.map(([p, c]) => [p, c + 'FROM changed\n'])) };
        for (const file of Object.keys(base)) if (!inInputs(file)) mutated[file] = Buffer.from('mutated');
        const options = { options: { terraform } };
        const a = await runProbeInMemory(probe, withExtra, options);
        const b = await runProbeInMemory(probe, mutated, options);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 25 },
    );
  });
});

describe('fuzzing the YAML walkers and the probe', () => {
  const value = parsedValues(
    ['services', 'image', 'build', 'ports', 'context', 'target', 'published', 'repository', 'tag', 'digest', 'registry', 'name', 'kind', 'spec', 'template', 'containers', 'initContainers', 'items', 'metadata', 'images', 'newTag', 'newName', 'resources', 'bases', 'dependencies', 'functions', 'provider', 'runtime', 'handler', '<<', 'sidecarImage', 'constructor', '__proto__', ''],
    [null, true, 3, '1.10', '', 'node:20', 'nginx@sha256:x', '${TAG:-1}', '{{ x }}'],
    16,
  );

  it('each reader takes any parsed value without throwing, deterministically', () => {
    const imageKeys = catalog.helmImageKeys.map((p) => new RegExp(p));
    const readers: Array<(v: unknown) => unknown> = [
      composeServices,
      chartFacts,
      (v) => valuesImages(v, imageKeys),
      kustomizationFacts,
      (v) => manifestFacts([v, v], catalog.workloadKinds),
      (v) => vercelFacts('vercel.json', v),
      (v) => appEngineFacts('app.yaml', v) ?? null,
      (v) => serverlessFacts('serverless.yml', v),
    ];
    fc.assert(
      fc.property(fc.nat(readers.length - 1), value, (i, doc) => {
        const a = JSON.stringify(readers[i](doc));
        expect(JSON.stringify(readers[i](doc))).toBe(a);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated real deployment files never crash the probe and keep the slice valid', async () => {
    const tree = fixtureTree(FIXTURE);
    const files = Object.keys(tree).filter(inputMatcher(probe.inputs));
    await fc.assert(
      fc.asyncProperty(byteMutations(files), fc.boolean(), async (mutations, terraform) => {
        const mutated = applyByteMutations(tree, mutations);
        const result = await runProbeInMemory(probe, mutated, { options: { terraform } });
        expectValid(result.slice);
        expect(JSON.stringify(await runProbeInMemory(probe, mutated, { options: { terraform } }))).toBe(JSON.stringify(result));
      }),
      { numRuns: 60 },
    );
  });
});
