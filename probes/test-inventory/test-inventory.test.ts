import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputMatcher } from '../../tools/probe-context';
import { fixtureFolders, fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { assertOutsideInputsIgnored } from '../../tests/helpers/probe-properties';
import probe from './index';

const FIXTURES = join(__dirname, '../../fixtures/test-inventory');
const validate = sliceValidator('test-inventory');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Slice = Record<string, any>;

async function runFixture(name: string) {
  const result = await runProbeInMemory(probe, fixtureTree(join(FIXTURES, name)));
  return { ...result, slice: result.slice as Slice };
}

const frameworkNames = (slice: Slice) => slice.frameworks.map((f: { name: string }) => f.name);

describe('test-inventory probe on fixtures', () => {
  it('every fixture slice validates against the schema', async () => {
    const names = fixtureFolders(FIXTURES);
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const result = await runFixture(name);
      expect({ name, problems: validate(result.slice) }).toEqual({ name, problems: [] });
      expect({ name, errors: result.errors }).toEqual({ name, errors: [] });
    }
  });

  it('jest in package.json with thresholds, playwright e2e, mocks and fixtures left out', async () => {
    const { slice } = await runFixture('jest-react-app');
    expect(frameworkNames(slice)).toEqual(['jest', 'playwright']);
    expect(slice.frameworks[0]).toMatchObject({ sources: ['dependency', 'package-json-key', 'script'], package_json_keys: ['jest'], scripts: ['test', 'test:coverage'] });
    expect(slice.frameworks[1]).toMatchObject({ kind: 'e2e', config_files: ['playwright.config.ts'], scripts: ['test:e2e', 'test:smoke'] });
    expect(slice.test_script).toEqual({ present: true, frameworks: ['jest'] });
    expect(slice.test_files).toMatchObject({
      count: 5,
      paths: ['e2e/login.spec.ts', 'e2e/smoke.spec.ts', 'src/__tests__/App.test.tsx', 'src/components/__tests__/Button.tsx', 'src/utils/format.spec.ts'],
      by_convention: { suffix: 4, 'tests-folder': 2, 'test-dir': 0, cypress: 0, 'e2e-dir': 2 },
      by_framework: { jest: 5, playwright: 4 },
      suffix_rule_count: 4,
    });
    expect(slice.smoke_e2e).toEqual({
      path_count: 2,
      paths: [
        { path: 'e2e/login.spec.ts', kind: 'e2e' },
        { path: 'e2e/smoke.spec.ts', kind: 'smoke' },
      ],
      paths_truncated: false,
      scripts: [
        { name: 'test:e2e', kind: 'e2e' },
        { name: 'test:smoke', kind: 'smoke' },
      ],
    });
    expect(slice.coverage).toEqual({
      configured: true,
      configs: [
        {
          file: 'package.json',
          tool: 'jest',
          provider: null,
          enabled: null,
          check_coverage: null,
          thresholds_declared: true,
          thresholds: { branches: 80, functions: 80, lines: 85, statements: -10 },
          per_path_thresholds: 1,
        },
      ],
      scripts: ['test:coverage'],
    });
  });

  it('vitest thresholds read from vitest.config.ts without running it', async () => {
    const { slice } = await runFixture('vitest-library');
    expect(frameworkNames(slice)).toEqual(['vitest']);
    expect(slice.coverage.configs).toEqual([
      {
        file: 'vitest.config.ts',
        tool: 'vitest',
        provider: 'v8',
        enabled: null,
        check_coverage: null,
        thresholds_declared: true,
        thresholds: { branches: 85, functions: 90, lines: 90, statements: 90 },
        per_path_thresholds: 1,
      },
    ]);
    expect(slice.test_files.paths).toEqual(['src/core/parse.test.ts', 'src/range.test.ts', 'test/smoke.test.ts']);
    expect(slice.smoke_e2e.paths).toEqual([{ path: 'test/smoke.test.ts', kind: 'smoke' }]);
  });

  it('mocha defaults (test/*.js, not recursive) and nyc check-coverage', async () => {
    const { slice } = await runFixture('mocha-nyc-service');
    expect(frameworkNames(slice)).toEqual(['mocha']);
    // Only the name mocha loads by itself; `.mocharc.integration.yml` is passed with --config.
    expect(slice.frameworks[0].config_files).toEqual(['.mocharc.yml']);
    expect(slice.test_files).toMatchObject({ count: 2, paths: ['test/ledger.js', 'test/money.js'], by_framework: { mocha: 2 }, suffix_rule_count: 0 });
    expect(slice.smoke_e2e.paths).toEqual([{ path: 'test/smoke/health.js', kind: 'smoke' }]);
    expect(slice.coverage.configs).toEqual([
      {
        file: '.nycrc.json',
        tool: 'nyc',
        provider: null,
        enabled: null,
        check_coverage: true,
        thresholds_declared: true,
        thresholds: { branches: 70, functions: 75, lines: 80, statements: 80 },
        per_path_thresholds: 0,
      },
    ]);
    expect(slice.coverage.scripts).toEqual(['test']);
  });

  it('node --test through npm run, cypress specs, c8 in package.json and .c8rc.json', async () => {
    const { slice } = await runFixture('node-test-cypress');
    expect(frameworkNames(slice)).toEqual(['cypress', 'node-test']);
    expect(slice.test_script.frameworks).toEqual(['node-test']);
    expect(slice.test_files.paths).toEqual(['cypress/e2e/checkout.cy.ts', 'src/cart.test.mjs']);
    expect(slice.test_files.by_convention).toMatchObject({ cypress: 1, suffix: 1 });
    // The support file is not a test, although `e2e` is in its name.
    expect(slice.smoke_e2e.paths).toEqual([{ path: 'cypress/e2e/checkout.cy.ts', kind: 'e2e' }]);
    expect(slice.coverage.configs.map((c: { file: string; tool: string; thresholds: unknown; check_coverage: unknown }) => [c.file, c.tool, c.thresholds, c.check_coverage])).toEqual([
      ['.c8rc.json', 'c8', { branches: 60 }, null],
      ['package.json', 'c8', { lines: 75 }, true],
    ]);
  });

  it('jest.config.ts: literal thresholds read, a computed one left out', async () => {
    const { slice } = await runFixture('jest-config-module');
    expect(slice.coverage.configs).toEqual([
      {
        file: 'jest.config.ts',
        tool: 'jest',
        provider: 'v8',
        enabled: true,
        check_coverage: null,
        thresholds_declared: true,
        thresholds: { branches: 75, lines: 80 },
        per_path_thresholds: 1,
      },
    ]);
  });
});

describe('test-inventory details', () => {
  it('`--reporter tap` is an option of mocha, not the tap runner', async () => {
    const { slice } = await runProbeInMemory(probe, {
      'package.json': JSON.stringify({ scripts: { test: 'mocha --reporter tap test/', 'test:tap': 'tap test/*.js' } }),
    });
    const tap = (slice as Slice).frameworks.find((f: { name: string }) => f.name === 'tap');
    expect(tap.scripts).toEqual(['test:tap']);
  });

  it('lists are cut at the catalog limit while counts stay complete', async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 1205; i++) tree[`src/m${String(i).padStart(4, '0')}.test.ts`] = '';
    const { slice } = await runProbeInMemory(probe, tree);
    const files = (slice as Slice).test_files;
    expect(files.count).toBe(1205);
    expect(files.paths).toHaveLength(1000);
    expect(files.paths_truncated).toBe(true);
    expect(files.paths[999]).toBe('src/m0999.test.ts');
  });

  it('reads only its declared inputs; nested configs are not read', () => {
    const matches = inputMatcher(probe.inputs);
    for (const p of ['package.json', '.nycrc', '.nycrc.yaml', '.c8rc.json', 'jest.config.ts', 'jest.config.json', 'vitest.config.mts', 'vite.config.js']) {
      expect({ p, matched: matches(p) }).toEqual({ p, matched: true });
    }
    for (const p of ['packages/a/jest.config.js', 'src/a.test.ts', 'playwright.config.ts', '.mocharc.yml', 'cypress.config.ts', 'node_modules/x/package.json']) {
      expect({ p, matched: matches(p) }).toEqual({ p, matched: false });
    }
  });

  it('changing any file outside the inputs leaves the slice byte-identical (same paths)', async () => {
    const pathArb = fc.constantFrom(
      'package.json',
      'jest.config.js',
      'vitest.config.ts',
      '.nycrc',
      'src/a.test.ts',
      'test/b.js',
      'e2e/c.spec.ts',
      'playwright.config.ts',
      '.mocharc.yml',
      'packages/x/jest.config.js',
      'packages/x/package.json',
      'cypress/e2e/d.cy.ts',
    );
    const contentArb = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        '{"scripts":{"test":"jest --coverage"},"devDependencies":{"jest":"29"},"jest":{"coverageThreshold":{"global":{"lines":90}}}}',
        'export default { test: { coverage: { thresholds: { lines: 80 } } } }',
        'module.exports = { coverageThreshold: { global: { branches: 50 } } }',
        '{"check-coverage": true, "lines": 70}',
      ),
    );
    await assertOutsideInputsIgnored(probe, pathArb, contentArb, 150);
  });
});
