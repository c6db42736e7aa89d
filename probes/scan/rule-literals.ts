/**
 * Derives, at rule-load time, what a file must contain for a rule to match it (`eval($A)` →
 * `eval(`), as alternatives of requirements (literal-clauses.ts).
 *
 * Patterns are parsed with the same grammar the scan uses, and their leaves read: a leaf that is
 * not a metavariable must appear verbatim in any match (ast-grep compares leaf text). Unnamed
 * leaves (keywords such as `new`) count only under the `smart`/`cst` strictness, where the pattern's
 * unnamed nodes must match too, and never as the pattern's last leaf (it may be a MISSING token). A call in a pattern (`import($M)`) adds a "callee" literal: the
 * callee's last word followed by `(` with only non-word characters between (ast-grep matches no
 * comment or other node between a callee and its arguments).
 * Under the same strictness, shapes checked on the file's tokens (code-shapes.ts):
 * - a call whose argument `i` is a metavariable with a constraint (`setTimeout($C)`, `$C` a
 *   string) gives a `call` shape: some `setTimeout(...)` whose argument `i` may satisfy it;
 * - a member expression `url.parse` (or `util.$FN` with `$FN` constrained to a list of names,
 *   `$LIB.merge` with `$LIB` so constrained) gives a `member` shape: the object name followed by
 *   `.` and one of the properties. (No plain `url.parse` text literal: ast-grep also matches
 *   with a comment or an error node between the parts.)
 * A pattern's own metavariables are bound whenever it is part of a match, so their constraints
 * apply: to the shapes derived from it, and as requirements of their own (`regex: "^secret"`).
 * Regexes go through regex-literals.ts. `has`/`inside`/`precedes`/`follows` sub-rules describe
 * nodes of the same file, so their requirements hold as well; `not`, `kind`, `nthChild` and
 * `range` say nothing; `any` gives alternatives (merged when there are too many). A constraint
 * adds requirements only where a pattern binds its metavariable (an unbound metavariable skips
 * its constraint in ast-grep).
 */
import { parse, type SgNode } from '@ast-grep/napi';
import { isRecord } from '../../tools/parse';
import type { ScanLanguage } from './languages';
import {
  andAlternatives, orAlternatives, simplifyAlternatives,
  type Alternatives, type Clause, type Literal, type Requirement,
} from './literal-clauses';
import { regexFullMatches, regexRequirement } from './regex-literals';
import type { ScanRule } from './rules';

export class PatternError extends Error {}

/** `$A`, `$$A`, `$$$ARGS`, `$$$`, `$_`: leaves that stand for code rather than spell it. */
const METAVARIABLE = /^\${1,3}[A-Z0-9_]*$/;
const SINGLE_CAPTURE = /^\$([A-Z][A-Z0-9_]*)$/;
const WORD = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RELATIONS = ['has', 'inside', 'precedes', 'follows'] as const;
const STRICTNESS_WITH_UNNAMED = new Set(['smart', 'cst']);
const STRICTNESS_WITH_TEXT = new Set(['smart', 'cst', 'ast', 'relaxed']);

interface PatternSpec {
  context: string;
  selector?: string;
  strictness: string;
}

function patternSpec(pattern: unknown): PatternSpec | undefined {
  if (typeof pattern === 'string') return { context: pattern, strictness: 'smart' };
  if (isRecord(pattern) && typeof pattern.context === 'string') {
    return {
      context: pattern.context,
      selector: typeof pattern.selector === 'string' ? pattern.selector : undefined,
      strictness: typeof pattern.strictness === 'string' ? pattern.strictness : 'smart',
    };
  }
  return undefined;
}

function hasError(node: SgNode): boolean {
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind() === 'ERROR') return true;
    stack.push(...n.children());
  }
  return false;
}

function leaves(node: SgNode, out: SgNode[] = []): SgNode[] {
  const children = node.children();
  if (children.length === 0) out.push(node);
  else for (const c of children) leaves(c, out);
  return out;
}

function lastLeaf(node: SgNode): SgNode {
  const all = leaves(node);
  return all[all.length - 1];
}

interface PatternInfo {
  req: Requirement;
  bound: Set<string>;
  /** Calls with a plain callee word, and their metavariable arguments before any `$$$`. */
  calls: Array<{ callee: string; args: Array<{ index: number; name: string }> }>;
  /** `object.property` member expressions; a metavariable part is given by its name. */
  members: Array<{ object: string | { metavar: string }; property: string | { metavar: string } }>;
}

const EMPTY_INFO: PatternInfo = { req: [], bound: new Set(), calls: [], members: [] };
const patternCache = new Map<string, PatternInfo>();

/** Parses a pattern once per language: its required literals, the metavariables it always binds, its calls and members. */
function analysePattern(pattern: unknown, lang: ScanLanguage): PatternInfo {
  const spec = patternSpec(pattern);
  if (!spec) return EMPTY_INFO;
  const key = `${lang}\0${JSON.stringify(spec)}`;
  const cached = patternCache.get(key);
  if (cached) return cached;
  const root = parse(lang, spec.context).root();
  if (hasError(root)) throw new PatternError(`pattern ${JSON.stringify(spec.context)} does not parse as ${lang}`);
  let targets: SgNode[] = [root];
  if (spec.selector) targets = root.findAll({ rule: { kind: spec.selector } });
  const result: PatternInfo = { req: [], bound: new Set<string>(), calls: [], members: [] };
  // With a selector, only the selected node must match; several candidates make the choice ambiguous.
  if (targets.length === 1) {
    const target = targets[0];
    const withText = STRICTNESS_WITH_TEXT.has(spec.strictness);
    const withUnnamed = STRICTNESS_WITH_UNNAMED.has(spec.strictness);
    const clauses: Clause[] = [];
    const targetLeaves = leaves(target);
    const last = targetLeaves[targetLeaves.length - 1];
    for (const leaf of targetLeaves) {
      const text = leaf.text();
      const capture = SINGLE_CAPTURE.exec(text);
      if (capture) result.bound.add(capture[1]);
      if (!withText || METAVARIABLE.test(text) || leaf.kind() === 'comment') continue;
      if (!leaf.isNamed() && !withUnnamed) continue;
      // ast-grep matches an unnamed leaf by kind alone, so a MISSING token tree-sitter inserted
      // (zero width, no text) matches it too: `x = import.;` matches `import.meta`. Tree-sitter
      // inserts one only where the next token then completes a node, so only a pattern's last
      // leaf can be missing from the text.
      if (!leaf.isNamed() && leaf === last) continue;
      if (leaf.kind() === 'string_fragment') {
        if (text.length > 0) clauses.push([{ text, ci: false, callee: false }]);
      } else if (WORD.test(text)) {
        // A leaf is a token of the file: its word occurs in code, not only in comments.
        clauses.push([{ text, ci: false, callee: false, shape: { type: 'code', word: text } }]);
      }
    }
    if (withUnnamed) {
      // A call adds its callee's last word followed by `(` (`import(`, `createCipher(`).
      const calls = target.findAll({ rule: { any: [{ kind: 'call_expression' }, { kind: 'new_expression' }] } });
      for (const call of calls) {
        const callee = call.field(call.kind() === 'new_expression' ? 'constructor' : 'function');
        const args = call.field('arguments');
        if (!callee || !args || leaves(args)[0]?.text() !== '(') continue;
        const word = lastLeaf(callee).text();
        if (!WORD.test(word) || METAVARIABLE.test(word)) continue;
        clauses.push([{ text: word, ci: false, callee: true }]);
        const metavariableArgs: Array<{ index: number; name: string }> = [];
        const argNodes = args.children().filter((c) => c.isNamed() && c.kind() !== 'comment');
        for (let index = 0; index < argNodes.length; index++) {
          const text = argNodes[index].text();
          if (/^\$\$/.test(text)) break; // `$$$ARGS`: later arguments have no fixed position
          const capture = SINGLE_CAPTURE.exec(text);
          if (capture) metavariableArgs.push({ index, name: capture[1] });
        }
        result.calls.push({ callee: word, args: metavariableArgs });
      }
      for (const member of target.findAll({ rule: { kind: 'member_expression' } })) {
        const object = member.field('object');
        const property = member.field('property');
        if (!object || !property || object.kind() !== 'identifier' || property.kind() !== 'property_identifier') continue;
        const part = (text: string) => {
          const capture = SINGLE_CAPTURE.exec(text);
          return capture ? { metavar: capture[1] } : WORD.test(text) && !METAVARIABLE.test(text) ? text : undefined;
        };
        const o = part(object.text());
        const p = part(property.text());
        if (o !== undefined && p !== undefined) result.members.push({ object: o, property: p });
      }
    }
    result.req = clauses;
  }
  patternCache.set(key, result);
  return result;
}

interface DeriveContext {
  lang: ScanLanguage;
  utils: Record<string, unknown>;
  constraints: Record<string, unknown>;
  visiting: Set<string>;
  /** Constraints being followed (a constraint may hold a pattern binding the same name). */
  expanding: Set<string>;
}

/** The complete list of names a metavariable's constraint allows (`regex: "^(a|b)$"`), if it gives one. */
function allowedNames(name: string, ctx: DeriveContext): string[] | undefined {
  const constraint = ctx.constraints[name];
  if (!isRecord(constraint) || typeof constraint.regex !== 'string') return undefined;
  const names = regexFullMatches(constraint.regex);
  return names && names.length > 0 && names.every((n) => WORD.test(n)) ? [...new Set(names)].sort() : undefined;
}

/** Whether a rule refers to utils (then a shape carries them along). */
function usesUtils(rule: unknown): boolean {
  return JSON.stringify(rule ?? null).includes('"matches"');
}

/** Shape clauses of a pattern (see the module comment). */
function shapeClauses(info: PatternInfo, ctx: DeriveContext): Requirement {
  const out: Requirement = [];
  for (const call of info.calls) {
    for (const arg of call.args) {
      const constraint = ctx.constraints[arg.name];
      if (constraint === undefined) continue;
      const shape = { type: 'call' as const, callee: call.callee, index: arg.index, constraint, ...(usesUtils(constraint) ? { utils: ctx.utils } : {}) };
      out.push([{ text: call.callee, ci: false, callee: true, shape }]);
    }
  }
  for (const member of info.members) {
    const objects = typeof member.object === 'string' ? [member.object] : allowedNames(member.object.metavar, ctx);
    if (!objects) continue;
    const properties = typeof member.property === 'string' ? [member.property] : allowedNames(member.property.metavar, ctx);
    out.push(objects.map((object): Literal => ({ text: object, ci: false, callee: false, shape: { type: 'member', object, ...(properties ? { properties } : {}) } })));
  }
  return out;
}

function requirementOf(rule: unknown, ctx: DeriveContext): Alternatives {
  if (!isRecord(rule)) return [[]];
  let out: Alternatives = [[]];
  const and = (alts: Alternatives) => {
    out = andAlternatives(out, alts);
  };
  if (rule.pattern !== undefined) {
    const info = analysePattern(rule.pattern, ctx.lang);
    const spec = patternSpec(rule.pattern);
    const shapes = STRICTNESS_WITH_UNNAMED.has(spec?.strictness ?? '') ? shapeClauses(info, ctx) : [];
    and([[...info.req, ...shapes]]);
    // The pattern binds its metavariables whenever it is part of a match, so their constraints hold too.
    if (spec?.selector === undefined) {
      for (const name of info.bound) {
        if (!(name in ctx.constraints) || ctx.expanding.has(name)) continue;
        ctx.expanding.add(name);
        and(requirementOf(ctx.constraints[name], ctx));
        ctx.expanding.delete(name);
      }
    }
  }
  if (typeof rule.regex === 'string') and([regexRequirement(rule.regex)]);
  for (const relation of RELATIONS) {
    const sub = rule[relation];
    if (isRecord(sub)) {
      // `stopBy` and `field` steer the search; the related node itself must still exist in the file.
      const { stopBy: _stopBy, field: _field, ...related } = sub;
      and(requirementOf(related, ctx));
    }
  }
  if (Array.isArray(rule.all)) for (const member of rule.all) and(requirementOf(member, ctx));
  if (Array.isArray(rule.any)) and(orAlternatives(rule.any.map((member) => requirementOf(member, ctx))));
  if (typeof rule.matches === 'string' && rule.matches in ctx.utils && !ctx.visiting.has(rule.matches)) {
    ctx.visiting.add(rule.matches);
    and(requirementOf(ctx.utils[rule.matches], ctx));
    ctx.visiting.delete(rule.matches);
  }
  return out;
}

/**
 * The prefilter requirement of `rule` when scanning `lang` files: alternatives, one of which holds
 * in any file the rule matches (`[[]]`: nothing known). Throws PatternError for a pattern that does not parse.
 */
export function ruleAlternatives(rule: ScanRule, lang: ScanLanguage): Alternatives {
  const utils = rule.matcher.utils ?? {};
  const constraints = rule.matcher.constraints ?? {};
  const ctx: DeriveContext = { lang, utils, constraints, visiting: new Set(), expanding: new Set() };
  return simplifyAlternatives(requirementOf(rule.matcher.rule, ctx));
}

/** Every clause `rule` needs in `lang` files whichever alternative matches (those all alternatives share). */
export function ruleRequirement(rule: ScanRule, lang: ScanLanguage): Requirement {
  const alts = ruleAlternatives(rule, lang);
  if (alts.length === 1) return alts[0];
  const key = (c: Clause) => JSON.stringify(c);
  return alts[0].filter((c) => alts.every((a) => a.some((d) => key(d) === key(c))));
}

/** Every pattern anywhere in the rule (also under `not`, constraints and utils) that does not parse in `lang`. */
export function patternProblems(rule: ScanRule, lang: ScanLanguage): string[] {
  const problems: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'pattern') {
          try {
            analysePattern(inner, lang);
          } catch (err) {
            if (err instanceof PatternError) problems.push(`${rule.id}: ${err.message}`);
            else throw err;
          }
        } else visit(inner);
      }
    }
  };
  visit(rule.matcher);
  return problems;
}
