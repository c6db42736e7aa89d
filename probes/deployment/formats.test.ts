import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadCatalog } from '../../tools/catalog';
import { composeServices } from './compose';
import { DEPLOYMENT_YAML } from './extract';
import type { DeploymentCatalog } from './extract';
import { chartFacts, valuesImages } from './helm';
import { kustomizationFacts } from './kustomize';
import { manifestFacts } from './kubernetes';
import { appEngineFacts, flyFacts, netlifyFacts, procfileFacts, runtimeNodeMajor, serverlessFacts, vercelFacts } from './paas';
import { stripHclComments, terraformFacts } from './terraform';
import { readTomlLines, tomlArrayValues, tomlValue } from './toml-lines';
import { parseYaml } from '../../tools/parse';

const catalog = loadCatalog<DeploymentCatalog>('deployment');
const imageKeys = catalog.helmImageKeys.map((p) => new RegExp(p));

function yaml(text: string): unknown {
  const parsed = parseYaml('t.yml', text, DEPLOYMENT_YAML);
  if (!parsed.ok) throw new Error(parsed.issue.message);
  return parsed.value;
}

describe('compose', () => {
  it('reads services with merge keys, interpolation defaults, long-form ports and build objects', () => {
    const services = composeServices(
      yaml(`
x-base: &base
  image: \${IMAGE:-acme/app:1.0}
services:
  app:
    <<: *base
    build: { context: ./app, dockerfile: Dockerfile.prod, target: runtime }
    ports: ["3000:3000", { target: 80, published: "8080", host_ip: 127.0.0.1 }, 9000]
  db:
    image: postgres:16
  escaped:
    image: "acme/$$literal"
`),
    );
    expect(services.map((s) => s.name)).toEqual(['app', 'db', 'escaped']);
    expect(services[0].image).toMatchObject({ ref: 'acme/app:1.0', pin: 'tag' });
    expect(services[0].build).toEqual({ context: './app', dockerfile: 'Dockerfile.prod', target: 'runtime' });
    expect(services[0].ports).toEqual(['127.0.0.1:8080:80', '3000:3000', '9000']);
    expect(services[2].image?.ref).toBe('acme/$literal');
  });
  it('reads the legacy v1 layout and leaves unresolved variables marked', () => {
    const services = composeServices(yaml('web:\n  image: ${REGISTRY}/web\nvolumes_only:\n  x: 1\n'));
    expect(services.map((s) => [s.name, s.image?.pin])).toEqual([['web', 'unresolved']]);
  });
});

describe('helm', () => {
  it('reads Chart.yaml with dependencies and keeps versions as written', () => {
    const chart = chartFacts(yaml('apiVersion: v2\nname: api\nversion: 1.10\nappVersion: 2.0\ndependencies:\n  - { name: redis, version: 19.x, repository: https://charts.example }\n  - { nope: true }\n'));
    expect(chart).toMatchObject({ name: 'api', version: '1.10', app_version: '2.0', dependencies: [{ name: 'redis', version: '19.x', alias: null }] });
  });
  it('finds image blocks at any depth, string images, and repository+tag blocks under any key', () => {
    const images = valuesImages(
      yaml(`
image: { repository: acme/api, tag: "1.2.3" }
sidecar:
  image: "envoyproxy/envoy:v1.30.1"
workers:
  - name: q
    image: { registry: ghcr.io, repository: acme/worker, digest: "sha256:abc" }
images:
  backup: { repository: acme/backup, tag: latest }
source: { repository: "git@example.com:x.git", branch: main }
initImage: busybox
`),
      imageKeys,
    );
    expect(images.map((i) => [i.path, i.ref, i.pin])).toEqual([
      ['image', 'acme/api:1.2.3', 'tag'],
      ['images.backup', 'acme/backup:latest', 'floating'],
      ['initImage', 'busybox', 'none'],
      ['sidecar.image', 'envoyproxy/envoy:v1.30.1', 'tag'],
      ['workers[0].image', 'ghcr.io/acme/worker@sha256:abc', 'digest'],
    ]);
  });
});

describe('kustomize', () => {
  it('reads resources (and legacy bases), components, image overrides and helm charts', () => {
    const k = kustomizationFacts(yaml('bases: [../base]\nresources: [svc.yaml, ../base]\nimages:\n  - { name: nginx, newTag: 1.27.0 }\n  - { name: app }\n  - { name: api, newName: ghcr.io/acme/api, digest: "sha256:ff" }\nhelmCharts: [{ name: ingress-nginx, version: 4.10.1 }]\n'));
    expect(k.resources).toEqual(['../base', 'svc.yaml']);
    expect(k.images.map((i) => [i.name, i.image?.ref ?? null])).toEqual([
      ['api', 'ghcr.io/acme/api@sha256:ff'],
      ['app', null],
      ['nginx', 'nginx:1.27.0'],
    ]);
    expect(k.helm_charts).toEqual([{ name: 'ingress-nginx', version: '4.10.1', repo: null }]);
  });
});

describe('kubernetes manifests', () => {
  it('reads containers and init containers of every workload kind, through Lists', () => {
    const docs = [
      { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'node:20' }] } },
      { kind: 'CronJob', metadata: { name: 'cj', namespace: 'ns' }, spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'c' }] } } } } } },
      { kind: 'List', items: [{ kind: 'StatefulSet', spec: { template: { spec: { containers: [{ image: 'redis:7' }] } } } }] },
      { kind: 'Service' },
      null,
      'text',
    ];
    const facts = manifestFacts(docs, catalog.workloadKinds);
    expect(facts.kinds).toEqual({ CronJob: 1, List: 1, Pod: 1, Service: 1, StatefulSet: 1 });
    expect(facts.workloads.map((w) => [w.kind, w.name, w.containers.map((c) => `${c.init ? 'init:' : ''}${c.image?.ref ?? '-'}`)])).toEqual([
      ['Pod', 'p', ['node:20']],
      ['CronJob', 'cj', ['init:busybox', '-']],
      ['StatefulSet', null, ['redis:7']],
    ]);
  });
  it('does not mistake prototype keys for workload kinds', () => {
    expect(manifestFacts([{ kind: 'constructor' }, { kind: 'toString' }], catalog.workloadKinds).workloads).toEqual([]);
  });
});

describe('PaaS descriptors', () => {
  it('TOML lines: tables, arrays of tables, dotted keys, strings with escapes, skipped arrays', () => {
    const toml = readTomlLines('title = "x # not a comment"\n[build]\ncommand = "npm run build" # comment\nenvironment.NODE_VERSION = \'18\'\nargs = [\n  "a",\n  "b]",\n]\nesc = "a\\u00e9\\"b"\n[[plugins]]\npackage = "p1"\n[[plugins]]\npackage = "p2"\n[ "quoted.table" ]\nk = 1_000\nbad line\n');
    expect(tomlValue(toml, 'title')).toBe('x # not a comment');
    expect(tomlValue(toml, 'build.command')).toBe('npm run build');
    expect(tomlValue(toml, 'build.environment.NODE_VERSION')).toBe('18');
    expect(tomlValue(toml, 'build.esc')).toBe('aé"b');
    expect(tomlArrayValues(toml, 'plugins', 'package')).toEqual(['p1', 'p2']);
    expect(tomlValue(toml, 'quoted.table.k')).toBe(1000);
    expect(toml.unreadable).toBe(1);
  });
  it('netlify.toml and fly.toml', () => {
    expect(netlifyFacts('netlify.toml', '[build]\n  command = "vite build"\n  publish = "dist"\n[build.environment]\n  NODE_VERSION = "20.11.1"\n').facts).toMatchObject({ build_command: 'vite build', publish: 'dist', node_version: '20.11.1', plugins: [] });
    expect(flyFacts('fly.toml', 'app = "a"\n[build]\nimage = "flyio/hellofly:latest"\n[[services]]\ninternal_port = 8080\n').facts).toMatchObject({ app: 'a', image: { pin: 'floating' }, internal_ports: [8080] });
  });
  it('Procfile, vercel.json, app.yaml, serverless.yml', () => {
    expect(procfileFacts('Procfile', '# c\r\nweb: npm start\r\nweb: other\r\nworker:node w.js\r\n')).toMatchObject({ processes: [{ name: 'web', command: 'npm start' }, { name: 'worker', command: 'node w.js' }] });
    expect(vercelFacts('vercel.json', { buildCommand: 'next build', framework: 'nextjs' })).toMatchObject({ build_command: 'next build', framework: 'nextjs', output_directory: null });
    expect(appEngineFacts('app.yaml', { runtime: 'nodejs22' })).toMatchObject({ node_major: 22 });
    expect(appEngineFacts('app.yaml', { name: 'not app engine' })).toBeUndefined();
    expect(serverlessFacts('serverless.yml', { service: { name: 's' }, provider: 'aws', functions: { b: { handler: 'b.h' }, a: { image: { uri: 'x:1' } } } })).toMatchObject({ service: 's', provider: 'aws', functions: [{ name: 'a', image: 'x:1' }, { name: 'b', handler: 'b.h' }] });
    expect(runtimeNodeMajor('nodejs18.x')).toBe(18);
    expect(runtimeNodeMajor('python3.12')).toBeNull();
  });
});

describe('terraform', () => {
  it('counts resources, reads module sources and image attributes, ignoring comments', () => {
    const facts = terraformFacts('# resource "aws_x" "no" {\nresource "aws_ecs_service" "a" {\n  // image = "commented:1"\n}\nresource "aws_ecs_service" "b" { }\nmodule "m" {\n  providers = { aws = aws.x }\n  source = "./modules/m"\n}\nlocals {\n  def = <<EOT\n{"image": "heredoc/img:2", "x": "# not a comment"}\nEOT\n}\n/* module "gone" { source = "x" } */\nimage = "a/b:3"\n');
    expect(facts.resource_types).toEqual({ aws_ecs_service: 2 });
    expect(facts.modules).toEqual([{ name: 'm', source: './modules/m' }]);
    expect(facts.images.map((i) => i.ref)).toEqual(['a/b:3', 'heredoc/img:2']);
  });
  it('comment stripping keeps line structure and never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const out = stripHclComments(s);
        expect(out.split('\n').length).toBe(s.split('\n').length);
        expect(() => terraformFacts(s)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
