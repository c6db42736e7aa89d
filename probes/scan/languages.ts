/**
 * Which parser reads which file. The names are `@ast-grep/napi`'s `Lang` values (plain strings,
 * so this module does not load the native addon): JSX parses with the JavaScript grammar,
 * `.tsx` needs the Tsx grammar, the other TypeScript extensions the TypeScript one.
 */
import { posix } from 'node:path';

export const SCAN_LANGUAGES = ['JavaScript', 'Tsx', 'TypeScript'] as const;
export type ScanLanguage = (typeof SCAN_LANGUAGES)[number];

const EXTENSION_LANGUAGE: Readonly<Record<string, ScanLanguage>> = {
  '.js': 'JavaScript',
  '.jsx': 'JavaScript',
  '.mjs': 'JavaScript',
  '.cjs': 'JavaScript',
  '.ts': 'TypeScript',
  '.mts': 'TypeScript',
  '.cts': 'TypeScript',
  '.tsx': 'Tsx',
};

/** `--only` values: a family name, or one extension without its dot. */
const FAMILIES: Readonly<Record<string, readonly string[]>> = {
  js: ['.js', '.jsx', '.mjs', '.cjs'],
  ts: ['.ts', '.tsx', '.mts', '.cts'],
};

export const SCANNED_EXTENSIONS: readonly string[] = Object.keys(EXTENSION_LANGUAGE);

/** The parser for `path`, or undefined when it is not a scanned extension (case-sensitive, like the input globs). */
export function languageOf(path: string): ScanLanguage | undefined {
  return EXTENSION_LANGUAGE[posix.extname(path)];
}

/** Turns `only` values (`['ts', 'js']`, `['tsx']`) into the set of extensions to scan; unknown values are returned. */
export function extensionsForOnly(values: readonly string[]): { extensions: Set<string>; unknown: string[] } {
  const extensions = new Set<string>();
  const unknown: string[] = [];
  for (const raw of values) {
    const value = raw.trim().toLowerCase().replace(/^\./, '');
    const family = FAMILIES[value];
    if (family) family.forEach((e) => extensions.add(e));
    else if (EXTENSION_LANGUAGE[`.${value}`]) extensions.add(`.${value}`);
    else unknown.push(raw);
  }
  return { extensions, unknown };
}
