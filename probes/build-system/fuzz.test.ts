/**
 * Property tests: whatever bytes sit in the files this probe reads, `run` returns a schema-valid
 * slice, never throws, and gives the same bytes for the same input regardless of tree order.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureFolders, fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { textSplices } from '../../tests/helpers/probe-properties';
import probe from './index';

const FIXTURES = join(__dirname, '../../fixtures/build-system');
const validate = sliceValidator('build-system');

async function checkTree(tree: Record<string, string | Buffer>): Promise<void> {
  const a = await runProbeInMemory(probe, tree);
  expect(validate(a.slice)).toEqual([]);
  const b = await runProbeInMemory(probe, Object.fromEntries(Object.entries(tree).reverse()));
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  // Issues never carry absolute paths.
  for (const issue of [...(a.errors ?? []), ...(a.warnings ?? [])]) expect(issue.file ?? '').not.toMatch(/^\//);
}

const bytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));
const versionish = fc.oneof(
  fc.constantFrom('20', 'v18.19.0', 'lts/*', 'lts/iron', 'node', '>=18 <21', '^20 || ^22', '20.x', 'banana', '', '22.1.0-rc.1', '*'),
  fc.string({ maxLength: 20 }),
);

describe('build-system never throws on hostile input', () => {
  it('arbitrary bytes in every file it reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          'package.json': bytes,
          '.nvmrc': bytes,
          '.node-version': bytes,
          '.tool-versions': bytes,
          'tsconfig.json': bytes,
          'tsconfig.base.json': bytes,
        }),
        async (tree) => checkTree(tree),
      ),
      { numRuns: 150 },
    );
  });

  it('structurally odd package.json and tsconfig values', async () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const pkg = fc.record(
      {
        packageManager: fc.oneof(json, fc.constantFrom('pnpm@9.1.0', 'yarn@1.22.22+sha512.ab', 'npm@x', 'toString@1.0.0')),
        engines: fc.oneof(json, fc.dictionary(fc.constantFrom('node', 'npm', 'pnpm', 'yarn', '__proto__'), versionish)),
        volta: fc.oneof(json, fc.dictionary(fc.constantFrom('node', 'yarn', 'npm'), versionish)),
        scripts: fc.oneof(json, fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 60 }), json))),
        devDependencies: fc.oneof(json, fc.dictionary(fc.constantFrom('vite', 'webpack', 'typescript', 'esbuild'), fc.string({ maxLength: 8 }))),
      },
      { requiredKeys: [] },
    );
    const tsconfig = fc.record(
      {
        extends: fc.oneof(json, fc.constantFrom('./tsconfig.base.json', './tsconfig.json', '../x', '@tsconfig/node20', './tsconfig.base'), fc.array(fc.constantFrom('./tsconfig.base.json', './tsconfig.json', './a'), { maxLength: 3 })),
        compilerOptions: fc.oneof(json, fc.record({ strict: json, module: json, target: json, outDir: fc.oneof(json, fc.constantFrom('/abs', '${configDir}/out', '../up')) }, { requiredKeys: [] })),
        references: fc.oneof(json, fc.array(fc.record({ path: fc.oneof(json, fc.constantFrom('./packages/a', '../b', 'c/tsconfig.json')) }), { maxLength: 3 })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(pkg, tsconfig, tsconfig, versionish, async (p, t1, t2, nvmrc) =>
        checkTree({
          'package.json': JSON.stringify(p),
          'tsconfig.json': JSON.stringify(t1),
          'tsconfig.base.json': JSON.stringify(t2),
          '.nvmrc': nvmrc,
          'yarn.lock': '',
          'package-lock.json': '',
        }),
      ),
      { numRuns: 200 },
    );
  });

  it('mutated real fixture files', async () => {
    const matches = inputMatcher(probe.inputs);
    const trees = fixtureFolders(FIXTURES).map((name) => fixtureTree(join(FIXTURES, name)));
    await fc.assert(fc.asyncProperty(textSplices(trees, matches, 40), checkTree), { numRuns: 200 });
  });

  it('reports a file over the size limit and goes on', async () => {
    const result = await runProbeInMemory(
      probe,
      { 'package.json': '{"engines":{"node":">=20"}}', 'tsconfig.json': `{"compilerOptions":{"strict":true},"x":"${'a'.repeat(2000)}"}` },
      { maxFileBytes: 1000 },
    );
    expect(result.errors?.map((e) => [e.code, e.file])).toEqual([['file-too-large', 'tsconfig.json']]);
    expect((result.slice as any).node.constraints).toHaveLength(1);
    expect((result.slice as any).typescript.configs[0].status).toBe('unreadable');
  });
});
