/**
 * Decides, from a file's name and text alone, whether the scanner parses it. Huge, binary,
 * minified and generated files are skipped and counted: parsing them is slow, their findings
 * are noise (the fix belongs in their source), and the decision depends only on the bytes, so
 * the counts are deterministic. Thresholds and markers live in `catalogs/scan-rules/_skip.yaml`.
 */
import { loadCatalog } from '../../tools/catalog';

export type SkipReason = 'too_large' | 'binary' | 'minified' | 'generated';

export interface SkipSettings {
  maxFileBytes: number;
  minifiedNameSuffixes: string[];
  minifiedMaxLineLength: number;
  minifiedMinBytes: number;
  minifiedAverageLineLength: number;
  generatedHeaderChars: number;
  generatedMarkers: string[];
  sourceMapMarkers: string[];
  sourceMapTailChars: number;
}

export function loadSkipSettings(): SkipSettings {
  return loadCatalog<SkipSettings>('scan-rules/_skip');
}

function longestLineAndCount(text: string): { longest: number; lines: number } {
  let longest = 0;
  let lines = 1;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (end - start > longest) longest = end - start;
    if (nl < 0) break;
    lines++;
    start = nl + 1;
  }
  return { longest, lines };
}

/** Why `text` (the content of `path`) is not parsed, or undefined when it is scanned. */
export function skipReason(path: string, text: string, settings: SkipSettings, maxFileBytes = settings.maxFileBytes): SkipReason | undefined {
  if (text.length > maxFileBytes || Buffer.byteLength(text, 'utf8') > maxFileBytes) return 'too_large';
  if (text.includes('\u0000')) return 'binary';
  if (settings.minifiedNameSuffixes.some((suffix) => path.endsWith(suffix))) return 'minified';
  const head = text.slice(0, settings.generatedHeaderChars);
  if (settings.generatedMarkers.some((m) => head.includes(m))) return 'generated';
  const tail = text.slice(-settings.sourceMapTailChars);
  if (settings.sourceMapMarkers.some((m) => tail.includes(m))) return 'generated';
  const { longest, lines } = longestLineAndCount(text);
  if (longest > settings.minifiedMaxLineLength) return 'minified';
  if (text.length >= settings.minifiedMinBytes && text.length / lines > settings.minifiedAverageLineLength) return 'minified';
  return undefined;
}
