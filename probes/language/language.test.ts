import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import probe from './index';
import { runProbeInMemory } from '../../tools/testing';

describe('language probe', () => {
  it('counts languages, picks the primary one and names the monorepo tool', async () => {
    const result = await runProbeInMemory(probe, {
      'package.json': JSON.stringify({ name: 'x', workspaces: ['packages/*'] }),
      'yarn.lock': '',
      'turbo.json': '{}',
      'src/a.ts': '',
      'src/b.tsx': '',
      'src/c.js': '',
      'node_modules/dep/index.js': '',
      'README.md': '',
    });
    expect(result.errors).toEqual([]);
    expect(result.slice).toMatchObject({
      total_files: 7,
      excluded_noise_files: 1,
      languages: { JavaScript: 1, Markdown: 1, TypeScript: 2, JSON: 2 },
      primary_language: 'TypeScript',
      monorepo: { is_monorepo: true, tools: ['turbo', 'yarn-workspaces'], package_json_count: 1 },
    });
  });

  it('reports a malformed package.json and still counts files', async () => {
    const result = await runProbeInMemory(probe, { 'package.json': '{ nope', 'a.js': '' });
    expect(result.errors?.[0]).toMatchObject({ code: 'parse-error', file: 'package.json' });
    expect(result.slice.primary_language).toBe('JavaScript');
  });

  it('never throws and gives the same slice for any order of the same paths', async () => {
    const path = fc.array(fc.constantFrom('src', 'lib', 'node_modules', 'a b', 'é', '.github'), { minLength: 0, maxLength: 3 });
    const file = fc.tuple(path, fc.constantFrom('x.ts', 'y.JS', 'Dockerfile', '.nvmrc', 'z.d.ts', 'noext'));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(file.map(([d, f]) => [...d, f].join('/')), { maxLength: 30 }), async (paths) => {
        const tree = Object.fromEntries(paths.map((p) => [p, '']));
        const reversed = Object.fromEntries([...paths].reverse().map((p) => [p, '']));
        const a = await runProbeInMemory(probe, tree);
        const b = await runProbeInMemory(probe, reversed);
        expect(JSON.stringify(a.slice)).toBe(JSON.stringify(b.slice));
      }),
      { numRuns: 100 },
    );
  });
});

describe('language probe inputs', () => {
  it('ignores the content of every file outside its inputs (only paths and package.json matter)', async () => {
    const { assertOutsideInputsIgnored } = await import('../../tests/helpers/probe-properties');
    const path = fc.constantFrom('package.json', 'src/a.ts', 'lib/b.js', 'README.md', 'pnpm-workspace.yaml', 'yarn.lock', 'packages/x/package.json');
    const content = fc.oneof(fc.constant('{"workspaces":["packages/*"]}'), fc.constant('{}'), fc.string({ maxLength: 20 }));
    await assertOutsideInputsIgnored(probe, path, content, 150);
  });
});
