/**
 * Shape checks on a file's tokens (js-tokens.ts): "this call's first argument can be a string",
 * "`url` is followed by `.parse`", "this word occurs in code". They decide, per occurrence of a
 * word, whether a rule's pattern can match there, so a file whose every occurrence is ruled out
 * need not be parsed.
 *
 * Why reading tokens can stand in for tree-sitter here: tree-sitter (and so ast-grep) gives a
 * call or member expression another shape than the tokens suggest only through error recovery,
 * and error recovery starts only at a token that is not valid where it stands. It may then wrap
 * tokens that are still open on its stack (an argument list before its closing parenthesis has
 * been followed by a valid token) into an ERROR node, which ast-grep skips like a comment:
 * `setTimeout(x 'code')` matches `setTimeout($C)` with `$C = 'code'`. So an occurrence is ruled
 * out only when
 * - its argument list is a complete, grammatical list of expressions in the small subset of
 *   JavaScript/TypeScript `Expressions` below understands (anything else: keep the file), and
 * - the token after it is one that is valid there whatever the surrounding code is, judged from
 *   the enclosing bracket (`followerIsValid`); otherwise: keep the file.
 * Then no error can be detected inside or right after the checked tokens, tree-sitter builds the
 * nodes this module builds, and the rule's constraint can be evaluated on them.
 *
 * What this rests on, beyond the tokenizer's agreement with tree-sitter's lexer: that the parser
 * reaches the checked tokens in the state the tokens before them imply (no unrecovered error
 * reaching into them, no skipped bracket around them). Declaration heads (`let x (`), parameter
 * lists, `for`/`catch` heads and unusual neighbours are treated as unknown for that reason; the
 * soundness properties in prefilter.test.ts throw valid and broken code at every check.
 */
import type { ScanLanguage } from './languages';
import { isToken, knownEnd, Tok, tokenize, tokenText, truncateTokens, type TokenStream } from './js-tokens';

export interface ExprNode {
  /** tree-sitter's node kind. */
  kind: string;
  /** First and last token (inclusive). */
  first: number;
  last: number;
  /** Every direct child (named and unnamed), when known exactly. */
  children?: ExprNode[];
  /** Otherwise, when known: every kind a direct child can have. */
  childKinds?: readonly string[];
  /** Template with at least one `${}`. */
  substitutions?: boolean;
}

class Bail extends Error {}
/** One instance: bailing out is common and must cost no stack trace. */
const BAIL = new Bail();
const bail = (): never => {
  throw BAIL;
};

/**
 * Names the expression subset never treats as plain identifiers: JavaScript's reserved words and
 * TypeScript's contextual keywords (tree-sitter may read them as syntax in some positions).
 */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements',
  'interface', 'package', 'private', 'protected', 'public', 'await', 'async', 'abstract', 'as', 'asserts', 'any', 'boolean',
  'constructor', 'declare', 'get', 'set', 'infer', 'is', 'keyof', 'module', 'namespace', 'never', 'readonly', 'number',
  'object', 'of', 'string', 'symbol', 'type', 'undefined', 'unique', 'unknown', 'from', 'global', 'bigint', 'override',
  'satisfies', 'accessor', 'out',
]);
/** A name before `(` that makes it a parameter list or otherwise not a call, when it precedes the name. */
const DECLARING = new Set([
  'let', 'const', 'var', 'class', 'interface', 'type', 'enum', 'namespace', 'module', 'import', 'export', 'declare',
  'abstract', 'implements', 'extends', 'as', 'get', 'set', 'static', 'async', 'function', 'private', 'protected',
  'public', 'readonly', 'override', 'accessor',
]);
/**
 * Binary operators accepted inside checked expressions (`<`, `>` and shifts stay out: generics and
 * JSX; the tokenizer produces `/` only where it is sure of a division).
 */
const BINARY = new Set(['+', '-', '*', '/', '%', '==', '!=', '===', '!==', '&&', '||', '??', '&', '|', '^']);
const ASSIGNMENT = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**=', '<<=', '>>=', '>>>=', '&&=', '||=', '??=']);
/** Tokens that may follow any complete expression (operators; member access and calls are handled apart). */
const AFTER_EXPRESSION = new Set([
  '+', '-', '*', '/', '%', '**', '==', '!=', '===', '!==', '<=', '>=', '<', '>', '&&', '||', '??', '&', '|', '^', '<<', '>>', '>>>', '?',
]);
const AFTER_EXPRESSION_NAMES = new Set(['in', 'instanceof']);
/** After a line break these continue the statement instead of starting a new one. */
const CONTINUING_NAMES = new Set(['in', 'instanceof', 'of', 'as', 'satisfies', 'extends', 'implements']);

/** Recursive-descent reader of a subset of JavaScript/TypeScript expressions; anything outside it bails. */
class Expressions {
  p = 0;
  constructor(readonly ts: TokenStream) {}

  private is(value: string, at = this.p): boolean {
    return isToken(this.ts, at, value);
  }
  private kind(at = this.p): number {
    return at < this.ts.count ? this.ts.kind[at] : 0;
  }
  private text(at = this.p): string {
    return at < this.ts.count ? tokenText(this.ts, at) : '';
  }
  private expect(value: string): number {
    if (!this.is(value)) bail();
    return this.p++;
  }
  private identifier(at = this.p): boolean {
    return this.kind(at) === Tok.Name && !RESERVED.has(this.text(at)) && !this.text(at).startsWith('#');
  }
  /** Exact children need every child seen; a comment inside is a child too. */
  private commentInside(first: number, last: number): boolean {
    for (let i = first + 1; i <= last; i++) if (this.ts.commentBefore[i]) return true;
    return false;
  }
  private leaf(kind: string, at: number): ExprNode {
    return { kind, first: at, last: at, children: [] };
  }

  /** `( args )` starting at the open parenthesis; returns the arguments and moves past `)`. */
  argumentList(): ExprNode[] {
    const open = this.expect('(');
    const close = this.ts.partner[open];
    if (close < 0) bail();
    const args: ExprNode[] = [];
    while (this.p !== close) {
      if (this.is('...')) {
        const first = this.p++;
        const inner = this.assignment();
        args.push({ kind: 'spread_element', first, last: inner.last });
      } else args.push(this.assignment());
      if (this.p === close) break;
      this.expect(',');
    }
    this.p = close + 1;
    return args;
  }

  assignment(): ExprNode {
    // Arrow functions: `x => ...` and `(a, b) => ...` (no defaults, patterns or types).
    if (this.identifier() && this.is('=>', this.p + 1)) return this.arrow(this.p, this.p + 1);
    if (this.is('(')) {
      const close = this.ts.partner[this.p];
      if (close > 0 && this.is('=>', close + 1)) {
        for (let i = this.p + 1; i < close; i += 2) {
          if (!this.identifier(i) || !(i + 1 === close || this.is(',', i + 1)) || (i + 1 !== close && i + 2 === close)) bail();
        }
        return this.arrow(this.p, close + 1);
      }
    }
    const test = this.binary();
    if (!this.is('?')) return test;
    this.p++;
    this.assignment();
    this.expect(':');
    const alternate = this.assignment();
    return { kind: 'ternary_expression', first: test.first, last: alternate.last };
  }

  private arrow(first: number, arrowToken: number): ExprNode {
    if (this.ts.newlineBefore[arrowToken]) bail(); // no line break may precede `=>`
    this.p = arrowToken + 1;
    if (this.is('{')) {
      const last = this.block();
      return { kind: 'arrow_function', first, last };
    }
    const body = this.assignment();
    return { kind: 'arrow_function', first, last: body.last };
  }

  private binary(): ExprNode {
    const operands = [this.unary()];
    const ops: number[] = [];
    for (;;) {
      const k = this.kind();
      const t = this.text();
      if ((k === Tok.Punct && BINARY.has(t)) || (k === Tok.Name && (t === 'instanceof' || t === 'in'))) {
        ops.push(this.p++);
        operands.push(this.unary());
      } else break;
    }
    if (ops.length === 0) return operands[0];
    const texts = ops.map((o) => this.text(o));
    if (texts.includes('??') && texts.some((t) => t === '||' || t === '&&')) bail(); // a syntax error in JavaScript
    const node: ExprNode = { kind: 'binary_expression', first: operands[0].first, last: operands[operands.length - 1].last };
    if (ops.length === 1 && !this.commentInside(node.first, node.last)) {
      node.children = [operands[0], this.leaf(texts[0], ops[0]), operands[1]];
    }
    return node;
  }

  private unary(): ExprNode {
    const k = this.kind();
    const t = this.text();
    if ((k === Tok.Punct && (t === '!' || t === '~' || t === '+' || t === '-')) || (k === Tok.Name && (t === 'typeof' || t === 'void'))) {
      const first = this.p++;
      const operand = this.unary();
      return { kind: 'unary_expression', first, last: operand.last };
    }
    if (k === Tok.Name && t === 'new' && !this.is('.', this.p + 1)) return this.postfix(this.newExpression());
    return this.postfix(this.primary());
  }

  private newExpression(): ExprNode {
    const first = this.p++;
    if (!this.identifier()) bail();
    let last = this.p++;
    while (this.is('.') && this.kind(this.p + 1) === Tok.Name) {
      last = this.p + 1;
      this.p += 2;
    }
    if (this.is('(')) {
      this.argumentList();
      last = this.p - 1;
    }
    return { kind: 'new_expression', first, last };
  }

  /** The identifier at `p` and every member access, subscript and call after it. */
  chain(): ExprNode {
    if (this.kind() !== Tok.Name) bail();
    return this.postfix(this.leaf('identifier', this.p++));
  }

  private postfix(node: ExprNode): ExprNode {
    for (;;) {
      if (this.is('.')) {
        if (this.kind(this.p + 1) !== Tok.Name) bail();
        node = { kind: 'member_expression', first: node.first, last: this.p + 1 };
        this.p += 2;
      } else if (this.is('?.')) {
        this.p++;
        if (this.kind() === Tok.Name) node = { kind: 'member_expression', first: node.first, last: this.p++ };
        else if (this.is('(')) {
          this.argumentList();
          node = { kind: 'call_expression', first: node.first, last: this.p - 1 };
        } else if (this.is('[')) node = this.subscript(node);
        else bail();
      } else if (this.is('[')) node = this.subscript(node);
      else if (this.is('(')) {
        this.argumentList();
        node = { kind: 'call_expression', first: node.first, last: this.p - 1 };
      } else return node;
    }
  }

  private subscript(node: ExprNode): ExprNode {
    const open = this.expect('[');
    this.assignment();
    if (this.p !== this.ts.partner[open]) bail();
    return { kind: 'subscript_expression', first: node.first, last: this.p++ };
  }

  private primary(): ExprNode {
    const at = this.p;
    const k = this.kind();
    const t = this.text();
    if (k === Tok.Name) {
      this.p++;
      if (t === 'this' || t === 'true' || t === 'false' || t === 'null') return this.leaf(t, at);
      // `import.meta`, `new.target` (meta properties) and `import(...)` (its call is read by `postfix`).
      if ((t === 'import' && this.is('.') && this.text(this.p + 1) === 'meta') || (t === 'new' && this.is('.') && this.text(this.p + 1) === 'target')) {
        this.p += 2;
        return { kind: 'meta_property', first: at, last: at + 2 };
      }
      if (t === 'import' && this.is('(')) return this.leaf('import', at);
      if (RESERVED.has(t) || t.startsWith('#')) bail();
      return this.leaf('identifier', at);
    }
    if (k === Tok.Num) {
      this.p++;
      return this.leaf('number', at);
    }
    if (k === Tok.Str) {
      this.p++;
      return { kind: 'string', first: at, last: at, childKinds: [t[0], 'string_fragment', 'escape_sequence'] };
    }
    if (k === Tok.Template) {
      this.p++;
      return { kind: 'template_string', first: at, last: at, childKinds: ['`', 'string_fragment', 'escape_sequence'], substitutions: false };
    }
    if (k === Tok.TemplateHead) {
      this.p++;
      for (;;) {
        this.assignment();
        if (this.kind() === Tok.TemplateMiddle) this.p++;
        else if (this.kind() === Tok.TemplateTail) break;
        else bail();
      }
      return {
        kind: 'template_string',
        first: at,
        last: this.p++,
        childKinds: ['`', 'string_fragment', 'escape_sequence', 'template_substitution'],
        substitutions: true,
      };
    }
    if (this.is('(')) {
      const close = this.ts.partner[at];
      this.p++;
      this.assignment();
      if (this.p !== close) bail();
      this.p++;
      return { kind: 'parenthesized_expression', first: at, last: close };
    }
    if (this.is('[')) return this.array();
    if (this.is('{')) return this.object();
    return bail();
  }

  private array(): ExprNode {
    const open = this.p++;
    const close = this.ts.partner[open];
    if (close < 0) bail();
    while (this.p !== close) {
      if (this.is('...')) this.p++;
      this.assignment();
      if (this.p === close) break;
      this.expect(',');
    }
    this.p = close + 1;
    return { kind: 'array', first: open, last: close };
  }

  private object(): ExprNode {
    const open = this.p++;
    const close = this.ts.partner[open];
    if (close < 0) bail();
    while (this.p !== close) {
      if (this.is('...')) {
        this.p++;
        this.assignment();
      } else if (this.is('[')) {
        const keyClose = this.ts.partner[this.p];
        this.p++;
        this.assignment();
        if (this.p !== keyClose) bail();
        this.p++;
        this.expect(':');
        this.assignment();
      } else if (this.kind() === Tok.Name && !this.text().startsWith('#')) {
        const name = this.p++;
        if (this.is(':')) {
          this.p++;
          this.assignment();
        } else if (!(this.is(',') || this.p === close) || !this.identifier(name)) bail(); // methods, get/set, shorthand keywords
      } else if (this.kind() === Tok.Str || this.kind() === Tok.Num) {
        this.p++;
        this.expect(':');
        this.assignment();
      } else bail();
      if (this.p === close) break;
      this.expect(',');
    }
    this.p = close + 1;
    return { kind: 'object', first: open, last: close };
  }

  /** `{ statements }` of an arrow function: a small statement subset, each ended by `;` or the closing brace. */
  private block(): number {
    const open = this.p++;
    const close = this.ts.partner[open];
    if (close < 0) bail();
    while (this.p !== close) this.statement(close);
    this.p = close + 1;
    return close;
  }

  private statement(close: number): void {
    const t = this.text();
    const end = () => {
      if (this.is(';')) this.p++;
      else if (this.p !== close) bail();
    };
    if (this.is(';')) {
      this.p++;
      return;
    }
    if (this.is('{')) {
      this.block();
      return;
    }
    if (this.kind() === Tok.Name && (t === 'const' || t === 'let' || t === 'var')) {
      this.p++;
      for (;;) {
        if (!this.identifier()) bail();
        this.p++;
        if (this.is('=')) {
          this.p++;
          this.assignment();
        }
        if (!this.is(',')) break;
        this.p++;
      }
      return end();
    }
    if (this.kind() === Tok.Name && (t === 'return' || t === 'throw')) {
      this.p++;
      if (this.is(';') || this.p === close) {
        if (t === 'throw') bail();
        return end();
      }
      if (this.ts.newlineBefore[this.p]) bail(); // `return` + line break is `return;`
      this.assignment();
      return end();
    }
    if (this.kind() === Tok.Name && t === 'if') {
      this.p++;
      const open = this.expect('(');
      this.assignment();
      if (this.p !== this.ts.partner[open]) bail();
      this.p++;
      this.statement(close);
      if (this.is('else')) {
        this.p++;
        this.statement(close);
      }
      return;
    }
    if (this.kind() === Tok.Name && RESERVED.has(t) && t !== 'this' && t !== 'new' && t !== 'typeof' && t !== 'void') bail();
    const expr = this.assignment();
    if (this.kind() === Tok.Punct && ASSIGNMENT.has(this.text())) {
      if (expr.kind !== 'identifier' && expr.kind !== 'member_expression' && expr.kind !== 'subscript_expression') bail();
      this.p++;
      this.assignment();
    }
    end();
  }
}

/** Where an expression ends, as far as the enclosing bracket tells. */
type Context = 'top' | 'block' | 'block-or-class' | 'object' | 'paren' | 'bracket' | 'template' | 'unknown';

const GROUPING_AFTER_NAMES = new Set(['if', 'while', 'switch', 'with', 'return', 'typeof', 'void', 'await', 'in', 'of', 'case', 'throw', 'new', 'delete', 'yield', 'else', 'do', 'instanceof']);
const OBJECT_AFTER = new Set(['=', '(', ',', ':', '[', '?', '||', '&&', '??', '...']);

function contextOf(ts: TokenStream, open: number): Context {
  if (open < 0) return 'top';
  const k = ts.kind[open];
  if (k === Tok.TemplateHead || k === Tok.TemplateMiddle) return 'template';
  const close = ts.partner[open];
  const prev = open - 1;
  if (isToken(ts, open, '(')) {
    // Parameter lists (arrows, functions, methods) take patterns, not expressions.
    if (close < 0 || isToken(ts, close + 1, '=>') || isToken(ts, close + 1, '{') || isToken(ts, close + 1, ':')) return 'unknown';
    if (prev < 0) return 'paren';
    if (ts.kind[prev] === Tok.Name) {
      const name = tokenText(ts, prev);
      if (isToken(ts, prev - 1, '.') || isToken(ts, prev - 1, '?.')) return 'paren'; // a method call: `.get(`, `.delete(`
      if (GROUPING_AFTER_NAMES.has(name) || name === 'import') return 'paren'; // conditions, groupings, `import(...)`
      if (RESERVED.has(name) || name.startsWith('#')) return 'unknown'; // `for (`, `catch (`, `function (` ...
      // `let x (`, `function f (`, `get x (`: not a call.
      if (prev > 0 && ((ts.kind[prev - 1] === Tok.Name && DECLARING.has(tokenText(ts, prev - 1))) || isToken(ts, prev - 1, '*'))) return 'unknown';
      return 'paren';
    }
    if (isToken(ts, prev, ':') || isToken(ts, prev, '.')) return 'unknown';
    return 'paren';
  }
  if (isToken(ts, open, '[')) {
    if (close < 0 || isToken(ts, close + 1, '=')) return 'unknown'; // destructuring
    return 'bracket';
  }
  if (isToken(ts, open, '{')) {
    if (prev < 0 || isToken(ts, prev, '=>') || isToken(ts, prev, '{') || isToken(ts, prev, '}') || isToken(ts, prev, ';')) return 'block';
    if (ts.kind[prev] === Tok.Name && ['else', 'try', 'finally', 'do'].includes(tokenText(ts, prev))) return 'block';
    if (isToken(ts, prev, ')')) {
      const opener = ts.partner[prev];
      if (opener > 0 && isToken(ts, opener - 1, 'switch')) return 'unknown';
      return 'block-or-class';
    }
    if ((ts.kind[prev] === Tok.Punct && OBJECT_AFTER.has(tokenText(ts, prev))) || isToken(ts, prev, 'return')) return 'object';
  }
  return 'unknown';
}

export type Ending = 'call' | 'name' | 'member';

/**
 * True when the token after `last` (the end of a call, a name or a member expression) is valid
 * there in every code the enclosing bracket allows, so tree-sitter reduces what ends at `last`
 * and can never wrap it into an ERROR node later.
 */
export function followerIsValid(ts: TokenStream, last: number, ending: Ending, typescript: boolean): boolean {
  const context = contextOf(ts, ts.enclosing[last]);
  const f = last + 1;
  if (f >= ts.count) return ts.complete && context === 'top';
  const k = ts.kind[f];
  const t = tokenText(ts, f);
  if (k === Tok.Template || k === Tok.TemplateHead) return true; // a tagged template continues any expression
  if (k === Tok.Punct && (t === '.' || t === '?.' || t === '(' || t === '[')) return true;
  if (k === Tok.Punct && AFTER_EXPRESSION.has(t)) return typescript || (t !== '<' && t !== '<=' && t !== '<<');
  if (k === Tok.Name && (AFTER_EXPRESSION_NAMES.has(t) || (typescript && (t === 'as' || t === 'satisfies')))) return true;
  if (ending !== 'call' && k === Tok.Punct && ASSIGNMENT.has(t)) return true;
  if (ending === 'name' && t === '=>' && !ts.newlineBefore[f]) return true;
  const statementAfterBreak = ts.newlineBefore[f] === 1 && (k === Tok.Str || k === Tok.Num || (k === Tok.Name && !CONTINUING_NAMES.has(t)));
  switch (context) {
    case 'top':
      return t === ';' || t === ',' || statementAfterBreak;
    case 'block':
    case 'block-or-class':
      return t === ';' || t === '}' || statementAfterBreak;
    case 'object':
      return t === ',' || t === '}';
    case 'paren':
      return t === ')' || t === ',';
    case 'bracket':
      return t === ']' || t === ',';
    case 'template':
      return k === Tok.TemplateMiddle || k === Tok.TemplateTail;
    default:
      return false;
  }
}

/** Names after which a string or template literal certainly starts an expression (or a module specifier). */
const STRING_AFTER_NAMES = new Set(['return', 'case', 'throw', 'await', 'yield', 'void', 'delete', 'in', 'of', 'instanceof', 'typeof', 'import']);
const STRING_AFTER_PUNCT = new Set([
  '+', '-', '*', '/', '%', '**', '==', '!=', '===', '!==', '<=', '>=', '&&', '||', '??', '&', '|', '^', '<<', '>>', '>>>',
  '!', '~', ':', '=>', ...ASSIGNMENT,
]);

/**
 * Whether tree-sitter certainly reads the quote or backtick of token `n` as the start of a string
 * or template. Its grammar takes the quote as a token of its own: where no string may start, error
 * recovery skips the quote and reads what follows as code. So a literal counts only after tokens
 * that call for an expression in every code they can stand in.
 */
function literalStartIsCertain(ts: TokenStream, n: number): boolean {
  const prev = n - 1;
  if (prev < 0) return true;
  const k = ts.kind[prev];
  if (k === Tok.TemplateHead || k === Tok.TemplateMiddle) return true;
  const t = tokenText(ts, prev);
  if (k === Tok.Name) {
    if (STRING_AFTER_NAMES.has(t)) return true;
    if (t !== 'from') return false;
    // `import ... from 'x'` / `export ... from 'x'`: only names, braces, commas and `*` back to the keyword.
    let j = prev - 1;
    while (j >= 0 && ((ts.kind[j] === Tok.Name && !isToken(ts, j, 'import') && !isToken(ts, j, 'export')) || isToken(ts, j, ',') || isToken(ts, j, '{') || isToken(ts, j, '}') || isToken(ts, j, '*'))) j--;
    return j >= 0 && (isToken(ts, j, 'import') || isToken(ts, j, 'export'));
  }
  if (k !== Tok.Punct) return false;
  if (STRING_AFTER_PUNCT.has(t)) return true;
  const context = t === ',' ? contextOf(ts, ts.enclosing[n]) : t === '(' || t === '[' || t === '{' ? contextOf(ts, prev) : 'unknown';
  if (t === ',') return context === 'paren' || context === 'bracket' || context === 'object' || context === 'template';
  if (t === '(') return context === 'paren';
  if (t === '[') return context === 'bracket';
  if (t === '{') return context === 'object' || context === 'block';
  return false;
}

/**
 * The file's tokens, cut before the first string or template whose start is not certain. A
 * start is judged from the tokens around it (a parameter list shows only at its closing `)`), so
 * after a cut the earlier ones are judged again with what is left, until nothing changes.
 */
export function codeTokens(text: string, lang: ScanLanguage): TokenStream {
  const ts = tokenize(text, lang);
  for (;;) {
    let cut = -1;
    for (let n = 0; n < ts.count; n++) {
      const k = ts.kind[n];
      if ((k === Tok.Str || k === Tok.Template || k === Tok.TemplateHead) && !literalStartIsCertain(ts, n)) {
        cut = n;
        break;
      }
    }
    if (cut < 0) return ts;
    truncateTokens(ts, cut);
  }
}

/** Index of the name token starting at `pos` with `length`, or -1. */
function nameTokenAt(ts: TokenStream, pos: number, length: number): number {
  let lo = 0;
  let hi = ts.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts.start[mid] < pos) lo = mid + 1;
    else if (ts.start[mid] > pos) hi = mid - 1;
    else return ts.kind[mid] === Tok.Name && ts.end[mid] - pos === length ? mid : -1;
  }
  return -1;
}

/**
 * A comment tree-sitter reads as one too, whatever came before. At the start of a line tree-sitter
 * is in code, in a block comment or in a template (a string goes on only after a line ending in
 * `\`). So: nothing on the line before the comment may start or end a string, template, regex
 * or comment (no quote, backtick or slash), the line before must not end in a backslash, and
 * nothing inside may end a template or open a substitution (no backtick, no `${`).
 */
function commentIsCertain(ts: TokenStream, start: number, end: number): boolean {
  const text = ts.text;
  const lineStart = Math.max(text.lastIndexOf('\n', start - 1), text.lastIndexOf('\r', start - 1)) + 1;
  let before = lineStart - 1;
  while (before >= 0 && (text[before] === '\n' || text[before] === '\r')) before--;
  const body = text.slice(start, end);
  return !/['"`/]/.test(text.slice(lineStart, start)) && (before < 0 || text[before] !== '\\') && !body.includes('`') && !body.includes('${');
}

function inCertainComment(ts: TokenStream, pos: number): boolean {
  let lo = 0;
  let hi = ts.comments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ts.comments[mid];
    if (end <= pos) lo = mid + 1;
    else if (start > pos) hi = mid - 1;
    else return commentIsCertain(ts, start, end);
  }
  return false;
}

const wordPatterns = new Map<string, RegExp>();

/** The text pattern of the occurrences `someOccurrence` looks at (`word(` for a callee). */
export function occurrencePattern(word: string, call: boolean): RegExp {
  const key = `${call ? '(' : ''}${word}`;
  let re = wordPatterns.get(key);
  if (!re) {
    // A callee is followed by its `(` with nothing but white space between (ast-grep matches no
    // comment or error node there); non-word characters are allowed here to stay on the safe side.
    // A digit may come right before: tree-sitter reads `1import` as a number and a name.
    re = new RegExp(`(?<![A-Za-z_$])${word.replace(/\$/g, '\\$')}${call ? '(?=[^\\w$]*\\()' : '(?![\\w$])'}`, 'g');
    wordPatterns.set(key, re);
  }
  return re;
}

/**
 * Calls `check` with the token index of every occurrence of the name `word` in the file's code;
 * returns true (the rule may match) as soon as `check` does, or when an occurrence lies where the
 * tokens cannot speak for tree-sitter: inside a string or template (tree-sitter may read it as
 * code after a skipped quote), in a comment that is not certain, or in the unknown tail.
 */
function someOccurrence(ts: TokenStream, word: string, call: boolean, check: (n: number) => boolean): boolean {
  const re = occurrencePattern(word, call);
  const known = knownEnd(ts);
  re.lastIndex = 0;
  for (let m = re.exec(ts.text); m; m = re.exec(ts.text)) {
    if (m.index >= known) return true;
    const n = nameTokenAt(ts, m.index, word.length);
    if (n >= 0) {
      if (check(n)) return true;
    } else if (!inCertainComment(ts, m.index)) return true;
  }
  return false;
}

/**
 * Can some `callee(...)` call in the file have an argument `index` for which `test` holds?
 * `test` returns false only when the argument certainly fails the rule's constraint. Occurrences
 * not followed by `(` (generics, optional calls, tagged templates) cannot be calls of the pattern.
 */
export function callArgumentCanMatch(ts: TokenStream, callee: string, index: number, test: (node: ExprNode) => boolean | undefined, typescript: boolean): boolean {
  return someOccurrence(ts, callee, true, (n) => {
    if (!isToken(ts, n + 1, '(')) return false;
    const reader = new Expressions(ts);
    reader.p = n + 1;
    let args: ExprNode[];
    try {
      args = reader.argumentList();
    } catch (err) {
      if (err instanceof Bail) return true;
      throw err;
    }
    if (!followerIsValid(ts, reader.p - 1, 'call', typescript)) return true;
    return args.length > index && test(args[index]) !== false;
  });
}

/**
 * Can the name `object` be the object of a member expression whose property is one of
 * `properties` (any property when undefined)? After a name, tree-sitter keeps the state "a `.`
 * may follow" on its stack until some node around the name is complete: an error anywhere before
 * that can resume there and skip what came between (`util / .isArray()` matches `util.$F()`).
 * So an occurrence is ruled out only
 * - as `object.other` or `object?.other` followed by a valid token: the member expression is then
 *   complete and holds the name;
 * - or inside the argument list of a call that reads as valid as a whole and is followed by a
 *   valid token: the list is then reduced to one node and nothing can resume inside it.
 */
export function memberCanMatch(ts: TokenStream, object: string, properties: ReadonlySet<string> | undefined, typescript: boolean): boolean {
  return someOccurrence(ts, object, false, (n) => {
    const dot = isToken(ts, n + 1, '.');
    if ((dot || isToken(ts, n + 1, '?.')) && n + 2 < ts.count && ts.kind[n + 2] === Tok.Name) {
      if (dot && (!properties || properties.has(tokenText(ts, n + 2)))) return true;
      if (followerIsValid(ts, n + 2, 'member', typescript)) return false;
    }
    if (dot) return true;
    const open = ts.enclosing[n];
    if (open < 0 || !isToken(ts, open, '(') || contextOf(ts, open) !== 'paren') return true;
    const before = open - 1;
    const isCall = before >= 0 && (isToken(ts, before, ')') || isToken(ts, before, ']') || (ts.kind[before] === Tok.Name && (!RESERVED.has(tokenText(ts, before)) || tokenText(ts, before) === 'import' || isToken(ts, before - 1, '.'))));
    if (!isCall) return true;
    const reader = new Expressions(ts);
    reader.p = open;
    try {
      reader.argumentList();
    } catch (err) {
      if (err instanceof Bail) return true;
      throw err;
    }
    return !followerIsValid(ts, reader.p - 1, 'call', typescript);
  });
}

/** Does the name `word` occur somewhere tree-sitter may read as code (not only inside certain comments)? */
export function wordInCode(ts: TokenStream, word: string): boolean {
  return someOccurrence(ts, word, false, () => true);
}

/** Reads the argument list opening at token `open` (tests and diagnostics). */
export function readArguments(ts: TokenStream, open: number): ExprNode[] | undefined {
  const reader = new Expressions(ts);
  reader.p = open;
  try {
    return reader.argumentList();
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

/** The source text of a node. */
export function nodeText(ts: TokenStream, node: ExprNode): string {
  return ts.text.slice(ts.start[node.first], ts.end[node.last]);
}
