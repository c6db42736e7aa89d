/**
 * YAML for CI and deployment files, with one difference from `tools/parse.ts#parseYamlDocuments`:
 * floats keep their source text. Versions are the facts these files carry, and `node-version: 20.10`
 * or `version: 1.10` read as numbers would come out as `20.1` and `1.1`. Everything else (alias cap,
 * duplicate keys as last-wins, depth bound, never throwing) follows the shared parser.
 */
import { parseAllDocuments } from 'yaml';
import type { Tags } from 'yaml';
import { depthExceeds, MAX_DEPTH } from '../../tools/parse';
import type { Parsed } from '../../tools/parse';
import type { ProbeIssue } from '../../tools/probe-api';

const MAX_ALIAS_COUNT = 1000;
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/** The core schema's float tags, resolving to the scalar's own text instead of a number. */
function floatsAsText(tags: Tags): Tags {
  return tags.map((tag) => (typeof tag === 'object' && tag.tag === FLOAT_TAG ? { ...tag, resolve: (source: string) => source } : tag)) as Tags;
}

const OPTIONS = {
  uniqueKeys: false,
  maxAliasCount: MAX_ALIAS_COUNT,
  prettyErrors: false,
  strict: false,
  customTags: floatsAsText,
} as const;

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Every document of a YAML file; a fatal error anywhere fails the whole file. */
export function parseYamlDocs(file: string, text: string): Parsed<unknown[]> {
  try {
    const docs = parseAllDocuments(text, OPTIONS);
    const list = Array.isArray(docs) ? docs : [docs];
    const warnings: ProbeIssue[] = [];
    const values: unknown[] = [];
    for (const doc of list) {
      const fatal = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
      if (fatal) return { ok: false, issue: { code: 'parse-error', file, message: `${file}: ${firstLine(fatal)}` } };
      const notice = doc.errors[0] ?? doc.warnings[0];
      if (notice) warnings.push({ code: 'yaml-warning', file, message: `${file}: ${firstLine(notice)}` });
      values.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    }
    if (depthExceeds(values)) {
      return { ok: false, issue: { code: 'too-deep', file, message: `${file}: nesting deeper than ${MAX_DEPTH} levels` } };
    }
    return { ok: true, value: values, warnings };
  } catch (err) {
    return { ok: false, issue: { code: 'parse-error', file, message: `${file}: ${firstLine(err)}` } };
  }
}

/**
 * One YAML document (the usual case for CI configs). Extra documents are ignored with a warning
 * rather than failing the file: the first document is what every CI system reads.
 */
export function parseYamlDoc(file: string, text: string): Parsed<unknown> {
  const docs = parseYamlDocs(file, text);
  if (!docs.ok) return docs;
  const warnings = [...docs.warnings];
  if (docs.value.length > 1) {
    warnings.push({ code: 'extra-yaml-documents', file, message: `${file}: ${docs.value.length} YAML documents; only the first is read` });
  }
  return { ok: true, value: docs.value[0] ?? null, warnings };
}
