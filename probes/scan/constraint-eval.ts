/**
 * Evaluates an ast-grep rule (a metavariable's constraint) on a node read by code-shapes.ts,
 * three-valued: `true`, `false`, or `undefined` when this reader cannot tell. The prefilter
 * rules an occurrence out only on `false`, so every "cannot tell" keeps the file.
 *
 * Understood: `kind` (for node kinds this reader produces or knows to be concrete), `regex`
 * (Rust syntax translated to an equivalent JavaScript regex on ASCII text), `has` (direct
 * children or, with `stopBy: end`, descendants, when known), `not`, `any`, `all` and `matches`.
 * Everything else (`pattern`, `inside`, `nthChild`, `field`, ...) is "cannot tell".
 */
import { isRecord } from '../../tools/parse';
import type { ExprNode } from './code-shapes';
import { nodeText } from './code-shapes';
import type { TokenStream } from './js-tokens';

export type Tri = boolean | undefined;

/**
 * Node kinds of tree-sitter-javascript/typescript that name one concrete node type. A `kind:`
 * naming anything else (a supertype, a misspelling) is not evaluated.
 */
const CONCRETE_KINDS = new Set([
  'identifier', 'member_expression', 'subscript_expression', 'call_expression', 'new_expression', 'arrow_function',
  'parenthesized_expression', 'string', 'template_string', 'number', 'binary_expression', 'unary_expression',
  'ternary_expression', 'array', 'object', 'this', 'true', 'false', 'null', 'undefined', 'spread_element',
  'template_substitution', 'string_fragment', 'escape_sequence', 'regex', 'assignment_expression',
  'augmented_assignment_expression', 'await_expression', 'yield_expression', 'sequence_expression', 'function_expression',
  'class', 'update_expression', 'jsx_element', 'jsx_self_closing_element', 'as_expression', 'satisfies_expression',
  'non_null_expression', 'type_assertion', 'super', 'import', 'meta_property', 'comment', 'private_property_identifier',
  'property_identifier', 'shorthand_property_identifier', 'pair', 'statement_block', 'arguments', 'ERROR',
]);

const and3 = (values: Tri[]): Tri => (values.includes(false) ? false : values.includes(undefined) ? undefined : true);
const or3 = (values: Tri[]): Tri => (values.includes(true) ? true : values.includes(undefined) ? undefined : false);
const not3 = (v: Tri): Tri => (v === undefined ? undefined : !v);

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const translated = new Map<string, RegExp | null>();

/**
 * A JavaScript regex that agrees with the Rust regex `source` on ASCII text, or undefined when
 * `source` uses syntax this translation does not cover. On ASCII text Rust's Unicode classes
 * (`\s`, `\d`, `\w`, `\b`) and simple case folding agree with JavaScript's non-Unicode ones;
 * `.` differs only at `\r` (Rust: any character but `\n`), hence `[^\n]`.
 */
export function rustRegexToJs(source: string): RegExp | undefined {
  const cached = translated.get(source);
  if (cached !== undefined) return cached ?? undefined;
  let result: RegExp | undefined;
  try {
    result = translate(source);
  } catch {
    result = undefined;
  }
  translated.set(source, result ?? null);
  return result;
}

function translate(source: string): RegExp | undefined {
  let flags = '';
  let s = source;
  if (s.startsWith('(?i)')) {
    flags = 'i';
    s = s.slice(4);
  }
  let out = '';
  let i = 0;
  const plainEscape = (e: string) => /^[\\^$.*+?()[\]{}|\-/#&~ '"`!@%,:;<=>_]$/.test(e);
  while (i < s.length) {
    const c = s[i];
    if (c.charCodeAt(0) > 126 || c.charCodeAt(0) < 32) return undefined;
    if (c === '\\') {
      const e = s[i + 1];
      if (e === undefined) return undefined;
      if ('dDwWsSbB'.includes(e) || 'nrtf'.includes(e)) out += `\\${e}`;
      else if (e === 'A') out += '^';
      else if (e === 'z') out += '$';
      else if (plainEscape(e)) out += `\\${e}`;
      else return undefined;
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (s[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      for (;;) {
        const d = s[j];
        if (d === undefined) return undefined;
        if (d === ']' && !first) break;
        first = false;
        if (d === '[' || (d === '&' && s[j + 1] === '&') || (d === '-' && s[j + 1] === '-') || (d === '~' && s[j + 1] === '~')) return undefined;
        if (d.charCodeAt(0) > 126 || d.charCodeAt(0) < 32) return undefined;
        if (d === '\\') {
          const e = s[j + 1];
          if (e === undefined) return undefined;
          if ('dDwWsSnrtf'.includes(e) || plainEscape(e)) cls += `\\${e}`;
          else return undefined;
          j += 2;
        } else {
          cls += d === ']' || d === '^' ? `\\${d}` : d;
          j++;
        }
      }
      out += `${cls}]`;
      i = j + 1;
    } else if (c === '(') {
      if (s[i + 1] === '?') {
        const named = /^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(s.slice(i));
        if (s.startsWith('(?:', i)) {
          out += '(?:';
          i += 3;
        } else if (named) {
          out += '(?:';
          i += named[0].length;
        } else return undefined;
      } else {
        out += '(';
        i++;
      }
    } else if (c === '.') {
      out += '[^\\n]';
      i++;
    } else if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(s.slice(i));
      if (!m) return undefined;
      out += m[0];
      i += m[0].length;
    } else if (c === ']' || c === '}') {
      out += `\\${c}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return new RegExp(out, flags);
}

export interface EvalContext {
  ts: TokenStream;
  utils: Readonly<Record<string, unknown>>;
}

/** Evaluates `rule` on `node`: true / false, or undefined when it cannot tell. */
export function evalRule(rule: unknown, node: ExprNode, ctx: EvalContext, depth = 0): Tri {
  if (!isRecord(rule) || depth > 16) return undefined;
  const keys = Object.keys(rule);
  if (keys.length === 0) return undefined;
  const results: Tri[] = [];
  for (const key of keys) {
    const value = rule[key];
    switch (key) {
      case 'kind':
        results.push(typeof value === 'string' && CONCRETE_KINDS.has(value) ? node.kind === value : undefined);
        break;
      case 'regex': {
        const text = nodeText(ctx.ts, node);
        const re = typeof value === 'string' && ASCII_ONLY.test(text) ? rustRegexToJs(value) : undefined;
        results.push(re ? re.test(text) : undefined);
        break;
      }
      case 'not':
        results.push(not3(evalRule(value, node, ctx, depth + 1)));
        break;
      case 'any':
        results.push(Array.isArray(value) && value.length > 0 ? or3(value.map((r) => evalRule(r, node, ctx, depth + 1))) : undefined);
        break;
      case 'all':
        results.push(Array.isArray(value) && value.length > 0 ? and3(value.map((r) => evalRule(r, node, ctx, depth + 1))) : undefined);
        break;
      case 'matches':
        results.push(typeof value === 'string' && value in ctx.utils ? evalRule(ctx.utils[value], node, ctx, depth + 1) : undefined);
        break;
      case 'has':
        results.push(evalHas(value, node, ctx, depth));
        break;
      default:
        results.push(undefined);
    }
    if (results[results.length - 1] === false) return false;
  }
  return and3(results);
}

function evalHas(value: unknown, node: ExprNode, ctx: EvalContext, depth: number): Tri {
  if (!isRecord(value) || value.field !== undefined) return undefined;
  const { stopBy, ...sub } = value;
  const deep = stopBy === 'end';
  if (stopBy !== undefined && stopBy !== 'neighbor' && !deep) return undefined;
  if (node.children) {
    return or3(node.children.map((child) => (deep ? or3([evalRule(sub, child, ctx, depth + 1), evalHas(value, child, ctx, depth + 1)]) : evalRule(sub, child, ctx, depth + 1))));
  }
  // Children not known one by one: only a `kind` none of them can have settles it.
  if (node.childKinds && !deep && typeof sub.kind === 'string' && CONCRETE_KINDS.has(sub.kind) && !node.childKinds.includes(sub.kind)) return false;
  if (node.substitutions && !deep && Object.keys(sub).length === 1 && sub.kind === 'template_substitution') return true;
  return undefined;
}
