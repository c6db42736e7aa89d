/**
 * Conformance of the language probe (file counts per extension) with the shared corpus.
 * The corpus counts every files.txt line, case-sensitively, for a fixed list of extensions; the
 * probe counts the file index (noise folders left out) by lower-cased extension. The expected
 * figure is derived from files.txt with the same two differences applied, and the corpus figure
 * itself is checked against files.txt, so each mismatch is explained by name.
 */
import { posix } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import probe from '../../probes/language/index';
import { fileIndexCatalog, noiseMatcher } from '../../tools/file-index';
import { runProbeInMemory } from '../../tools/testing';
import { corpusRepos, facts, materialize } from './corpus';

interface Facts {
  fileCount: number;
  extensionCounts: Record<string, number>;
}

const table: string[] = [];

describe.skipIf(corpusRepos.length === 0)('language conformance with the shared corpus', () => {
  afterAll(() => {
    if (table.length > 0) console.log(['language conformance (extensionCounts):', ...table].join('\n'));
  });

  for (const repo of corpusRepos) {
    it(`${repo}: file and extension counts`, async () => {
      const f = facts<Facts>(repo);
      const { tree, listed } = materialize(repo);
      expect(listed.length).toBe(f.fileCount);
      const { slice } = await runProbeInMemory(probe, tree);
      const s = slice as { total_files: number; excluded_noise_files: number; extensions: Record<string, number> };
      expect(s.total_files + s.excluded_noise_files).toBe(f.fileCount);

      const isNoise = noiseMatcher(fileIndexCatalog().noiseDirs);
      let matched = 0;
      const notes: string[] = [];
      for (const [ext, corpusCount] of Object.entries(f.extensionCounts)) {
        // The corpus rule, re-derived from files.txt: proves we read the fact the way it was made.
        expect(listed.filter((p) => posix.extname(p) === ext).length, `${repo} corpus ${ext}`).toBe(corpusCount);
        const inNoise = listed.filter((p) => posix.extname(p) === ext && isNoise(p)).length;
        const otherCase = listed.filter((p) => posix.extname(p) !== ext && posix.extname(p).toLowerCase() === ext && !isNoise(p)).length;
        const expected = corpusCount - inNoise + otherCase;
        expect(s.extensions[ext] ?? 0, `${repo} ${ext}`).toBe(expected);
        matched++;
        if (inNoise > 0 || otherCase > 0) notes.push(`${ext}: ${corpusCount} − ${inNoise} in noise folders${otherCase ? ` + ${otherCase} upper-case` : ''}`);
      }
      table.push(`  ${repo}: ${matched}/${Object.keys(f.extensionCounts).length} extensions${notes.length ? ` (${notes.join('; ')})` : ''}`);
    });
  }
});
