/**
 * Reads the rule tests in `fixtures/scan-rules/rule-tests/<rule id>.yaml` (ast-grep's shape:
 * `id`, `valid:` and `invalid:` snippets). A snippet is a string, tried in every language of the
 * rule, or `{ code, path }` to give it a file name (for rules limited by `files:` globs).
 * Test support only; the probe never reads fixtures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../tools/package-root';
import { isRecord, parseYaml } from '../../tools/parse';
import { languageOf, type ScanLanguage } from './languages';

export interface Example {
  code: string;
  path?: string;
}

export interface RuleExamples {
  id: string;
  valid: Example[];
  invalid: Example[];
}

export function ruleTestsDir(): string {
  return join(packageRoot(), 'fixtures', 'scan-rules', 'rule-tests');
}

function examples(value: unknown): Example[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v): Example[] => {
    if (typeof v === 'string') return [{ code: v }];
    if (isRecord(v) && typeof v.code === 'string') return [{ code: v.code, ...(typeof v.path === 'string' ? { path: v.path } : {}) }];
    return [];
  });
}

export function loadRuleExamples(dir = ruleTestsDir()): RuleExamples[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const parsed = parseYaml(file, readFileSync(join(dir, file), 'utf8'));
      if (!parsed.ok || !isRecord(parsed.value) || typeof parsed.value.id !== 'string') throw new Error(`bad rule test file ${file}`);
      return { id: parsed.value.id, valid: examples(parsed.value.valid), invalid: examples(parsed.value.invalid) };
    });
}

const DEFAULT_PATHS: Record<ScanLanguage, string[]> = {
  JavaScript: ['src/example.js', 'src/example.mjs', 'src/example.cjs', 'src/example.jsx'],
  TypeScript: ['src/example.ts', 'src/example.mts', 'src/example.cts'],
  Tsx: ['src/example.tsx'],
};

/** The (path, language) pairs an example is tried with: its own path, or one allowed path per rule language. */
export function examplePlacements(
  example: Example,
  languages: readonly ScanLanguage[],
  allowed: (path: string, lang: ScanLanguage) => boolean,
): Array<{ path: string; lang: ScanLanguage }> {
  if (example.path) {
    const lang = languageOf(example.path);
    return lang ? [{ path: example.path, lang }] : [];
  }
  return languages.flatMap((lang) => {
    const path = DEFAULT_PATHS[lang].find((p) => allowed(p, lang));
    return path ? [{ path, lang }] : [];
  });
}
