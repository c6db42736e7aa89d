/**
 * Conformance of the build-system probe against the shared corpus (`../shared/corpus`): each
 * repository is materialized in memory (`files.txt` as empty files, `tree/` copied over them) and
 * the slice is compared with `facts.json`. Skips when the corpus is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import probe from '../../probes/build-system/index';
import { fileIndexCatalog, noiseMatcher } from '../../tools/file-index';
import { runProbeInMemory } from '../../tools/testing';
import { CORPUS, corpusRepos, materialize } from './corpus';

const repos = corpusRepos;

interface Facts {
  packageManagerField: string | null;
  engines: Record<string, string> | null;
  nvmrc: string | null;
  nodeVersionFile: string | null;
  toolVersionsFile: string | null;
  tsconfigFiles: string[];
}

type Slice = {
  package_manager: { field: string | null; name: string | null };
  engines: Record<string, string> | null;
  node: { constraints: Array<{ source: string; value: string }> };
  tool_versions: Record<string, string> | null;
  typescript: { configs: Array<{ path: string; status: string }> };
};

const table: string[] = [];

describe.skipIf(repos.length === 0)('build-system conformance with the shared corpus', () => {
  afterAll(() => {
    if (table.length > 0) console.log(['build-system conformance (matched/checked):', ...table].join('\n'));
  });

  for (const repo of repos) {
    it(`${repo}: package manager field, engines, Node version files, tsconfig files`, async () => {
      const repoDir = join(CORPUS, repo);
      const facts = JSON.parse(readFileSync(join(repoDir, 'facts.json'), 'utf8')) as Facts;
      const { tree, listed } = materialize(repo);
      const result = await runProbeInMemory(probe, tree);
      const slice = result.slice as unknown as Slice;
      const nodeValue = (source: string) => slice.node.constraints.find((c) => c.source === source)?.value ?? null;

      const checks: Array<[string, unknown, unknown]> = [
        ['packageManagerField', slice.package_manager.field, facts.packageManagerField],
        ['engines', slice.engines, facts.engines],
        ['nvmrc', nodeValue('nvmrc'), facts.nvmrc],
        ['nodeVersionFile', nodeValue('node-version'), facts.nodeVersionFile],
        ['toolVersionsFile', slice.tool_versions, toolVersionsMap(facts.toolVersionsFile)],
        // Configs with content are exactly the copied ones; the rest of the listed tsconfig files
        // exist only as empty placeholders (not copied by the corpus rules) and read as `empty`.
        ['tsconfigFiles', slice.typescript.configs.filter((c) => c.status !== 'empty').map((c) => c.path), facts.tsconfigFiles],
      ];
      const mismatches = checks.filter(([, got, want]) => JSON.stringify(got) !== JSON.stringify(want));
      table.push(`  ${repo}: ${checks.length - mismatches.length}/${checks.length}${mismatches.length ? ` (mismatch: ${mismatches.map(([n]) => n).join(', ')})` : ''}`);
      for (const [name, got, want] of checks) expect({ [name]: got }).toEqual({ [name]: want });

      // Every tsconfig*.json the repository lists outside noise folders is reported, no more.
      const isNoise = noiseMatcher(fileIndexCatalog().noiseDirs);
      const expectedAll = listed.filter((p) => /(^|\/)tsconfig[^/]*\.json$/.test(p) && !isNoise(p)).sort();
      expect(slice.typescript.configs.map((c) => c.path)).toEqual(expectedAll);
      // Only placeholders may be unreadable as configs; real files parse.
      expect(result.errors).toEqual([]);
    });
  }
});

/** `.tool-versions` text from facts.json as {tool: first version}. */
function toolVersionsMap(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [tool, version] = line.trim().split(/\s+/);
    if (tool && version && !(tool in out)) out[tool] = version;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
