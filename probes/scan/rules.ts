/**
 * Loads the scan rules (`catalogs/scan-rules/*.yaml`, one rule per YAML document) and checks them.
 * The fields mirror ast-grep's rule files so anyone who has written one can read ours; the
 * matcher (`rule`, `constraints`, `utils`) is handed to `@ast-grep/napi` unchanged.
 * A broken built-in catalog is a bug in this package, so loading throws with every problem listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../tools/package-root';
import { byCodeUnit, isRecord, parseYamlDocuments } from '../../tools/parse';
import { SCAN_LANGUAGES, type ScanLanguage } from './languages';

export const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The structural matcher in napi's `NapiConfig` shape (JSON only, so it can cross to workers). */
export interface MatcherConfig {
  rule: Record<string, unknown>;
  constraints?: Record<string, unknown>;
  utils?: Record<string, unknown>;
}

export interface ScanRule {
  id: string;
  languages: ScanLanguage[];
  severity: Severity;
  message: string;
  note?: string;
  category: string;
  metadata: Record<string, string>;
  /** Globs (relative to the project root) a file must match / must not match for the rule to apply. */
  files?: string[];
  ignores?: string[];
  /** Mask string-literal contents in excerpts (credential rules). */
  maskStrings: boolean;
  matcher: MatcherConfig;
  /** Catalog file the rule came from, for error messages. */
  source: string;
}

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const KNOWN_KEYS = new Set([
  'id', 'language', 'languages', 'severity', 'message', 'note', 'url', 'metadata',
  'files', 'ignores', 'mask', 'rule', 'constraints', 'utils',
]);

export function defaultRulesDir(): string {
  return join(packageRoot(), 'catalogs', 'scan-rules');
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** Validates one parsed YAML document; returns the rule or the problems found. */
export function toScanRule(doc: unknown, source: string): { rule?: ScanRule; problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(doc)) return { problems: [`${source}: a rule document must be a mapping`] };
  const where = `${source}: rule ${typeof doc.id === 'string' ? doc.id : '(no id)'}`;
  for (const key of Object.keys(doc)) if (!KNOWN_KEYS.has(key)) problems.push(`${where}: unknown field ${key}`);
  if (typeof doc.id !== 'string' || !ID.test(doc.id)) problems.push(`${where}: id must be kebab-case`);
  const languages = doc.languages !== undefined ? stringList(doc.languages) : typeof doc.language === 'string' ? [doc.language] : undefined;
  if (!languages || languages.length === 0 || !languages.every((l) => (SCAN_LANGUAGES as readonly string[]).includes(l))) {
    problems.push(`${where}: languages must list some of ${SCAN_LANGUAGES.join(', ')}`);
  }
  if (!(SEVERITIES as readonly unknown[]).includes(doc.severity)) problems.push(`${where}: severity must be one of ${SEVERITIES.join(', ')}`);
  if (typeof doc.message !== 'string' || doc.message.trim() === '') problems.push(`${where}: message is required`);
  if (doc.note !== undefined && typeof doc.note !== 'string') problems.push(`${where}: note must be a string`);
  const metadata: Record<string, string> = {};
  if (doc.metadata !== undefined) {
    if (!isRecord(doc.metadata)) problems.push(`${where}: metadata must be a mapping`);
    else for (const [k, v] of Object.entries(doc.metadata)) metadata[k] = String(v);
  }
  if (!metadata.category) problems.push(`${where}: metadata.category is required (it feeds risk_flags)`);
  for (const key of ['files', 'ignores'] as const) {
    if (doc[key] !== undefined && !stringList(doc[key])) problems.push(`${where}: ${key} must be a list of globs`);
  }
  if (doc.mask !== undefined && doc.mask !== 'strings') problems.push(`${where}: mask may only be "strings"`);
  if (!isRecord(doc.rule)) problems.push(`${where}: rule must be a mapping`);
  for (const key of ['constraints', 'utils'] as const) {
    if (doc[key] !== undefined && !isRecord(doc[key])) problems.push(`${where}: ${key} must be a mapping`);
  }
  if (problems.length > 0) return { problems };
  const matcher: MatcherConfig = { rule: doc.rule as Record<string, unknown> };
  if (doc.constraints) matcher.constraints = doc.constraints as Record<string, unknown>;
  if (doc.utils) matcher.utils = doc.utils as Record<string, unknown>;
  return {
    problems,
    rule: {
      id: doc.id as string,
      languages: [...new Set(languages as ScanLanguage[])].sort(byCodeUnit),
      severity: doc.severity as Severity,
      message: (doc.message as string).trim(),
      ...(typeof doc.note === 'string' ? { note: doc.note.trim() } : {}),
      category: metadata.category,
      metadata,
      ...(doc.files ? { files: doc.files as string[] } : {}),
      ...(doc.ignores ? { ignores: doc.ignores as string[] } : {}),
      maskStrings: doc.mask === 'strings',
      matcher,
      source,
    },
  };
}

/** Parses rule documents from YAML text (one rule per document). */
export function parseRuleFile(source: string, text: string): { rules: ScanRule[]; problems: string[] } {
  const parsed = parseYamlDocuments(source, text);
  if (!parsed.ok) return { rules: [], problems: [parsed.issue.message] };
  const rules: ScanRule[] = [];
  const problems = parsed.warnings.map((w) => w.message);
  for (const doc of parsed.value) {
    if (doc === null || doc === undefined) continue;
    const r = toScanRule(doc, source);
    problems.push(...r.problems);
    if (r.rule) rules.push(r.rule);
  }
  return { rules, problems };
}

const loaded = new Map<string, ScanRule[]>();

/** Every rule of a rules folder, sorted by id. Throws when any rule is malformed or ids repeat. */
export function loadScanRules(dir: string = defaultRulesDir()): ScanRule[] {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const rules: ScanRule[] = [];
  const problems: string[] = [];
  // Names starting with `_` hold scanner settings (`_skip.yaml`), not rules.
  const files = readdirSync(dir)
    .filter((f) => (f.endsWith('.yaml') || f.endsWith('.yml')) && !f.startsWith('_'))
    .sort(byCodeUnit);
  for (const file of files) {
    const result = parseRuleFile(file, readFileSync(join(dir, file), 'utf8'));
    rules.push(...result.rules);
    problems.push(...result.problems);
  }
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) problems.push(`${r.source}: rule id ${r.id} is defined twice`);
    seen.add(r.id);
  }
  if (problems.length > 0) throw new Error(`codegenie scan rules are invalid:\n  ${problems.join('\n  ')}`);
  rules.sort((a, b) => byCodeUnit(a.id, b.id));
  loaded.set(dir, rules);
  return rules;
}
