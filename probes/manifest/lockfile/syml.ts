/**
 * YAML lockfiles (pnpm, yarn berry) through `@yarnpkg/parsers`' `parseSyml`, the parser yarn itself
 * uses. It is js-yaml with the failsafe schema underneath: every scalar is a string, aliases are
 * shared references instead of copies, and a 50,000-package lockfile parses in a fraction of the
 * memory the full `yaml` document model needs (measured: ~150 MB vs ~600 MB peak RSS for 12 MB
 * of pnpm v9 lockfile).
 *
 * Shared references make an alias bomb cheap to parse but not to walk, so files with more than a
 * few aliases are refused before parsing; lockfile writers never emit anchors at all.
 */
import { parseSyml } from '@yarnpkg/parsers';
import type { ProbeIssue } from '../../../tools/probe-api';
import { isRecord } from '../../../tools/parse';
import { issue } from './types';

/** Alias uses tolerated in a file that also defines anchors. */
export const MAX_YAML_ALIASES = 100;

const ANCHOR = /(?:^|[\s[{,:-])&[^\s,[\]{}]+/gm;
const ALIAS = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/gm;

function countMatches(re: RegExp, text: string, stopAt: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) if (++n > stopAt) break;
  return n;
}

export type SymlResult = { ok: true; value: Record<string, unknown> } | { ok: false; issue: ProbeIssue };

/** Parses one YAML document (or yarn v1 text) into a plain object; never throws. */
export function loadSyml(file: string, text: string): SymlResult {
  if (text.includes('\u0000')) return { ok: false, issue: issue(file, 'binary-file', 'contains NUL bytes; not a text lockfile') };
  if (countMatches(ANCHOR, text, 0) > 0 && countMatches(ALIAS, text, MAX_YAML_ALIASES) > MAX_YAML_ALIASES) {
    return { ok: false, issue: issue(file, 'yaml-alias-limit', `more than ${MAX_YAML_ALIASES} YAML aliases; refusing to expand`) };
  }
  try {
    const value = parseSyml(text);
    if (!isRecord(value)) return { ok: false, issue: issue(file, 'parse-error', 'expected a YAML mapping at the top level') };
    return { ok: true, value };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, issue: issue(file, 'parse-error', message) };
  }
}

/**
 * Splits a multi-document YAML stream at its `---` / `...` markers (which YAML only allows at
 * column 0, so a plain line scan is exact) and returns the documents that hold anything.
 */
export function splitYamlDocuments(text: string): string[] {
  if (!/^(---|\.\.\.)(\s|$)/m.test(text)) return [text];
  const docs: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const body = current.join('\n');
    if (/^[ \t]*[^\s#]/m.test(body)) docs.push(body);
    current = [];
  };
  for (const line of text.split('\n')) {
    if (/^---(\s|$)/.test(line)) {
      flush();
      current.push(line.slice(3));
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      flush();
    } else current.push(line);
  }
  flush();
  return docs.length > 0 ? docs : [''];
}

/** Failsafe YAML gives strings; pnpm writes real booleans. Accept both spellings. */
export function yamlTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function yamlString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Entries parsed per chunk when a big section is read piecewise. */
export const SECTION_CHUNK_ENTRIES = 2000;

export class SectionChunkError extends Error {}

/** A document read as its small part (`head`) plus big top-level mappings read piecewise. */
export interface SectionedDocument {
  head: Record<string, unknown>;
  /** Entries of each chunked section, parsed lazily chunk by chunk; throws `SectionChunkError`. */
  sections: Map<string, Iterable<[string, unknown]>>;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function* chunkEntries(file: string, text: string, start: number, end: number, indent: number, perChunk: number): Iterable<[string, unknown]> {
  const boundary = new RegExp(`^ {${indent}}[^ \\t\\r\\n#]`, 'gm');
  boundary.lastIndex = start;
  let chunkStart = start;
  let entries = 0;
  const emit = function* (from: number, to: number): Iterable<[string, unknown]> {
    const loaded = loadSyml(file, `chunk:\n${text.slice(from, to)}`);
    if (!loaded.ok) throw new SectionChunkError(loaded.issue.message);
    const chunk = loaded.value.chunk;
    if (chunk === undefined || chunk === null) return;
    if (!isRecord(chunk)) throw new SectionChunkError('section chunk is not a mapping');
    for (const key of Object.keys(chunk)) yield [key, chunk[key]];
  };
  for (;;) {
    const m = boundary.exec(text);
    if (m === null || m.index >= end) break;
    if (entries > 0 && entries % perChunk === 0) {
      yield* emit(chunkStart, m.index);
      chunkStart = m.index;
    }
    entries++;
    boundary.lastIndex = m.index + 1;
  }
  if (entries > 0) yield* emit(chunkStart, end);
}

/**
 * Reads a block-style YAML document (what pnpm writes) with the named top-level mappings parsed a
 * few thousand entries at a time, so a 50,000-package lockfile never exists as one object. Returns
 * undefined when the text is not in the plain block layout this needs (anchors, tabs, flow-style
 * sections): callers then parse the whole document instead.
 */
export function loadSymlSectioned(file: string, text: string, names: readonly string[], perChunk = SECTION_CHUNK_ENTRIES): SectionedDocument | undefined {
  if (countMatches(ANCHOR, text, 0) > 0 || text.includes('\t')) return undefined;
  const spans: Array<{ name: string; headerStart: number; bodyStart: number; bodyEnd: number; indent: number }> = [];
  for (const name of names) {
    const header = new RegExp(`^${escapeRegExp(name)}:[ ]*\\r?$`, 'gm');
    const found = header.exec(text);
    if (found === null) continue;
    if (header.exec(text) !== null) return undefined;
    const bodyStart = found.index + found[0].length + 1;
    const nextTop = /^[^\s#]/gm;
    nextTop.lastIndex = bodyStart;
    const next = nextTop.exec(text);
    const bodyEnd = next === null ? text.length : next.index;
    const firstLine = /^( *)[^ \r\n#]/gm;
    firstLine.lastIndex = bodyStart;
    const first = firstLine.exec(text);
    if (first === null || first.index >= bodyEnd) continue;
    if (first[1].length === 0) return undefined;
    spans.push({ name, headerStart: found.index, bodyStart, bodyEnd, indent: first[1].length });
  }
  spans.sort((a, b) => a.headerStart - b.headerStart);
  let headText = '';
  let cursor = 0;
  for (const span of spans) {
    headText += text.slice(cursor, span.headerStart);
    cursor = span.bodyEnd;
  }
  headText += text.slice(cursor);
  const head = loadSyml(file, headText);
  if (!head.ok) return undefined;
  const sections = new Map<string, Iterable<[string, unknown]>>();
  for (const span of spans) sections.set(span.name, chunkEntries(file, text, span.bodyStart, span.bodyEnd, span.indent, perChunk));
  return { head: head.value, sections };
}
