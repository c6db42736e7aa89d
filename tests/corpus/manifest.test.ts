/**
 * Conformance of the manifest probe against the shared corpus (`../shared/corpus`): each
 * repository is materialized in memory (`files.txt` as empty files, `tree/` copied over them), the
 * probe runs through the real context (declared-inputs check included), and the slice is compared
 * with `facts.json`. Prints the conformance table and the probe's median run time on the largest
 * corpus repositories. Skips when the corpus is absent.
 *
 * Two corpus counting rules differ from the probe's headline figures, so the slice exposes the
 * figure that follows the rule:
 * - lockfile package counts use `entry_count` (the format's own entries: npm counts installed
 *   names, so an `npm:` alias counts twice), not `package_count` (aliases folded into the real
 *   package);
 * - workspace packages use `readable_package_count`: the corpus counts only the package.json files
 *   it copied, and the ones it did not copy are materialized here as empty (unreadable) files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import probe from '../../probes/manifest/index';
import type { ExcludedLockfile, LockfileReport } from '../../probes/manifest/extract';
import type { PackageSummary } from '../../probes/manifest/package-json';
import { runProbeInMemory } from '../../tools/testing';
import { CORPUS, corpusRepos, materialize } from './corpus';

const repos = corpusRepos;

interface Facts {
  packageManagerField: string | null;
  lockfiles: string[];
  lockfileVersions: Record<string, string | number>;
  lockfilePackageCounts: Record<string, number>;
  workspaceGlobs: string[] | null;
  workspaceGlobsBySource?: Record<string, { globs: string[]; matchingCount: number }>;
  workspacePackageCountMatchingGlobs: number | null;
  rootDependencies: number;
  rootDevDependencies: number;
  engines: Record<string, string> | null;
  fileCount: number;
}

interface Slice {
  package_manager_field: string | null;
  engines: Record<string, string> | null;
  packages: PackageSummary[];
  workspaces: { source: string | null; globs: string[] | null; package_count: number; readable_package_count: number };
  lockfiles: LockfileReport[];
  excluded_lockfiles: ExcludedLockfile[];
}

function pick<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  return Object.fromEntries(keys.filter((k) => k in record).map((k) => [k, record[k]]));
}

const table: string[] = [];

describe.skipIf(repos.length === 0)('manifest conformance with the shared corpus', () => {
  afterAll(() => {
    if (table.length > 0) console.log(['manifest conformance (facts matched/checked):', ...table].join('\n'));
  });

  for (const repo of repos) {
    it(`${repo}: lockfile counts and versions, workspaces, root dependencies, packageManager, engines`, async () => {
      const repoDir = join(CORPUS, repo);
      const facts = JSON.parse(readFileSync(join(repoDir, 'facts.json'), 'utf8')) as Facts;
      const result = await runProbeInMemory(probe, materialize(repo).tree);
      const slice = result.slice as unknown as Slice;
      const root = slice.packages.find((p) => p.role === 'root');
      // Fixture and test-app lockfiles (hono's benchmarks/) are reported apart, with their counts.
      const everyLockfile: Array<LockfileReport | ExcludedLockfile> = [...slice.lockfiles, ...slice.excluded_lockfiles];
      const byPath = Object.fromEntries(everyLockfile.map((l) => [l.path, l]));

      const bySource = slice.workspaces.source ? facts.workspaceGlobsBySource?.[slice.workspaces.source] : undefined;
      const checks: Array<[string, unknown, unknown]> = [
        ['lockfilePackageCounts', pick(Object.fromEntries(everyLockfile.map((l) => [l.path, l.entry_count])), facts.lockfiles), facts.lockfilePackageCounts],
        ['lockfileVersions', pick(Object.fromEntries(everyLockfile.map((l) => [l.path, l.format_version])), facts.lockfiles), facts.lockfileVersions],
        // The corpus puts package.json first when both sources exist (astro); pnpm reads only
        // pnpm-workspace.yaml then, and so does the probe: compare with the facts of that source.
        ['workspaceGlobs', slice.workspaces.globs, bySource?.globs ?? facts.workspaceGlobs],
        ['workspacePackageCountMatchingGlobs', slice.workspaces.globs === null ? null : slice.workspaces.readable_package_count, bySource?.matchingCount ?? facts.workspacePackageCountMatchingGlobs],
        ['rootDependencies', root ? Object.keys(root.dependencies.production).length : 0, facts.rootDependencies],
        ['rootDevDependencies', root ? Object.keys(root.dependencies.dev).length : 0, facts.rootDevDependencies],
        ['packageManagerField', slice.package_manager_field, facts.packageManagerField],
        ['engines', slice.engines, facts.engines],
      ];
      const mismatches = checks.filter(([, got, want]) => JSON.stringify(got) !== JSON.stringify(want));
      const notes: string[] = [];
      for (const path of facts.lockfiles) {
        const lock = byPath[path];
        if (lock && lock.package_count !== lock.entry_count) notes.push(`${path}: ${lock.package_count} packages after folding aliases, patches and local entries vs ${lock.entry_count} entries`);
        if (lock && 'role' in lock && lock.role !== 'root') notes.push(`${path}: ${lock.role}`);
      }
      if (slice.workspaces.package_count !== slice.workspaces.readable_package_count) {
        notes.push(`${slice.workspaces.package_count - slice.workspaces.readable_package_count} matching package.json files are uncopied placeholders`);
      }
      table.push(`  ${repo}: ${checks.length - mismatches.length}/${checks.length}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
      expect(mismatches.map(([name, got, want]) => ({ name, got, want }))).toEqual([]);
    });
  }

  it('median run time on the largest corpus repositories', async () => {
    const sizes = repos.map((repo) => {
      const facts = JSON.parse(readFileSync(join(CORPUS, repo, 'facts.json'), 'utf8')) as Facts;
      const lockBytes = facts.lockfiles.reduce((n, p) => n + readFileSync(join(CORPUS, repo, 'tree', p)).length, 0);
      return { repo, files: facts.fileCount, lockBytes };
    });
    const largestByFiles = [...sizes].sort((a, b) => b.files - a.files)[0];
    const largestByLockfiles = [...sizes].sort((a, b) => b.lockBytes - a.lockBytes)[0];
    const lines: string[] = [];
    for (const { repo, files, lockBytes } of [largestByFiles, largestByLockfiles]) {
      const { tree } = materialize(repo);
      await runProbeInMemory(probe, tree); // warm-up: module loading and JIT
      const times: number[] = [];
      for (let i = 0; i < 11; i++) {
        const started = process.hrtime.bigint();
        await runProbeInMemory(probe, tree);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      times.sort((a, b) => a - b);
      lines.push(`  ${repo} (${files} files, ${Math.round(lockBytes / 1024)} KB of lockfiles): median ${times[5].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[10].toFixed(1)} ms over 11 runs`);
      expect(times[5]).toBeGreaterThan(0);
    }
    console.log(['manifest probe run time (in-memory tree, through the real context):', ...lines].join('\n'));
  });
});
