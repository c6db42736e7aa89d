/**
 * Test files by path, from the file index: the framework-independent conventions of the catalog
 * (`*.test.*`, `*.spec.*`, `__tests__/`, files directly in `test/`/`tests/`, `*.cy.*`, `e2e/`),
 * each detected framework's own default globs, and the corpus' suffix rule for comparison.
 * We count files, not test cases: a file with thirty `it()` blocks counts once.
 */
import { byCodeUnit } from '../../tools/parse';
import { inFolder, testCatalog } from './catalog';

export interface TestFilesFact {
  /** Files matching at least one convention, outside test-data folders. */
  count: number;
  /** Code-unit order, cut at the catalog limit (`paths_truncated` says so). */
  paths: string[];
  paths_truncated: boolean;
  by_convention: Record<string, number>;
  /** Per detected framework with default globs: files those defaults would pick up. */
  by_framework: Record<string, number>;
  /** Index paths matching `\.(test|spec)\.[cm]?[jt]sx?$`, test-data folders included (comparable to the corpus' testFileCount). */
  suffix_rule_count: number;
}

export interface SmokeFact {
  path_count: number;
  paths: Array<{ path: string; kind: 'smoke' | 'e2e' }>;
  paths_truncated: boolean;
  scripts: Array<{ name: string; kind: 'smoke' | 'e2e' }>;
}

const CODE_FILE = /\.[cm]?[jt]sx?$/;
const CONFIG_NAME = /(^|[.-])(config|conf|rc)\.|^\.[^.]+rc\./;

export function inventoryTestFiles(indexedPaths: readonly string[], frameworks: readonly string[]): TestFilesFact {
  const catalog = testCatalog();
  const byConvention: Record<string, number> = Object.fromEntries(catalog.conventions.map((c) => [c.name, 0]));
  const detected = catalog.frameworks.filter((f) => frameworks.includes(f.name) && f.spec.testFiles.length > 0);
  const byFramework: Record<string, number> = Object.fromEntries(detected.map((f) => [f.name, 0]));
  const matched: string[] = [];
  let suffixRuleCount = 0;
  for (const path of indexedPaths) {
    if (catalog.suffixRule.test(path)) suffixRuleCount++;
    if (!CODE_FILE.test(path) || inFolder(path, catalog.ignoreFolders)) continue;
    let any = false;
    for (const c of catalog.conventions) {
      if (c.re.test(path)) {
        byConvention[c.name]++;
        any = true;
      }
    }
    if (any) matched.push(path);
    for (const f of detected) if (f.testFile(path)) byFramework[f.name]++;
  }
  matched.sort(byCodeUnit);
  return {
    count: matched.length,
    paths: matched.slice(0, catalog.maxListedPaths),
    paths_truncated: matched.length > catalog.maxListedPaths,
    by_convention: byConvention,
    by_framework: byFramework,
    suffix_rule_count: suffixRuleCount,
  };
}

function smokeKind(parts: readonly string[], words: ReadonlySet<string>): 'smoke' | 'e2e' | undefined {
  let hit: 'smoke' | 'e2e' | undefined;
  for (const part of parts) {
    const p = part.toLowerCase();
    if (!words.has(p)) continue;
    if (p === 'smoke') return 'smoke';
    hit = 'e2e';
  }
  return hit;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function findSmokeTests(indexedPaths: readonly string[], scripts: Readonly<Record<string, string>>): SmokeFact {
  const catalog = testCatalog();
  // One case-insensitive test per path first; splitting every path into parts is the slow part.
  const mentions = new RegExp(`(^|[/._:-])(${[...catalog.smokeWords].map(escapeRegExp).join('|')})([/._:-]|$)`, 'i');
  const paths: SmokeFact['paths'] = [];
  for (const path of indexedPaths) {
    if (!mentions.test(path) || !CODE_FILE.test(path) || inFolder(path, catalog.ignoreFolders)) continue;
    // `vitest.config.e2e.ts`, `protractor.conf.js`: configuration of e2e runs, not tests.
    if (CONFIG_NAME.test(path.slice(path.lastIndexOf('/') + 1))) continue;
    // `cypress/support/e2e.ts` is a support file: only test-like files qualify.
    if (!inFolder(path, catalog.testFolders) && !catalog.conventions.some((c) => c.re.test(path))) continue;
    const kind = smokeKind(path.split(/[/._:-]/), catalog.smokeWords);
    if (kind) paths.push({ path, kind });
  }
  paths.sort((a, b) => byCodeUnit(a.path, b.path));
  const scriptHits: SmokeFact['scripts'] = [];
  for (const name of Object.keys(scripts).sort(byCodeUnit)) {
    const kind = smokeKind(name.split(/[/._:-]/), catalog.smokeWords);
    if (kind) scriptHits.push({ name, kind });
  }
  return {
    path_count: paths.length,
    paths: paths.slice(0, catalog.maxListedPaths),
    paths_truncated: paths.length > catalog.maxListedPaths,
    scripts: scriptHits,
  };
}
