/** Per-system facts, read from the every-system fixture and from small focused documents. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import probe from './index';
import { fixtureTree, runProbeInMemory } from '../../tools/testing';
import { parseYaml } from '../../tools/parse';
import { CI_YAML } from './extract';
import { githubWorkflow, matrixValues } from './github-actions';
import { gitlabPipeline } from './gitlab-ci';
import { circleciConfig } from './circleci';
import { jenkinsPipeline, tokenizeGroovy } from './jenkins';
import { azurePipeline } from './azure-pipelines';
import type { CiJob, CiPipeline } from './model';

const FIXTURE = join(__dirname, '../../fixtures/ci/every-system');

function yaml(text: string): unknown {
  const parsed = parseYaml('test.yml', text, CI_YAML);
  if (!parsed.ok) throw new Error(parsed.issue.message);
  return parsed.value;
}

function job(p: CiPipeline, id: string): CiJob {
  const found = p.jobs.find((j) => j.id === id);
  if (!found) throw new Error(`no job ${id} in ${p.file} (${p.jobs.map((j) => j.id).join(', ')})`);
  return found;
}

function runs(j: CiJob): string[] {
  return j.commands.map((c) => `${c.kind}: ${c.run}`);
}

let pipelines: CiPipeline[];
const pipelineOf = (file: string, name: string | null = null) => {
  const p = pipelines.find((x) => x.file === file && (name === null || x.name === name));
  if (!p) throw new Error(`no pipeline ${file} ${name}`);
  return p;
};

beforeAll(async () => {
  const result = await runProbeInMemory(probe, fixtureTree(FIXTURE));
  pipelines = result.slice.pipelines as CiPipeline[];
});

describe('GitHub Actions', () => {
  it('parses every workflow file, not only the first', () => {
    expect(pipelines.filter((p) => p.system === 'github-actions').map((p) => p.file)).toEqual([
      '.github/workflows/ci.yml',
      '.github/workflows/deploy.yml',
      '.github/workflows/e2e.yml',
      '.github/workflows/release.yaml',
    ]);
  });

  it('reads triggers, jobs and resolves the setup-node matrix, keeping 20.10 as written', () => {
    const ci = pipelineOf('.github/workflows/ci.yml');
    expect(ci.name).toBe('CI');
    expect(ci.triggers).toEqual(['merge_group', 'pull_request', 'push']);
    expect(ci.jobs.map((j) => j.id)).toEqual(['build', 'deploy-staging', 'lint', 'test']);
    const test = job(ci, 'test');
    expect(test.node_versions).toEqual(['18', '20', '20.10', '22']);
    expect(test.services).toEqual(['postgres:16-alpine', 'redis:7']);
    expect(runs(test)).toEqual([
      'install: corepack enable',
      'install: pnpm install --frozen-lockfile',
      'test: pnpm test -- --coverage',
      'test: DATABASE_URL=postgres://postgres:postgres@localhost:5432/test pnpm run test:integration',
    ]);
    expect(job(ci, 'lint').node_version_files).toEqual(['.nvmrc']);
    expect(runs(job(ci, 'build'))).toEqual(['install: npm ci', 'build: npm run build']);
  });

  it('records reusable workflows and actions as written, and reads workflow_call input defaults and env', () => {
    const ci = pipelineOf('.github/workflows/ci.yml');
    expect(job(ci, 'deploy-staging').uses).toEqual(['./.github/workflows/deploy.yml']);
    expect(job(ci, 'lint').uses).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'pnpm/action-setup@v4']);
    expect(job(pipelineOf('.github/workflows/deploy.yml'), 'deploy').node_versions).toEqual(['20']);
    const e2e = job(pipelineOf('.github/workflows/e2e.yml'), 'e2e');
    expect(e2e.node_versions).toEqual(['20.10']);
    expect(e2e.images).toEqual(['mcr.microsoft.com/playwright:v1.45.0-jammy']);
    const publish = job(pipelineOf('.github/workflows/release.yaml'), 'publish');
    expect(publish.images).toEqual(['node:20.11.1-bookworm']);
    expect(publish.node_versions).toEqual(['20.11.1']);
  });

  it('expands matrices with include entries, nested keys and bracket syntax; leaves the unknown as written', () => {
    const doc = yaml(`
on: [push, workflow_dispatch]
jobs:
  t:
    strategy:
      matrix:
        node: [18.x, 20.x]
        versions: [{ node: 16 }]
        include: [{ node: lts/iron }]
    container: node:\${{ matrix.node }}-alpine
    steps:
      - uses: actions/setup-node@v4
        with: { node-version: "\${{ matrix['node'] }}" }
      - uses: actions/setup-node@v4
        with: { node-version: "\${{ matrix.versions.node }}" }
      - uses: actions/setup-node@v4
        with: { node-version: "\${{ needs.setup.outputs.node }}" }
  dyn:
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
      - uses: actions/setup-node@v4
        with: { node-version: "\${{ matrix.node }}" }
      - uses: docker://node:18
`);
    const p = githubWorkflow('w.yml', doc);
    expect(p.triggers).toEqual(['push', 'workflow_dispatch']);
    const t = job(p, 't');
    expect(t.node_versions).toEqual(['${{ needs.setup.outputs.node }}', '16', '18.x', '20.x', 'lts/iron']);
    expect(t.images).toEqual(['node:18.x-alpine', 'node:20.x-alpine', 'node:lts/iron-alpine']);
    const dyn = job(p, 'dyn');
    expect(dyn.node_versions).toEqual(['${{ matrix.node }}', '18']);
    expect(dyn.images).toEqual(['node:18']);
    expect(matrixValues({ include: [{ node: 22 }] }, ['node'])).toEqual(['22']);
    expect(matrixValues('${{ x }}', ['node'])).toBeUndefined();
  });

  it('accepts `on` as a single string and a workflow without jobs', () => {
    const p = githubWorkflow('w.yml', yaml('on: pull_request\n'));
    expect(p.triggers).toEqual(['pull_request']);
    expect(p.jobs).toEqual([]);
  });
});

describe('CircleCI', () => {
  it('makes one pipeline per workflow, resolving matrix parameters and executors', () => {
    const circle = pipelines.filter((p) => p.system === 'circleci');
    expect(circle.map((p) => p.name)).toEqual(['build-and-test', 'nightly']);
    const build = pipelineOf('.circleci/config.yml', 'build-and-test');
    expect(build.uses).toEqual(['circleci/aws-cli@4.1', 'circleci/node@5.2.0']);
    expect(build.jobs.map((j) => j.id)).toEqual(['node/test', 'test', 'integration', 'deploy']);
    const test = job(build, 'test');
    expect(test.images).toEqual(['cimg/node:18.19', 'cimg/node:20.11', 'cimg/node:22.1']);
    expect(test.services).toEqual(['cimg/redis:7.2']);
    expect(test.node_versions).toEqual(['18.19', '20.11', '22.1']);
    expect(test.uses).toEqual(['node/install-packages']);
    expect(job(build, 'node/test').node_versions).toEqual(['20.11']);
    const integration = job(build, 'integration');
    expect(integration.images).toEqual(['cimg/node:20.11']);
    expect(integration.services).toEqual(['cimg/postgres:16.2']);
    expect(runs(integration)).toEqual(['install: npm ci', 'other: npm run db:migrate', 'test: npm run test:integration']);
    expect(runs(job(build, 'deploy'))).toEqual([
      'build: docker build -t acme/api:$CIRCLE_SHA1 .',
      'deploy: docker push acme/api:$CIRCLE_SHA1',
      'other: echo "deploying to << pipeline.parameters.deploy-env >>"',
    ]);
    expect(pipelineOf('.circleci/config.yml', 'nightly').triggers).toEqual(['schedule']);
  });

  it('runs the `build` job when there are no workflows', () => {
    const [p] = circleciConfig('c.yml', yaml('version: 2\njobs:\n  build:\n    docker: [{ image: "circleci/node:16-browsers" }]\n    steps: [checkout, { run: yarn }]\n  other:\n    steps: []\n'));
    expect(p.name).toBeNull();
    expect(p.jobs.map((j) => j.id)).toEqual(['build']);
    expect(p.jobs[0].node_versions).toEqual(['16']);
    expect(runs(p.jobs[0])).toEqual(['install: yarn']);
  });
});

describe('GitLab CI', () => {
  it('applies default:, extends and parallel:matrix; resolves !reference; reads triggers and includes', () => {
    const p = pipelineOf('.gitlab-ci.yml');
    expect(p.jobs.map((j) => j.id)).toEqual(['build', 'docker', 'lint', 'pages', 'test']);
    expect(p.triggers).toEqual(['merge_request_event', 'push', 'tag']);
    expect(p.uses).toEqual(['local:/ci/review-apps.yml', 'template:Security/SAST.gitlab-ci.yml']);
    const test = job(p, 'test');
    expect(test.images).toEqual(['node:18-alpine', 'node:20-alpine', 'node:22-alpine']);
    expect(test.node_versions).toEqual(['18', '20', '22']);
    expect(test.services).toEqual(['postgres:16']);
    expect(runs(job(p, 'lint'))).toEqual(['install: npm ci --cache .npm --prefer-offline', 'lint: npm run lint', 'lint: npm run typecheck']);
    expect(job(p, 'lint').images).toEqual(['node:20.11-alpine']);
    const docker = job(p, 'docker');
    expect(docker.images).toEqual(['docker:26']);
    expect(runs(docker)).toEqual([
      'install: corepack enable',
      'other: echo "registry=https://registry.npmjs.org/" > .npmrc',
      'build: docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA .',
      'deploy: docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA',
    ]);
  });

  it('survives extends cycles and merges templates once', () => {
    const p = gitlabPipeline('g.yml', yaml('.a: { extends: .b, image: "node:18" }\n.b: { extends: .a, script: [npm test] }\njob: { extends: [.a, .b] }\n'));
    expect(p.jobs.map((j) => j.id)).toEqual(['job']);
    expect(p.jobs[0].images).toEqual(['node:18']);
    expect(runs(p.jobs[0])).toEqual(['test: npm test']);
  });

  it('applies YAML merge keys in job definitions', () => {
    const p = gitlabPipeline('g.yml', yaml('.base: &base\n  image: node:22\n  script: [npm ci]\njob:\n  <<: *base\n  stage: test\n'));
    expect(p.jobs[0].images).toEqual(['node:22']);
  });
});

describe('Jenkins', () => {
  it('reads stages, nested parallel stages, agents, tools, triggers and shared libraries', () => {
    const p = pipelineOf('Jenkinsfile');
    expect(p.triggers).toEqual(['cron', 'pollSCM']);
    expect(p.uses).toEqual(['library:acme-pipeline-lib@v2']);
    expect(p.jobs.map((j) => j.id)).toEqual(['Install', 'Verify', 'Lint', 'Test', 'Build', 'Publish image']);
    expect(runs(job(p, 'Test'))).toEqual(['test: npm test -- --reporters=jest-junit']);
    expect(runs(job(p, 'Build'))).toEqual(['build: npm run build', 'other: tar czf dist.tgz dist/']);
    expect(job(p, 'Install').images).toEqual(['node:20.11-bullseye']);
    expect(job(p, 'Install').node_versions).toEqual(['20.11', 'node-20']);
    expect(job(p, 'Publish image').images).toEqual(['docker:26-cli']);
    expect(runs(job(p, 'Publish image'))).toEqual(['build: docker build -t acme/api:${env.BUILD_NUMBER} .', 'deploy: docker push acme/api:${env.BUILD_NUMBER}']);
  });

  it('reads scripted pipelines and never executes anything', () => {
    const p = jenkinsPipeline(
      'Jenkinsfile',
      `node('linux') {\n  stage('Checkout') { checkout scm }\n  docker.image('node:18-alpine').inside {\n    stage("Test") {\n      sh(script: "npm ci && npm test", returnStatus: true)\n      bat 'npm run build'\n    }\n  }\n}\n`,
    );
    expect(p.jobs.map((j) => j.id)).toEqual(['Checkout', 'Test']);
    expect(runs(job(p, 'Test'))).toEqual(['install: npm ci', 'test: npm test', 'build: npm run build']);
  });

  it('tokenizes every Groovy string form and skips comments', () => {
    const tokens = tokenizeGroovy(`// sh 'no'\n/* sh 'no' */ sh '''a\nb''' + "c\\"d" + 'e'`);
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.value)).toEqual(['a\nb', 'c"d', 'e']);
  });
});

describe('Azure Pipelines', () => {
  it('walks stages, matrices, container resources, Npm tasks and deployment strategies', () => {
    const p = pipelineOf('azure-pipelines.yml');
    expect(p.triggers).toEqual(['pull_request', 'push', 'schedule']);
    expect(p.jobs.map((j) => j.id)).toEqual(['Build/Test', 'Build/Package', 'Build/template:.azure-pipelines/templates/test-steps.yml', 'Deploy/Production']);
    const test = job(p, 'Build/Test');
    expect(test.node_versions).toEqual(['18.x', '20.x']);
    expect(test.services).toEqual(['postgres:16']);
    expect(runs(test)).toEqual(['install: npm ci', 'lint: npm run lint', 'test: npm test -- --ci']);
    const pkg = job(p, 'Build/Package');
    expect(pkg.images).toEqual(['node:20-bookworm-slim']);
    expect(runs(pkg)).toEqual(['build: npm run build']);
    expect(pkg.uses).toEqual(['task:Docker@2', 'task:Npm@1']);
    const deploy = job(p, 'Deploy/Production');
    expect(deploy.node_versions).toEqual(['20.x']);
    expect(deploy.commands.map((c) => c.kind)).toEqual(['deploy']);
  });

  it('reads a steps template with parameter defaults', () => {
    const p = pipelineOf('.azure-pipelines/templates/test-steps.yml');
    expect(p.jobs[0].node_versions).toEqual(['18.x']);
    expect(runs(p.jobs[0])).toEqual(['install: npm ci', 'test: npm run test:e2e']);
  });

  it('treats `trigger: none` as no trigger', () => {
    expect(azurePipeline('a.yml', yaml('trigger: none\npr: none\nsteps: [{ script: npm ci }]\n')).triggers).toEqual([]);
  });
});

describe('Travis, Bitbucket, Buildkite', () => {
  it('Travis: the default job and include entries inheriting the top-level phases', () => {
    const p = pipelineOf('.travis.yml');
    expect(p.jobs.map((j) => [j.id, j.name])).toEqual([
      ['default', null],
      ['include1', 'Publish to npm'],
    ]);
    expect(p.jobs[0].node_versions).toEqual(['18', '20']);
    expect(runs(p.jobs[0])).toEqual(['install: npm install -g npm@10', 'install: npm ci', 'lint: npm run lint', 'test: npm test']);
    expect(p.jobs[1].uses).toEqual(['deploy:npm']);
    expect(p.jobs[1].node_versions).toEqual(['20']);
  });

  it('Bitbucket: one pipeline per trigger entry, parallel steps, services and pipes', () => {
    const names = pipelines.filter((p) => p.system === 'bitbucket-pipelines').map((p) => p.name);
    expect(names).toEqual(['branches/main', 'custom/deploy-production', 'default', 'pull-requests/**', 'tags/v*']);
    const main = pipelineOf('bitbucket-pipelines.yml', 'branches/main');
    expect(main.triggers).toEqual(['push']);
    expect(main.jobs.map((j) => j.name)).toEqual(['Test', 'Lint', 'Build image']);
    expect(main.jobs[0].services).toEqual(['postgres:16']);
    expect(main.jobs[2].services).toEqual([]);
    expect(main.jobs[0].images).toEqual(['node:20.11.1']);
    expect(pipelineOf('bitbucket-pipelines.yml', 'custom/deploy-production').jobs[0].uses).toEqual(['pipe:atlassian/aws-ecs-deploy:1.12.0']);
    expect(pipelineOf('bitbucket-pipelines.yml', 'tags/v*').triggers).toEqual(['tag']);
  });

  it('Buildkite: command steps in groups, docker plugin images with env, trigger steps', () => {
    const p = pipelineOf('.buildkite/pipeline.yml');
    expect(p.jobs.map((j) => j.id)).toEqual(['lint', 'unit', 'step3', 'step5', 'step6']);
    expect(job(p, 'lint').images).toEqual(['node:20.11-slim']);
    expect(job(p, 'unit').node_versions).toEqual(['18']);
    expect(job(p, 'step6').uses).toEqual(['trigger:acme-deploy']);
    expect(runs(job(p, 'step5'))).toEqual(['build: docker build -t acme/api:$BUILDKITE_COMMIT .', 'deploy: docker push acme/api:$BUILDKITE_COMMIT']);
  });
});
