/**
 * Derives, at rule-load time, the literals a rule cannot match without (`eval($A)` → `eval`).
 *
 * Patterns are parsed with the same grammar the scan uses, and their leaves read: a leaf that is
 * not a metavariable must appear verbatim in any match (ast-grep compares leaf text). Unnamed
 * leaves (keywords such as `new`) count only under the `smart`/`cst` strictness, where the pattern's
 * unnamed nodes must match too. A call in a pattern (`import($M)`) adds a "callee" literal: the
 * callee's last word followed by `(` with only non-word characters between. (No such literal is
 * derived for `a.b`: ast-grep skips comments and error nodes inside member expressions.)
 * Regexes go through regex-literals.ts. `has`/`inside`/`precedes`/`follows` sub-rules describe
 * nodes of the same file, so their literals are required as well; `not`, `kind`, `nthChild` and
 * `range` say nothing; `any` keeps only what all its branches share. Constraints count only for
 * metavariables every match binds (an unbound metavariable skips its constraint in ast-grep).
 */
import { parse, type SgNode } from '@ast-grep/napi';
import { isRecord } from '../../tools/parse';
import type { ScanLanguage } from './languages';
import { anyOf, simplifyRequirement, type Clause, type Requirement } from './literal-clauses';
import { regexRequirement } from './regex-literals';
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

const patternCache = new Map<string, { req: Requirement; bound: Set<string> }>();

/** Parses a pattern once per language: its required literals and the metavariables it always binds. */
function analysePattern(pattern: unknown, lang: ScanLanguage): { req: Requirement; bound: Set<string> } {
  const spec = patternSpec(pattern);
  if (!spec) return { req: [], bound: new Set() };
  const key = `${lang}\0${JSON.stringify(spec)}`;
  const cached = patternCache.get(key);
  if (cached) return cached;
  const root = parse(lang, spec.context).root();
  if (hasError(root)) throw new PatternError(`pattern ${JSON.stringify(spec.context)} does not parse as ${lang}`);
  let targets: SgNode[] = [root];
  if (spec.selector) targets = root.findAll({ rule: { kind: spec.selector } });
  const result = { req: [] as Requirement, bound: new Set<string>() };
  // With a selector, only the selected node must match; several candidates make the choice ambiguous.
  if (targets.length === 1) {
    const target = targets[0];
    const withText = STRICTNESS_WITH_TEXT.has(spec.strictness);
    const withUnnamed = STRICTNESS_WITH_UNNAMED.has(spec.strictness);
    const clauses: Clause[] = [];
    for (const leaf of leaves(target)) {
      const text = leaf.text();
      const capture = SINGLE_CAPTURE.exec(text);
      if (capture) result.bound.add(capture[1]);
      if (!withText || METAVARIABLE.test(text) || leaf.kind() === 'comment') continue;
      if (!leaf.isNamed() && !withUnnamed) continue;
      if (WORD.test(text) || (leaf.isNamed() && leaf.kind() === 'string_fragment' && text.length > 0)) {
        clauses.push([{ text, ci: false, callee: false }]);
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
        if (WORD.test(word) && !METAVARIABLE.test(word)) clauses.push([{ text: word, ci: false, callee: true }]);
      }
    }
    result.req = clauses;
  }
  patternCache.set(key, result);
  return result;
}

function requirementOf(rule: unknown, lang: ScanLanguage, utils: Record<string, unknown>, visiting: Set<string>): Requirement {
  if (!isRecord(rule)) return [];
  const out: Requirement = [];
  if (rule.pattern !== undefined) out.push(...analysePattern(rule.pattern, lang).req);
  if (typeof rule.regex === 'string') out.push(...regexRequirement(rule.regex));
  for (const relation of RELATIONS) {
    const sub = rule[relation];
    if (isRecord(sub)) {
      // `stopBy` and `field` steer the search; the related node itself must still exist in the file.
      const { stopBy: _stopBy, field: _field, ...related } = sub;
      out.push(...requirementOf(related, lang, utils, visiting));
    }
  }
  if (Array.isArray(rule.all)) for (const member of rule.all) out.push(...requirementOf(member, lang, utils, visiting));
  if (Array.isArray(rule.any)) out.push(...anyOf(rule.any.map((member) => requirementOf(member, lang, utils, visiting))));
  if (typeof rule.matches === 'string' && rule.matches in utils && !visiting.has(rule.matches)) {
    visiting.add(rule.matches);
    out.push(...requirementOf(utils[rule.matches], lang, utils, visiting));
    visiting.delete(rule.matches);
  }
  return out;
}

/** Metavariables bound by every match of `rule` (patterns at the top level, through `all` and `any`). */
function boundMetavariables(rule: unknown, lang: ScanLanguage): Set<string> {
  if (!isRecord(rule)) return new Set();
  const bound = new Set<string>();
  if (rule.pattern !== undefined && patternSpec(rule.pattern)?.selector === undefined) {
    analysePattern(rule.pattern, lang).bound.forEach((v) => bound.add(v));
  }
  if (Array.isArray(rule.all)) for (const m of rule.all) boundMetavariables(m, lang).forEach((v) => bound.add(v));
  if (Array.isArray(rule.any) && rule.any.length > 0) {
    const sets = rule.any.map((m) => boundMetavariables(m, lang));
    for (const v of sets[0]) if (sets.every((s) => s.has(v))) bound.add(v);
  }
  return bound;
}

/** The prefilter requirement of `rule` when scanning `lang` files. Throws PatternError for a pattern that does not parse. */
export function ruleRequirement(rule: ScanRule, lang: ScanLanguage): Requirement {
  const utils = rule.matcher.utils ?? {};
  const req = requirementOf(rule.matcher.rule, lang, utils, new Set());
  const bound = boundMetavariables(rule.matcher.rule, lang);
  for (const [name, constraint] of Object.entries(rule.matcher.constraints ?? {})) {
    if (bound.has(name)) req.push(...requirementOf(constraint, lang, utils, new Set()));
  }
  return simplifyRequirement(req);
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
