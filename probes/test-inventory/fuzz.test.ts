/**
 * Property tests: whatever bytes the probe reads and whatever paths the index lists, `run`
 * returns a schema-valid, sorted slice, never throws, and does not depend on tree order.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureFolders, fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { textSplices } from '../../tests/helpers/probe-properties';
import probe from './index';

const FIXTURES = join(__dirname, '../../fixtures/test-inventory');
const validate = sliceValidator('test-inventory');
const sorted = (list: string[]) => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

async function checkTree(tree: Record<string, string | Buffer>): Promise<void> {
  const a = await runProbeInMemory(probe, tree);
  expect(validate(a.slice)).toEqual([]);
  const s = a.slice as Record<string, any>;
  expect(s.test_files.paths).toEqual(sorted(s.test_files.paths));
  expect(s.frameworks.map((f: { name: string }) => f.name)).toEqual(sorted(s.frameworks.map((f: { name: string }) => f.name)));
  const b = await runProbeInMemory(probe, Object.fromEntries(Object.entries(tree).reverse()));
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
}

const bytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));

describe('test-inventory never throws on hostile input', () => {
  it('arbitrary bytes in every file it reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          'package.json': bytes,
          '.nycrc': bytes,
          '.c8rc.json': bytes,
          'jest.config.js': bytes,
          'jest.config.json': bytes,
          'vitest.config.ts': bytes,
        }),
        async (tree) => checkTree(tree),
      ),
      { numRuns: 100 },
    );
  });

  it('config modules made of coverage-ish fragments', async () => {
    const fragment = fc.constantFrom(
      'coverage',
      'coverageThreshold',
      'thresholds',
      'global',
      ':',
      '{',
      '}',
      ',',
      '-',
      '100',
      'true',
      'lines',
      "'branches'",
      '`v8`',
      'provider',
      '...spread',
      '[',
      ']',
      '(',
      ')',
      '=>',
      'export default',
      '"src/**"',
      '${x}',
    );
    const source = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(' '));
    await fc.assert(
      fc.asyncProperty(source, source, async (jest, vitest) => checkTree({ 'jest.config.ts': jest, 'vite.config.js': vitest, 'package.json': '{}' })),
      { numRuns: 150 },
    );
  });

  it('odd package.json shapes and odd paths', async () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const pkg = fc.record(
      {
        scripts: fc.oneof(json, fc.dictionary(fc.constantFrom('test', 'test:e2e', 'smoke', '__proto__', 'constructor', 'cy:run'), fc.oneof(fc.string({ maxLength: 40 }), json))),
        devDependencies: fc.oneof(json, fc.dictionary(fc.constantFrom('jest', 'vitest', 'mocha', 'cypress'), fc.string({ maxLength: 6 }))),
        jest: json,
        nyc: json,
        c8: json,
      },
      { requiredKeys: [] },
    );
    const segment = fc.constantFrom('test', 'tests', '__tests__', 'e2e', 'fixtures', 'src', 'smoke', 'a b', 'é', 'node_modules', 'cypress');
    const name = fc.constantFrom('a.test.ts', 'b.spec.mjs', 'c.cy.tsx', 'd.js', 'jest.config.js', 'e2e.ts', 'smoke.test.js', 'README.md', 'vitest.config.e2e.ts');
    const path = fc.tuple(fc.array(segment, { maxLength: 3 }), name).map(([dirs, n]) => [...dirs, n].join('/'));
    await fc.assert(
      fc.asyncProperty(pkg, fc.uniqueArray(path, { maxLength: 25 }), async (p, paths) =>
        checkTree({ ...Object.fromEntries(paths.map((x) => [x, ''])), 'package.json': JSON.stringify(p) }),
      ),
      { numRuns: 150 },
    );
  });

  it('mutated real fixture files', async () => {
    const matches = inputMatcher(probe.inputs);
    const trees = fixtureFolders(FIXTURES).map((n) => fixtureTree(join(FIXTURES, n)));
    await fc.assert(fc.asyncProperty(textSplices(trees, matches, 30), checkTree), { numRuns: 150 });
  });

  it('a config over the size limit is reported and skipped', async () => {
    const result = await runProbeInMemory(probe, { 'package.json': '{"devDependencies":{"jest":"29"}}', 'jest.config.js': `// ${'x'.repeat(3000)}` }, { maxFileBytes: 1000 });
    expect(result.errors?.map((e) => [e.code, e.file])).toEqual([['file-too-large', 'jest.config.js']]);
    expect((result.slice as Record<string, any>).frameworks.map((f: { name: string }) => f.name)).toEqual(['jest']);
  });
});
