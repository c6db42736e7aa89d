/**
 * Conformance of the test-inventory probe against the shared corpus (`../shared/corpus`).
 *
 * The corpus' `testFileCount` applies `/\.(test|spec)\.[cm]?[jt]sx?$/` to every line of
 * files.txt, node_modules and fixtures included. The probe sees the file index, which leaves out
 * noise folders (node_modules, dist, build, target, ...), and reports the same regex over it as
 * `test_files.suffix_rule_count`. So the expected figure is the corpus count minus the matching
 * paths inside noise folders; the test computes that difference and names it per repository.
 * Skips when the corpus is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import probe from '../../probes/test-inventory/index';
import { fileIndexCatalog, noiseMatcher } from '../../tools/file-index';
import { runProbeInMemory } from '../../tools/testing';
import { CORPUS, corpusRepos, materialize } from './corpus';

const repos = corpusRepos;

const SUFFIX_RULE = /\.(test|spec)\.[cm]?[jt]sx?$/;

const table: string[] = [];

describe.skipIf(repos.length === 0)('test-inventory conformance with the shared corpus', () => {
  afterAll(() => {
    if (table.length > 0) console.log(['test-inventory conformance (testFileCount):', ...table].join('\n'));
  });

  for (const repo of repos) {
    it(`${repo}: testFileCount`, async () => {
      const repoDir = join(CORPUS, repo);
      const facts = JSON.parse(readFileSync(join(repoDir, 'facts.json'), 'utf8')) as { testFileCount: number };
      const { tree, listed } = materialize(repo);
      const result = await runProbeInMemory(probe, tree);
      const files = (result.slice as { test_files: { suffix_rule_count: number; count: number } }).test_files;

      const noiseDirs = fileIndexCatalog().noiseDirs;
      const isNoise = noiseMatcher(noiseDirs);
      const inNoise = listed.filter((p) => SUFFIX_RULE.test(p) && isNoise(p));
      const expected = facts.testFileCount - inNoise.length;
      const matched = files.suffix_rule_count === expected;
      const folders = [...new Set(inNoise.map((p) => p.split('/').slice(0, -1).find((segment) => noiseDirs.includes(segment)) ?? '?'))].sort();
      table.push(
        `  ${repo}: ${matched ? 1 : 0}/1 — corpus ${facts.testFileCount}, probe ${files.suffix_rule_count}` +
          (inNoise.length ? ` (${inNoise.length} in noise folders: ${folders.join(', ')})` : '') +
          `; convention total ${files.count}`,
      );
      expect(files.suffix_rule_count).toBe(expected);
      // The probe never reads test files; only empty placeholder configs may produce warnings.
      expect(result.errors).toEqual([]);
    });
  }
});
