/**
 * Coverage configuration and thresholds where a project declares them: package.json `jest`,
 * `nyc` and `c8` keys, `.nycrc*`, `.c8rc*`, `jest.config.json`, and jest/vitest/vite config
 * modules. Config modules are read as text and searched with ast-grep for literal
 * `coverageThreshold` / `coverage: { thresholds }` objects; they are never imported, so a value
 * computed at run time shows up as `thresholds_declared: true` with `thresholds: null`.
 */
import type { SgNode } from '@ast-grep/napi';
import { byCodeUnit, isRecord, parseJson, parseJson5, parseYaml } from '../../tools/parse';
import type { ProbeIssue } from '../../tools/probe-api';

export const METRICS = ['branches', 'functions', 'lines', 'statements'] as const;
type Metric = (typeof METRICS)[number];
export type Thresholds = Partial<Record<Metric, number>>;

export interface CoverageConfigFact {
  file: string;
  tool: 'jest' | 'vitest' | 'nyc' | 'c8';
  /** `v8`, `istanbul`, `babel`... as written; null when not set literally. */
  provider: string | null;
  /** jest `collectCoverage`, vitest `coverage.enabled`; null when not set literally. */
  enabled: boolean | null;
  /** nyc/c8 `check-coverage`: thresholds fail the run only when it is true. Null elsewhere or unset. */
  check_coverage: boolean | null;
  thresholds_declared: boolean;
  /** Global thresholds with literal numeric values (jest negative numbers mean "max uncovered"). */
  thresholds: Thresholds | null;
  /** Thresholds keyed by path or glob (jest `'./src/'`, vitest `'src/**'`), counted. */
  per_path_thresholds: number;
}

function fact(file: string, tool: CoverageConfigFact['tool']): CoverageConfigFact {
  return { file, tool, provider: null, enabled: null, check_coverage: null, thresholds_declared: false, thresholds: null, per_path_thresholds: 0 };
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function metricsFrom(record: Record<string, unknown>): Thresholds | null {
  const out: Thresholds = {};
  for (const m of METRICS) {
    const v = finite(record[m]);
    if (v !== undefined) out[m] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

// ---- plain data configs (JSON / YAML / package.json keys) ----

/** jest options as data (package.json `jest`, jest.config.json). */
export function jestFromData(file: string, options: Record<string, unknown>): CoverageConfigFact | undefined {
  const f = fact(file, 'jest');
  let relevant = false;
  if (typeof options.collectCoverage === 'boolean') {
    f.enabled = options.collectCoverage;
    relevant = true;
  }
  if (typeof options.coverageProvider === 'string') {
    f.provider = options.coverageProvider;
    relevant = true;
  }
  if (options.coverageThreshold !== undefined) {
    relevant = true;
    f.thresholds_declared = true;
    if (isRecord(options.coverageThreshold)) {
      for (const [key, value] of Object.entries(options.coverageThreshold)) {
        if (key === 'global') f.thresholds = isRecord(value) ? metricsFrom(value) : null;
        else f.per_path_thresholds++;
      }
    }
  }
  if (options.coverageReporters !== undefined || options.coverageDirectory !== undefined || options.collectCoverageFrom !== undefined) relevant = true;
  return relevant ? f : undefined;
}

/** nyc / c8 options (`.nycrc`, `.c8rc`, package.json `nyc` / `c8`); both accept camelCase and kebab-case. */
export function istanbulFromData(file: string, tool: 'nyc' | 'c8', options: Record<string, unknown>): CoverageConfigFact {
  const f = fact(file, tool);
  const check = options['check-coverage'] ?? options.checkCoverage;
  if (typeof check === 'boolean') f.check_coverage = check;
  f.thresholds = metricsFrom(options);
  f.thresholds_declared = f.thresholds !== null || METRICS.some((m) => options[m] !== undefined);
  return f;
}

export function parseRcFile(file: string, text: string): { value?: Record<string, unknown>; issue?: ProbeIssue } {
  // `.nycrc` may be JSON or YAML; `.c8rc` is JSON. Try JSON first: YAML would accept most garbage as a string.
  const isYamlName = /\.ya?ml$/.test(file);
  const parsed = isYamlName ? parseYaml(file, text) : parseJson5(file, text);
  const fallback = !parsed.ok && file === '.nycrc' ? parseYaml(file, text) : parsed;
  if (!fallback.ok) return { issue: fallback.issue };
  if (!isRecord(fallback.value)) return { issue: { code: 'not-an-object', file, message: `${file}: expected an object of options` } };
  return { value: fallback.value };
}

export function jestJsonConfig(file: string, text: string): { value?: CoverageConfigFact; issue?: ProbeIssue } {
  const parsed = parseJson(file, text);
  if (!parsed.ok) return { issue: parsed.issue };
  if (!isRecord(parsed.value)) return { issue: { code: 'not-an-object', file, message: `${file}: expected an object of options` } };
  return { value: jestFromData(file, parsed.value) };
}

// ---- config modules, read as syntax trees ----

type AstGrep = typeof import('@ast-grep/napi');
let astGrep: AstGrep | undefined;

async function loadAstGrep(): Promise<AstGrep> {
  astGrep ??= await import('@ast-grep/napi');
  return astGrep;
}

function keyText(pair: SgNode): string | undefined {
  const key = pair.field('key');
  if (!key) return undefined;
  const text = key.text();
  if (key.kind() === 'string') return text.slice(1, -1);
  if (key.kind() === 'property_identifier' || key.kind() === 'number') return text;
  return undefined;
}

function literal(node: SgNode | null): unknown {
  if (!node) return undefined;
  const kind = node.kind();
  const text = node.text();
  if (kind === 'number') return Number(text);
  if (kind === 'unary_expression' && /^[-+]\s*[0-9.]+$/.test(text)) return Number(text.replace(/\s+/g, ''));
  if (kind === 'true') return true;
  if (kind === 'false') return false;
  if (kind === 'string') return text.slice(1, -1);
  if (kind === 'template_string' && !text.includes('${')) return text.slice(1, -1);
  return undefined;
}

/** The literal members of an object expression: key → value node. Spreads and computed keys are skipped. */
function members(object: SgNode | null): Map<string, SgNode> {
  const out = new Map<string, SgNode>();
  if (!object || object.kind() !== 'object') return out;
  for (const child of object.children()) {
    if (child.kind() !== 'pair') continue;
    const key = keyText(child);
    const value = child.field('value');
    if (key !== undefined && value && !out.has(key)) out.set(key, value);
  }
  return out;
}

function literalMetrics(object: Map<string, SgNode>): Thresholds | null {
  const out: Thresholds = {};
  for (const m of METRICS) {
    const v = finite(literal(object.get(m) ?? null));
    if (v !== undefined) out[m] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

function pairsNamed(root: SgNode, name: string): SgNode[] {
  return root.findAll({ rule: { kind: 'pair', has: { field: 'key', regex: `^["'\`]?${name}["'\`]?$` } } });
}

function languageOf(file: string): string {
  return /\.[cm]?ts$/.test(file) ? 'TypeScript' : 'JavaScript';
}

/** jest.config.{js,ts,...}: `coverageThreshold`, `collectCoverage`, `coverageProvider` anywhere in the module. */
export async function jestFromModule(file: string, text: string): Promise<CoverageConfigFact | undefined> {
  if (!/coverage/i.test(text)) return undefined;
  const { parse } = await loadAstGrep();
  const root = parse(languageOf(file), text).root();
  const f = fact(file, 'jest');
  let relevant = false;
  const collect = pairsNamed(root, 'collectCoverage')[0];
  if (collect) {
    relevant = true;
    const v = literal(collect.field('value'));
    if (typeof v === 'boolean') f.enabled = v;
  }
  const provider = pairsNamed(root, 'coverageProvider')[0];
  if (provider) {
    relevant = true;
    const v = literal(provider.field('value'));
    if (typeof v === 'string') f.provider = v;
  }
  const threshold = pairsNamed(root, 'coverageThreshold')[0];
  if (threshold) {
    relevant = true;
    f.thresholds_declared = true;
    for (const [key, value] of members(threshold.field('value'))) {
      if (key === 'global') f.thresholds = literalMetrics(members(value));
      else f.per_path_thresholds++;
    }
  }
  return relevant ? f : undefined;
}

/** vitest.config / vite.config: the first `coverage: {...}` object (vitest's `test.coverage`). */
export async function vitestFromModule(file: string, text: string): Promise<CoverageConfigFact | undefined> {
  if (!/coverage/.test(text)) return undefined;
  const { parse } = await loadAstGrep();
  const root = parse(languageOf(file), text).root();
  const coverage = pairsNamed(root, 'coverage').find((p) => p.field('value')?.kind() === 'object');
  if (!coverage) return undefined;
  const f = fact(file, 'vitest');
  const options = members(coverage.field('value'));
  const provider = literal(options.get('provider') ?? null);
  if (typeof provider === 'string') f.provider = provider;
  const enabled = literal(options.get('enabled') ?? null);
  if (typeof enabled === 'boolean') f.enabled = enabled;
  const thresholdsNode = options.get('thresholds');
  if (thresholdsNode) {
    f.thresholds_declared = true;
    const t = members(thresholdsNode);
    const metrics: Thresholds = literalMetrics(t) ?? {};
    // `100: true` is vitest's shorthand for every metric at 100.
    if (literal(t.get('100') ?? null) === true) for (const m of METRICS) metrics[m] ??= 100;
    f.thresholds = Object.keys(metrics).length > 0 ? Object.fromEntries(METRICS.filter((m) => m in metrics).map((m) => [m, metrics[m]])) : null;
    for (const [key, value] of t) if (value.kind() === 'object' && !METRICS.includes(key as Metric)) f.per_path_thresholds++;
  } else {
    // vitest before 1.0 took the metrics directly under `coverage`.
    const legacy = literalMetrics(options);
    if (legacy) {
      f.thresholds_declared = true;
      f.thresholds = legacy;
    }
  }
  return f;
}

export function sortCoverage(list: CoverageConfigFact[]): CoverageConfigFact[] {
  return list.sort((a, b) => byCodeUnit(a.file, b.file) || byCodeUnit(a.tool, b.tool));
}
