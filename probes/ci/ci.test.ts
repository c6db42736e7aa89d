import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../tools/catalog';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureTree, runProbeInMemory } from '../../tools/testing';
import { systemMatcher, YAML_EXTRACTORS } from './extract';
import type { CiSystemsCatalog } from './extract';
import { jenkinsPipeline } from './jenkins';
import { applyByteMutations, byteMutations, parsedValues } from '../../tests/helpers/probe-properties';
import probe from './index';

const FIXTURE = join(__dirname, '../../fixtures/ci/every-system');
const schema = JSON.parse(readFileSync(join(__dirname, '../../schemas/slices/ci.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateSlice = ajv.compile(schema);
const validatePipeline = ajv.getSchema(`${schema.$id}#/$defs/pipeline`)!;

function expectValid(slice: unknown) {
  const ok = validateSlice(slice);
  expect(ok, JSON.stringify(validateSlice.errors?.slice(0, 3))).toBe(true);
}

const WORKFLOW = 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with: { node-version: 22 }\n      - run: npm ci\n';

describe('ci probe over the every-system fixture', () => {
  it('finds all eight systems and summarises versions, images and commands; the slice matches its schema', async () => {
    const result = await runProbeInMemory(probe, fixtureTree(FIXTURE));
    expect(result.errors).toEqual([]);
    const slice = result.slice as Record<string, any>;
    expect(slice.systems).toEqual(['azure-pipelines', 'bitbucket-pipelines', 'buildkite', 'circleci', 'github-actions', 'gitlab-ci', 'jenkins', 'travis']);
    expect(slice.node_majors).toEqual([18, 20, 22]);
    expect(slice.node_version_files).toEqual(['.nvmrc']);
    expect(slice.commands.install).toContain('pnpm install --frozen-lockfile');
    expect(slice.commands.test).toContain('npx nx affected -t e2e --parallel=2');
    expect(slice.commands.deploy).toContain('docker push ghcr.io/acme/api:${GITHUB_REF_NAME}');
    expect(slice.commands.lint).toEqual(['npm run lint', 'npm run typecheck', 'pnpm lint', 'pnpm run typecheck']);
    expect(slice.images).toContain('postgres:16-alpine');
    expect(slice.pipelines.every((p: { parsed: boolean }) => p.parsed)).toBe(true);
    expectValid(slice);
  });

  it('gives byte-identical output whatever order the files come in', async () => {
    const tree = fixtureTree(FIXTURE);
    const reversed = Object.fromEntries(Object.entries(tree).reverse());
    const a = await runProbeInMemory(probe, tree);
    const b = await runProbeInMemory(probe, reversed);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe('malformed input never crashes the probe', () => {
  const BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  const cases: Record<string, string | Buffer> = {
    'alias bomb': BOMB,
    tabs: 'jobs:\n\tbuild:\n\t\truns-on: ubuntu-latest\n',
    'unclosed flow': 'on: [push\njobs: {',
    binary: Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x00, 0x80, 0x81]),
    'deep nesting': 'a: '.padEnd(3 + 300 * 1, '[') + ']'.repeat(300) + '\n',
    'not a mapping': '- just\n- a list\n',
  };
  for (const [label, content] of Object.entries(cases)) {
    it(`${label}: reported, other workflows still read, schema still holds`, async () => {
      const result = await runProbeInMemory(probe, { '.github/workflows/bad.yml': content, '.github/workflows/good.yml': WORKFLOW });
      const slice = result.slice as Record<string, any>;
      const good = slice.pipelines.find((p: { file: string }) => p.file === '.github/workflows/good.yml');
      expect(good.jobs[0].node_versions).toEqual(['22']);
      const bad = slice.pipelines.find((p: { file: string }) => p.file === '.github/workflows/bad.yml');
      expect(bad).toBeDefined();
      if (label !== 'not a mapping') {
        expect(result.errors?.map((e) => e.file)).toEqual(['.github/workflows/bad.yml']);
        expect(bad.parsed).toBe(false);
      }
      expectValid(slice);
    });
  }

  it('duplicate keys: the last one wins, without an error', async () => {
    const result = await runProbeInMemory(probe, { '.github/workflows/dup.yml': 'on: push\non: pull_request\njobs:\n  a: { steps: [{ run: npm ci }] }\n  a: { steps: [{ run: npm test }] }\n' });
    expect(result.errors).toEqual([]);
    const [p] = (result.slice as Record<string, any>).pipelines;
    expect(p.triggers).toEqual(['pull_request']);
    expect(p.jobs[0].commands).toEqual([{ run: 'npm test', kind: 'test' }]);
  });

  it('a file over the size limit is reported as file-too-large and the rest is read', async () => {
    const huge = WORKFLOW + `# ${'x'.repeat(5000)}\n`;
    const result = await runProbeInMemory(probe, { '.gitlab-ci.yml': huge, '.github/workflows/ok.yml': WORKFLOW }, { maxFileBytes: 1000 });
    expect(result.errors?.map((e) => [e.code, e.file])).toEqual([['file-too-large', '.gitlab-ci.yml']]);
    const slice = result.slice as Record<string, any>;
    expect(slice.systems).toEqual(['github-actions', 'gitlab-ci']);
    expectValid(slice);
  });

  it('a large but legal workflow (2,000 jobs) parses', async () => {
    const jobs = Array.from({ length: 2000 }, (_, i) => `  job${i}:\n    steps:\n      - run: npm run build:${i}\n`).join('');
    const result = await runProbeInMemory(probe, { '.github/workflows/big.yml': `on: push\njobs:\n${jobs}` });
    expect(result.errors).toEqual([]);
    expect((result.slice as Record<string, any>).pipelines[0].jobs).toHaveLength(2000);
  });

  it('CRLF line endings and a BOM read exactly like LF', async () => {
    const lf = await runProbeInMemory(probe, { '.github/workflows/w.yml': WORKFLOW });
    const crlf = await runProbeInMemory(probe, { '.github/workflows/w.yml': '\uFEFF' + WORKFLOW.replace(/\n/g, '\r\n') });
    expect(JSON.stringify(crlf.slice)).toBe(JSON.stringify(lf.slice));
  });

  it('an empty workflow is a warning, not an error', async () => {
    const result = await runProbeInMemory(probe, { '.github/workflows/empty.yml': '' });
    expect(result.errors).toEqual([]);
    expect(result.warnings?.map((w) => w.code)).toEqual(['empty-file']);
    expectValid(result.slice);
  });
});

describe('declared inputs', () => {
  const catalog = loadCatalog<CiSystemsCatalog>('ci-systems');
  const inInputs = inputMatcher(probe.inputs);
  const systemOf = systemMatcher(catalog);
  const segment = fc.constantFrom('.github', 'workflows', '.circleci', '.buildkite', '.azure-pipelines', 'templates', 'src', 'node_modules', 'ci', 'a b');
  const name = fc.constantFrom('ci.yml', 'ci.yaml', 'config.yml', 'config.yaml', '.gitlab-ci.yml', 'Jenkinsfile', 'Jenkinsfile.release', 'deploy.jenkinsfile', 'azure-pipelines.yml', '.travis.yml', 'bitbucket-pipelines.yml', 'pipeline.yml', 'pipeline.json', 'buildkite.yml', 'README.md', 'index.ts');
  const path = fc.tuple(fc.array(segment, { maxLength: 3 }), name).map(([dirs, file]) => [...dirs, file].join('/'));

  it('are exactly the files the catalog recognises', () => {
    fc.assert(
      fc.property(path, (p) => {
        expect(inInputs(p)).toBe(systemOf(p) !== undefined);
      }),
      { numRuns: 2000 },
    );
    for (const file of Object.keys(fixtureTree(FIXTURE))) expect(inInputs(file)).toBe(systemOf(file) !== undefined);
  });

  it('changing any file outside the inputs leaves the output byte-identical', async () => {
    const base = fixtureTree(FIXTURE);
    const outside = fc.tuple(path, fc.string({ maxLength: 200 })).filter(([p]) => !inInputs(p));
    await fc.assert(
      fc.asyncProperty(fc.array(outside, { maxLength: 8 }), async (extra) => {
        const withExtra = { ...base, ...Object.fromEntries(extra.map(([p, c]) => [p, c])) };
        const mutated = { ...base, ...Object.fromEntries(extra.map(([p, c]) => [p, c + '\nchanged: true\n'])) };
        for (const file of Object.keys(base)) if (!inInputs(file)) mutated[file] = Buffer.from('mutated');
        const a = await runProbeInMemory(probe, withExtra);
        const b = await runProbeInMemory(probe, mutated);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 25 },
    );
  });
});

describe('fuzzing the YAML walkers and the probe', () => {
  it('every system reader takes any parsed value without throwing, deterministically, within the schema', () => {
    const value = parsedValues(
      ['on', 'jobs', 'steps', 'run', 'uses', 'with', 'node-version', 'strategy', 'matrix', 'include', 'container', 'image', 'services', 'script', 'extends', 'stages', 'workflows', 'docker', 'executor', 'orbs', 'pipelines', 'step', 'parallel', 'variables', 'default', 'node_js', 'task', 'inputs', 'plugins', 'command', 'commands', 'group', 'job', 'trigger', '<<', 'x', '.tmpl', '', 'name', 'key', 'label', 'stage', 'deployment', 'tags', 'branches'],
      [null, true, 18, 20.1, '', 'push', 'npm ci', 'node:20', '${{ matrix.node }}', '<< parameters.v >>', '$(v)', '$NODE', '<<'],
      20,
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(YAML_EXTRACTORS)), value, (system, doc) => {
        const run = () => JSON.stringify(YAML_EXTRACTORS[system]('f.yml', doc));
        const first = run();
        expect(run()).toBe(first);
        for (const p of [JSON.parse(first)].flat()) expect(validatePipeline(p), JSON.stringify(validatePipeline.errors)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('the Jenkinsfile reader takes any text', () => {
    const groovy = fc.array(fc.constantFrom('stage', '(', ')', '{', '}', "'", '"', "'''", 'sh', 'npm ci', 'image', 'docker', 'triggers', 'cron', '//', '/*', '*/', '\\', '\n', ' ', '@Library'), { maxLength: 80 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), groovy), (text) => {
        const a = JSON.stringify(jenkinsPipeline('Jenkinsfile', text));
        expect(JSON.stringify(jenkinsPipeline('Jenkinsfile', text))).toBe(a);
        expect(validatePipeline(JSON.parse(a))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated real CI files never crash the probe and keep the slice valid', async () => {
    const tree = fixtureTree(FIXTURE);
    const files = Object.keys(tree).filter((f) => inputMatcher(probe.inputs)(f));
    await fc.assert(
      fc.asyncProperty(byteMutations(files), async (mutations) => {
        const mutated = applyByteMutations(tree, mutations);
        const result = await runProbeInMemory(probe, mutated);
        expectValid(result.slice);
        expect(JSON.stringify(await runProbeInMemory(probe, mutated))).toBe(JSON.stringify(result));
      }),
      { numRuns: 60 },
    );
  });
});
