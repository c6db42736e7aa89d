/**
 * Safe parsers for untrusted repository files. They never throw: a malformed file yields a
 * `ProbeIssue` the probe reports (SPEC §7) while the gather goes on. YAML is parsed with alias
 * expansion capped (alias bombs), duplicate keys reported rather than fatal, and nesting bounded.
 */
import type { Tags } from 'yaml';
import type { ProbeIssue } from './probe-api';

// The parsers load on first use: most importers of this module only want `isRecord`/`byCodeUnit`,
// and loading `yaml` costs ~25 ms in every process and worker thread that does so.
/* eslint-disable @typescript-eslint/no-require-imports */
const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');
const json5 = (): typeof import('json5') => require('json5') as typeof import('json5');
/* eslint-enable @typescript-eslint/no-require-imports */

export type Parsed<T> = { ok: true; value: T; warnings: ProbeIssue[] } | { ok: false; issue: ProbeIssue };

/** Deepest nesting accepted; deeper documents are reported instead of risking stack exhaustion downstream. */
export const MAX_DEPTH = 200;
/** Alias expansions allowed per YAML document (the `yaml` package's own guard against billion-laughs). */
const MAX_ALIAS_COUNT = 1000;

function fail(file: string, code: string, err: unknown): { ok: false; issue: ProbeIssue } {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return { ok: false, issue: { code, file, message: `${file}: ${message}` } };
}

/** Nesting depth of a parsed value, stopping as soon as it exceeds `limit` (iterative: no recursion). */
export function depthExceeds(value: unknown, limit = MAX_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

function checked<T>(file: string, value: unknown, warnings: ProbeIssue[] = []): Parsed<T> {
  if (depthExceeds(value)) {
    return { ok: false, issue: { code: 'too-deep', file, message: `${file}: nesting deeper than ${MAX_DEPTH} levels` } };
  }
  return { ok: true, value: value as T, warnings };
}

export function parseJson<T = unknown>(file: string, text: string): Parsed<T> {
  try {
    return checked<T>(file, JSON.parse(text));
  } catch (err) {
    return fail(file, 'parse-error', err);
  }
}

/** tsconfig, bun.lock and friends: comments and trailing commas allowed. */
export function parseJson5<T = unknown>(file: string, text: string): Parsed<T> {
  try {
    return checked<T>(file, json5().parse(text));
  } catch (err) {
    return fail(file, 'parse-error', err);
  }
}

// `uniqueKeys: true` makes the parser *report* duplicate keys (DUPLICATE_KEY); they are downgraded
// to a warning below and the last value wins, as in most YAML consumers.
const YAML_OPTIONS = { uniqueKeys: true, maxAliasCount: MAX_ALIAS_COUNT, prettyErrors: false, strict: false } as const;

export interface YamlReadOptions {
  /**
   * Floats resolve to their source text: `node-version: 20.10` reads "20.10" and `version: 1.10`
   * "1.10", where numbers would give 20.1 and 1.1. For files whose facts are versions (CI and
   * deployment configs). Integers, booleans and null resolve as usual.
   */
  floatsAsText?: boolean;
}

export interface YamlDocumentOptions extends YamlReadOptions {
  /**
   * Read the first document and ignore the rest with an `extra-yaml-documents` warning, instead of
   * failing the file: the first document is the one CI systems read.
   */
  firstDocumentOnly?: boolean;
}

const FLOAT_TAG = 'tag:yaml.org,2002:float';

/** The core schema's float tags (`1.5`, `1e3`, `.inf`, `.nan`), resolving to the scalar's own text. */
function floatsAsText(tags: Tags): Tags {
  return tags.map((tag) => (typeof tag === 'object' && tag.tag === FLOAT_TAG ? { ...tag, resolve: (source: string) => source } : tag)) as Tags;
}

const YAML_FLOATS_AS_TEXT_OPTIONS = { ...YAML_OPTIONS, customTags: floatsAsText } as const;

/**
 * One YAML document. Duplicate keys become a warning (last one wins, like most YAML consumers).
 * More than one document fails the file, unless `firstDocumentOnly` (then an empty file reads `null`).
 */
export function parseYaml<T = unknown>(file: string, text: string, options: YamlDocumentOptions = {}): Parsed<T> {
  const docs = parseYamlDocuments<T>(file, text, options);
  if (!docs.ok) return docs;
  if (options.firstDocumentOnly) {
    const warnings = [...docs.warnings];
    if (docs.value.length > 1) {
      warnings.push({ code: 'extra-yaml-documents', file, message: `${file}: ${docs.value.length} YAML documents; only the first is read` });
    }
    return { ok: true, value: (docs.value[0] ?? null) as T, warnings };
  }
  if (docs.value.length > 1) {
    return fail(file, 'parse-error', new Error('expected one YAML document, found ' + docs.value.length));
  }
  return { ok: true, value: docs.value[0] as T, warnings: docs.warnings };
}

/** Every YAML document of a file (`---` separated), e.g. multi-document pnpm lockfiles or k8s manifests. */
export function parseYamlDocuments<T = unknown>(file: string, text: string, options: YamlReadOptions = {}): Parsed<T[]> {
  try {
    const docs = yaml().parseAllDocuments(text, options.floatsAsText ? YAML_FLOATS_AS_TEXT_OPTIONS : YAML_OPTIONS);
    const list = Array.isArray(docs) ? docs : [docs];
    const warnings: ProbeIssue[] = [];
    const values: T[] = [];
    for (const doc of list) {
      const fatal = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
      if (fatal) return fail(file, 'parse-error', fatal);
      if (doc.errors.length > 0 || doc.warnings.length > 0) {
        warnings.push({ code: 'yaml-warning', file, message: `${file}: ${(doc.errors[0] ?? doc.warnings[0]).message.split('\n')[0]}` });
      }
      values.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as T);
    }
    return checked<T[]>(file, values, warnings);
  } catch (err) {
    return fail(file, 'parse-error', err);
  }
}

/** Single-document YAML without the multi-document check, for callers that only want `parseDocument` semantics. */
export function parseYamlLenient<T = unknown>(file: string, text: string): Parsed<T> {
  try {
    const doc = yaml().parseDocument(text, YAML_OPTIONS);
    const fatal = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
    if (fatal) return fail(file, 'parse-error', fatal);
    return checked<T>(file, doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch (err) {
    return fail(file, 'parse-error', err);
  }
}

/** A plain object (not array, not null), for narrowing parsed JSON/YAML. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Code-unit string comparison: the same order on every machine and locale. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
