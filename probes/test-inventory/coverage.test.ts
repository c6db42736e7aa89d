import { describe, expect, it } from 'vitest';
import { istanbulFromData, jestFromData, jestFromModule, parseRcFile, vitestFromModule } from './coverage';

describe('coverage from config modules (text/AST, never executed)', () => {
  it('vitest: thresholds with the 100 shorthand, quoted keys and glob entries', async () => {
    const f = await vitestFromModule(
      'vite.config.mts',
      `import { defineConfig } from 'vite'
      export default defineConfig({
        plugins: [],
        test: { coverage: { provider: "istanbul", enabled: true, thresholds: { 'branches': 70, 100: true, "src/a/**": { lines: 50 }, perFile: true } } },
      })`,
    );
    expect(f).toEqual({
      file: 'vite.config.mts',
      tool: 'vitest',
      provider: 'istanbul',
      enabled: true,
      check_coverage: null,
      thresholds_declared: true,
      thresholds: { branches: 70, functions: 100, lines: 100, statements: 100 },
      per_path_thresholds: 1,
    });
  });

  it('vitest before 1.0: metrics directly under coverage', async () => {
    const f = await vitestFromModule('vitest.config.js', 'module.exports = { test: { coverage: { lines: 60, branches: 55.5 } } }');
    expect(f?.thresholds).toEqual({ branches: 55.5, lines: 60 });
  });

  it('vitest: coverage without thresholds, thresholds from a variable', async () => {
    expect(await vitestFromModule('vite.config.ts', "export default { test: { coverage: { provider: 'v8' } } }")).toMatchObject({ thresholds_declared: false, thresholds: null, provider: 'v8' });
    expect(await vitestFromModule('vite.config.ts', 'const t = { lines: 80 }; export default { test: { coverage: { thresholds: t } } }')).toMatchObject({
      thresholds_declared: true,
      thresholds: null,
    });
    expect(await vitestFromModule('vite.config.ts', 'export default { build: { outDir: "x" } }')).toBeUndefined();
  });

  it('jest: negative thresholds, template-literal provider, broken syntax tolerated', async () => {
    const f = await jestFromModule(
      'jest.config.cjs',
      'module.exports = { coverageProvider: `babel`, coverageThreshold: { global: { statements: -20, lines: +90 } } ',
    );
    expect(f).toMatchObject({ provider: 'babel', thresholds: { lines: 90, statements: -20 }, per_path_thresholds: 0 });
    expect(await jestFromModule('jest.config.js', 'module.exports = { testEnvironment: "node" }')).toBeUndefined();
  });
});

describe('coverage from data', () => {
  it('jest options object', () => {
    expect(jestFromData('package.json', { testEnvironment: 'node' })).toBeUndefined();
    expect(jestFromData('package.json', { collectCoverage: true, coverageThreshold: { global: { lines: 'high' } } })).toMatchObject({
      enabled: true,
      thresholds_declared: true,
      thresholds: null,
    });
  });

  it('nyc / c8 in either spelling', () => {
    expect(istanbulFromData('.nycrc', 'nyc', { checkCoverage: false, functions: 50 })).toMatchObject({ check_coverage: false, thresholds: { functions: 50 } });
    expect(istanbulFromData('.c8rc', 'c8', { reporter: ['text'] })).toMatchObject({ thresholds_declared: false, thresholds: null });
  });

  it('.nycrc may be YAML; bad content is an issue, not a crash', () => {
    expect(parseRcFile('.nycrc', 'check-coverage: true\nlines: 90\n').value).toEqual({ 'check-coverage': true, lines: 90 });
    expect(parseRcFile('.nycrc.json', '{"lines": 90,}').value).toEqual({ lines: 90 });
    expect(parseRcFile('.c8rc', '{ nope').issue?.code).toBe('parse-error');
    expect(parseRcFile('.nycrc.yml', '- 1\n- 2\n').issue?.code).toBe('not-an-object');
  });
});
