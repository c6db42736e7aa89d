/**
 * The prefilter's vocabulary. A rule's `Requirement` is a conjunction of clauses; a clause is a
 * disjunction of literals. "The rule can match this file" implies "every clause has a literal
 * present in the file", so a file failing any clause is skipped without parsing. An empty
 * requirement says nothing, and the file is never skipped for that rule.
 *
 * Every simplification here only drops information (never adds a condition), which keeps the
 * prefilter sound: it may let a file through needlessly, never skip one that could match.
 */

/**
 * A literal whose occurrences are checked on the file's tokens (code-shapes.ts):
 * - `call`: some `callee(...)` call whose argument `index` may satisfy `constraint` (an ast-grep
 *   rule, with the rule's `utils`);
 * - `member`: the name `object` followed by `.` and one of `properties` (any when absent);
 * - `code`: the name `word` somewhere in code (occurrences only inside comments do not count).
 * Its `text` is the literal it stands on (the callee, with `callee: true`, or the object name),
 * so everywhere else it behaves like that literal.
 */
export type Shape =
  | { type: 'call'; callee: string; index: number; constraint: unknown; utils?: Record<string, unknown> }
  | { type: 'member'; object: string; properties?: string[] }
  | { type: 'code'; word: string };

export interface Literal {
  text: string;
  /**
   * Match case-insensitively (from a `(?i)` regex), with Unicode simple case folding like Rust's
   * regex (`s` also matches `ſ`, `k` also matches the Kelvin sign).
   */
  ci: boolean;
  /**
   * The literal is a callee: in a match it is followed, after non-word characters only, by the
   * `(` of the argument list (`import(x)`, `require (x)`). Far more selective than the bare word.
   */
  callee: boolean;
  shape?: Shape;
}
export type Clause = Literal[];
export type Requirement = Clause[];
/** Alternatives (any one must hold), each a requirement; `[[]]` says nothing. */
export type Alternatives = Requirement[];

/** Words too common in JavaScript to tell files apart; a clause of only these is a poor filter. */
const COMMON_WORDS = new Set([
  'import', 'export', 'from', 'default', 'const', 'let', 'var', 'function', 'return', 'new', 'this',
  'true', 'false', 'null', 'undefined', 'require', 'module', 'exports', 'if', 'else', 'for', 'in', 'of',
  'while', 'await', 'async', 'class', 'extends', 'typeof', 'instanceof', 'string', 'number', 'type',
  'interface', 'get', 'set', 'value', 'key', 'name', 'data', 'log', 'with', 'create', 'update', 'delete',
]);

const ASCII = /^[\x20-\x7e]*$/;

/** Plain text search is enough: no case folding, no neighbours. */
export function isPlain(l: Literal): boolean {
  return !l.ci && !l.callee && !l.shape;
}

/** JSON with sorted keys: equal values, equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function shapeKey(shape: Shape): string {
  if (shape.type === 'member') return `${shape.object}.${shape.properties ? shape.properties.join('|') : '*'}`;
  if (shape.type === 'code') return `code:${shape.word}`;
  return `${shape.callee}(#${shape.index} ${stableJson(shape.constraint)}${shape.utils ? ` ${stableJson(shape.utils)}` : ''})`;
}

/** A stable identity for a literal (also its display form: `i:` case-insensitive, `(` callee, `{...}` shape). */
export function literalKey(l: Literal): string {
  if (l.shape) return `{${shapeKey(l.shape)}}`;
  return `${l.ci ? 'i:' : ''}${l.text}${l.callee ? '(' : ''}`;
}

/** Escapes regex syntax characters; valid with and without the `u` flag. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * The regex source a non-plain literal is searched with (case folding is applied by the caller).
 * Between a callee and its `(` only non-word characters may stand: ast-grep does not match a call
 * with a comment or an error node there (checked against napi; the soundness test fuzzes it).
 * Member chains (`url.parse`) get no such literal: comments inside them do not stop a match.
 */
export function literalPattern(l: Literal): string {
  return l.callee ? `${escapeRegex(l.text)}[^\\w$]*\\(` : escapeRegex(l.text);
}

/** Rough chance that a literal occurs in a typical source file: short and common words almost always do. */
export function literalChance(l: Literal): number {
  const byLength = [1, 0.99, 0.9, 0.5, 0.25, 0.12, 0.07, 0.05];
  let p = COMMON_WORDS.has(l.text.toLowerCase()) ? 0.9 : l.text.length < byLength.length ? byLength[l.text.length] : 0.03;
  if (l.ci) p = Math.min(0.99, p * 1.5);
  // `import(` is far rarer than `import`: static imports never put a parenthesis after the keyword.
  if (l.callee) p *= 0.3;
  // A call or member shape rules out most occurrences of its literal; a code word only those in comments.
  if (l.shape) p *= l.shape.type === 'code' ? 0.8 : 0.1;
  return p;
}

/** Lower is more selective: the estimated chance that a file satisfies the clause. */
export function clauseCost(c: Clause): number {
  return 1 - c.reduce((none, l) => none * (1 - literalChance(l)), 1);
}

/** True when "b is present" implies "a is present", so `b` is redundant beside `a` in one clause. */
function implies(b: Literal, a: Literal): boolean {
  if (a.shape) {
    if (!b.shape) return false;
    // A member or call shape checks occurrences of its word the way a code-word shape does, and more.
    if (a.shape.type === 'code') return (b.shape.type === 'member' ? b.shape.object : b.shape.type === 'call' ? b.shape.callee : b.shape.word) === a.shape.word;
    if (a.shape.type === 'member' && b.shape.type === 'member') {
      // The same object with fewer properties: a narrower shape.
      const props = a.shape.properties;
      return b.shape.object === a.shape.object && (!props || (b.shape.properties?.every((p) => props.includes(p)) ?? false));
    }
    return shapeKey(a.shape) === shapeKey(b.shape);
  }
  if (a.callee) return b.callee && a.ci === b.ci && a.text === b.text;
  if (!a.ci) return !b.ci && b.text.includes(a.text);
  return ASCII.test(a.text) && ASCII.test(b.text) && b.text.toLowerCase().includes(a.text.toLowerCase());
}

/** Longest substring (≥ 3 code units) shared by every literal; a sound single-literal stand-in for the clause. */
function commonSubstring(lits: Clause): string | undefined {
  if (lits.length < 2 || lits.some((l) => l.callee || l.shape || l.ci !== lits[0].ci || !ASCII.test(l.text))) return undefined;
  const fold = (s: string) => (lits[0].ci ? s.toLowerCase() : s);
  const texts = lits.map((l) => fold(l.text));
  const shortest = texts.reduce((a, b) => (b.length < a.length ? b : a));
  for (let len = shortest.length; len >= 3; len--) {
    for (let start = 0; start + len <= shortest.length; start++) {
      const candidate = shortest.slice(start, start + len);
      if (texts.every((t) => t.includes(candidate))) return candidate;
    }
  }
  return undefined;
}

/** Clauses longer than this are replaced by a shared substring when there is one (quote and prefix variants). */
const LONG_CLAUSE = 16;

/** Drops duplicates and redundant literals; `undefined` when the clause is always true (an empty literal). */
export function simplifyClause(clause: Clause): Clause | undefined {
  if (clause.length === 0 || clause.some((l) => l.text.length === 0)) return undefined;
  const unique = [...new Map(clause.map((l) => [literalKey(l), l])).values()];
  const kept = unique.filter((b, i) => !unique.some((a, j) => j !== i && implies(b, a) && !(implies(a, b) && j > i)));
  if (kept.length > LONG_CLAUSE) {
    const common = commonSubstring(kept);
    if (common !== undefined) return [{ text: common, ci: kept[0].ci, callee: false }];
    // Too many shapes in one clause: their plain literals instead (each shape implies its text).
    if (kept.some((l) => l.shape)) return simplifyClause(kept.map((l) => ({ text: l.text, ci: l.ci, callee: l.callee })));
  }
  return kept.sort((x, y) => (literalKey(x) < literalKey(y) ? -1 : literalKey(x) > literalKey(y) ? 1 : 0));
}

/** At most this many clauses are kept per rule: the most selective ones. Dropping clauses is always sound. */
export const MAX_CLAUSES = 4;

/** True when clause `a` holding implies clause `b` holds (then `b` adds nothing beside `a`). */
function clauseImplies(a: Clause, b: Clause): boolean {
  return a.every((x) => b.some((y) => implies(x, y)));
}

export function simplifyRequirement(req: Requirement, max = MAX_CLAUSES): Requirement {
  const byKey = new Map<string, Clause>();
  for (const clause of req) {
    const simple = simplifyClause(clause);
    if (simple) byKey.set(simple.map(literalKey).join('|'), simple);
  }
  const key = (c: Clause) => c.map(literalKey).join('|');
  const sorted = [...byKey.values()].sort((a, b) => clauseCost(a) - clauseCost(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  // Drop clauses a kept one already implies (`parse(` makes `parse` redundant), so the slots go to independent facts.
  const kept: Clause[] = [];
  for (const clause of sorted) if (!kept.some((k) => clauseImplies(k, clause))) kept.push(clause);
  return kept.slice(0, max);
}

/** Above this many combinations, `anyOf` stops distributing and merges greedily. */
const MAX_COMBINATIONS = 64;

/**
 * `a OR b OR ...` of conjunctions. Exactly: every way of picking one clause from each
 * alternative gives a clause of the result (distribution), so `url.parse(x) OR url.resolve(x)`
 * keeps both "url" and "parse( or resolve(". When that would make too many combinations, the
 * result is one clause built greedily: each alternative contributes the clause that keeps the
 * union most selective (`eval(x)` and `window.eval(x)` share `eval(` instead of adding `window`).
 * An unconstrained alternative makes the whole unconstrained.
 */
export function anyOf(reqs: Requirement[]): Requirement {
  const options = reqs.map((req) => simplifyRequirement(req));
  if (options.length === 0 || options.some((o) => o.length === 0)) return [];
  const combinations = options.reduce((n, o) => n * o.length, 1);
  if (combinations <= MAX_COMBINATIONS) {
    let partial: Clause[] = [[]];
    for (const choices of options) partial = partial.flatMap((p) => choices.map((c) => [...p, ...c]));
    return simplifyRequirement(partial);
  }
  let merged: Clause = [];
  for (const choices of options) {
    let best: Clause | undefined;
    for (const option of choices) {
      const union = simplifyClause([...merged, ...option]) ?? [];
      if (!best || clauseCost(union) < clauseCost(best)) best = union;
    }
    merged = best ?? [];
  }
  return merged.length > 0 ? [merged] : [];
}

/** At most this many alternatives per rule; beyond, they are merged into one requirement with `anyOf`. */
export const MAX_ALTERNATIVES = 8;

const requirementKey = (req: Requirement) => req.map((c) => c.map(literalKey).join('|')).join(' & ');

/**
 * Simplifies each alternative and drops the ones another alternative makes redundant (an
 * alternative that asks for everything a weaker one asks for, and more, adds no file). Any
 * unconstrained alternative makes the whole unconstrained: `[[]]`.
 */
export function simplifyAlternatives(alts: Alternatives): Alternatives {
  const simple = alts.map((a) => simplifyRequirement(a));
  if (simple.length === 0 || simple.some((a) => a.length === 0)) return [[]];
  const unique = [...new Map(simple.map((a) => [requirementKey(a), a])).values()];
  // `b` is redundant when a weaker `a` holds wherever `b` does: each clause of `a` implied by some clause of `b`.
  const weaker = (a: Requirement, b: Requirement) => a.every((ca) => b.some((cb) => clauseImplies(cb, ca)));
  const kept = unique.filter((b, i) => !unique.some((a, j) => j !== i && weaker(a, b) && !(weaker(b, a) && j > i)));
  const merged = kept.length > MAX_ALTERNATIVES ? [anyOf(kept)] : kept;
  return merged.sort((a, b) => (requirementKey(a) < requirementKey(b) ? -1 : requirementKey(a) > requirementKey(b) ? 1 : 0));
}

/** Both hold: every pair of alternatives (merged first when the product would be too large). */
export function andAlternatives(a: Alternatives, b: Alternatives): Alternatives {
  if (a.length * b.length > MAX_ALTERNATIVES) {
    const left = a.length > 1 ? [anyOf(a)] : a;
    const right = b.length > 1 ? [anyOf(b)] : b;
    return simplifyAlternatives(left.flatMap((x) => right.map((y) => [...x, ...y])));
  }
  return simplifyAlternatives(a.flatMap((x) => b.map((y) => [...x, ...y])));
}

/** One of them holds. */
export function orAlternatives(list: Alternatives[]): Alternatives {
  return simplifyAlternatives(list.flat());
}
