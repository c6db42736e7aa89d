/**
 * A conservative JavaScript/TypeScript tokenizer for the prefilter's shape checks
 * (code-shapes.ts). It splits a file into the tokens tree-sitter's lexer produces, skipping
 * whitespace and comments, and records bracket nesting. Its one promise is agreement with
 * tree-sitter: wherever it is not sure how tree-sitter lexes the next characters it stops, and
 * everything after that point is "unknown" (checks treat unknown text as a possible match).
 *
 * It stops at: any non-ASCII character or backslash outside strings, templates and comments
 * (Unicode identifiers, escapes and odd whitespace); a `/` that opens neither a comment nor a
 * division it can be sure of (`divisionHere`: a regex cannot be told apart otherwise);
 * `<` in JavaScript and TSX (JSX text);
 * `<!--` and `-->` (HTML-like comments); unusual numbers; escapes tree-sitter rejects;
 * unterminated strings, templates and comments; and brackets that do not pair up.
 */
import type { ScanLanguage } from './languages';

export const enum Tok {
  Name = 1,
  Num = 2,
  Str = 3,
  /** A whole template literal without substitutions. */
  Template = 4,
  /** `` `...${ `` of a template with substitutions. */
  TemplateHead = 5,
  /** `}...${` between two substitutions. */
  TemplateMiddle = 6,
  /** `` }...` `` closing a template with substitutions. */
  TemplateTail = 7,
  Punct = 8,
}

/**
 * The tokens, as views of buffers this thread reuses for every file (no allocation per token:
 * the scan runs in several threads, and garbage collection is what keeps them from scaling). A
 * stream is valid until the next `tokenize` call in the same thread; `generation` tells which.
 */
export interface TokenStream {
  readonly text: string;
  readonly count: number;
  readonly generation: number;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Index of the innermost open bracket (or template head/middle) around the token, -1 at the top. */
  enclosing: Int32Array;
  /**
   * Bracket pairs, both ways: for an open bracket or template head/middle, the index of its closing
   * partner (-1 when the file ends first); for a closer, the index of its opener.
   */
  partner: Int32Array;
  /** 1 when a line break stands between this token and the previous one. */
  newlineBefore: Uint8Array;
  /** 1 when a comment stands between this token and the previous one. */
  commentBefore: Uint8Array;
  /** Comments as `[start, end)` text offsets, in order. */
  comments: Array<[number, number]>;
  /** Every token of the file was read: nothing after the last token is unknown. */
  complete: boolean;
}

/** Multi-character punctuators, longest first (`/` and `/=` are read apart, see `divisionHere`). */
const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
];
const SINGLE = new Set('{}()[];,<>+-*%&|^!~?:=.@'.split(''));
/** Multi-character punctuators by their first character. */
const BY_FIRST = new Map<string, string[]>();
for (const p of PUNCTUATORS) BY_FIRST.set(p[0], [...(BY_FIRST.get(p[0]) ?? []), p]);
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/**
 * Keywords after which an expression (so a regex) may start, and statement heads whose `(...)` is
 * followed by a statement: after these a `/` is not read as division.
 */
const REGEX_AFTER = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
  'if', 'while', 'for', 'with', 'extends', 'export', 'default', 'let', 'const', 'var', 'async', 'as', 'satisfies', 'keyof',
  'is', 'asserts', 'infer', 'readonly', 'declare', 'abstract', 'type', 'import', 'from', 'function', 'class', 'static',
]);


const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
const isNamePart = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
/** Whitespace tree-sitter skips, ASCII only: tab, line feed, vertical tab, form feed, carriage return, space. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * End of the number starting at `i`, in the forms tree-sitter and this tokenizer read alike:
 * `0x1F`, `0o7`, `0b1`, `12_000`, `1.5`, `.5`, `1e-3`, `10n` (anything odd after it stops the tokenizer).
 */
function numberEnd(text: string, i: number): number {
  let j = i;
  const c = text.charCodeAt(j);
  const next = text.charCodeAt(j + 1);
  if (c === 48 && (next === 120 || next === 88 || next === 111 || next === 79 || next === 98 || next === 66)) {
    j += 2;
    const digits = j;
    while (isHex(text.charCodeAt(j)) || text.charCodeAt(j) === 95) j++;
    if (j === digits) return i;
    if (text.charCodeAt(j) === 110) j++;
    return j;
  }
  if (c === 48) j++;
  else while (isDigit(text.charCodeAt(j)) || (j > i && text.charCodeAt(j) === 95)) j++;
  if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
    j += 2;
    while (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95) j++;
  }
  const e = text.charCodeAt(j);
  if (j > i && (e === 101 || e === 69)) {
    let k = j + 1;
    if (text.charCodeAt(k) === 43 || text.charCodeAt(k) === 45) k++;
    if (isDigit(text.charCodeAt(k))) {
      j = k;
      while (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95) j++;
    }
  }
  if (j > i && text.charCodeAt(j) === 110) j++;
  return j;
}

class Stop extends Error {}
/** Thrown where reading stops; one instance, so that stopping costs no stack trace. */
const STOP = new Stop();

/** This thread's token buffers, grown as files need. */
const buffers = {
  kind: new Uint8Array(4096),
  start: new Int32Array(4096),
  end: new Int32Array(4096),
  enclosing: new Int32Array(4096),
  partner: new Int32Array(4096),
  newlineBefore: new Uint8Array(4096),
  commentBefore: new Uint8Array(4096),
};
let generation = 0;

const BUFFER_KEYS = Object.keys(buffers) as Array<keyof typeof buffers>;

function grow(): void {
  for (const key of BUFFER_KEYS) {
    const old = buffers[key];
    const bigger = new (old.constructor as Int32ArrayConstructor)(old.length * 2);
    bigger.set(old);
    (buffers as Record<string, Uint8Array | Int32Array>)[key] = bigger;
  }
}

/** The current generation: streams of older ones have been overwritten. */
export function tokenGeneration(): number {
  return generation;
}

function view(ts: TokenStream, count: number): void {
  const t = ts as { count: number } & Record<keyof typeof buffers, Uint8Array | Int32Array>;
  t.count = count;
  for (const key of BUFFER_KEYS) t[key] = buffers[key].subarray(0, count);
}

/** Tokenizes `text` as `lang`; never throws. */
export function tokenize(text: string, lang: ScanLanguage): TokenStream {
  const out: TokenStream = {
    text, count: 0, generation: ++generation, kind: buffers.kind, start: buffers.start, end: buffers.end, enclosing: buffers.enclosing,
    partner: buffers.partner, newlineBefore: buffers.newlineBefore, commentBefore: buffers.commentBefore, comments: [], complete: false,
  };
  let count = 0;
  const jsxPossible = lang !== 'TypeScript';
  /** Open brackets and template heads/middles, as token indexes. */
  const open: number[] = [];
  let i = 0;
  let newline = false;
  let comment = false;

  const push = (kind: Tok, start: number, end: number): number => {
    const n = count++;
    if (n === buffers.kind.length) grow();
    buffers.kind[n] = kind;
    buffers.start[n] = start;
    buffers.end[n] = end;
    buffers.enclosing[n] = open.length > 0 ? open[open.length - 1] : -1;
    buffers.partner[n] = -1;
    buffers.newlineBefore[n] = newline ? 1 : 0;
    buffers.commentBefore[n] = comment ? 1 : 0;
    newline = false;
    comment = false;
    return n;
  };

  /** Reads an escape sequence at `i` (the backslash); returns the index after it or throws Stop. */
  const escape = (at: number): number => {
    const c = text.charCodeAt(at + 1);
    if (Number.isNaN(c)) throw STOP;
    if (c === 120 /* x */) {
      if (isHex(text.charCodeAt(at + 2)) && isHex(text.charCodeAt(at + 3))) return at + 4;
      throw STOP;
    }
    if (c === 117 /* u */) {
      if (text.charCodeAt(at + 2) === 123 /* { */) {
        let j = at + 3;
        while (isHex(text.charCodeAt(j))) j++;
        if (j > at + 3 && text.charCodeAt(j) === 125) return j + 1;
        throw STOP;
      }
      for (let k = 2; k <= 5; k++) if (!isHex(text.charCodeAt(at + k))) throw STOP;
      return at + 6;
    }
    // Octal and `\0` escapes, and anything else non-ASCII: not worth the doubt.
    if (c >= 48 && c <= 57) throw STOP;
    if (c === 13 /* \r */ && text.charCodeAt(at + 2) === 10) return at + 3;
    if (c > 126 && c !== 0x2028 && c !== 0x2029) throw STOP;
    return at + 2;
  };

  /** Reads template characters from `at` up to `` ` `` (`closed` = true) or `${`; returns the index after. */
  let closed = false;
  const templateChars = (at: number): number => {
    let j = at;
    for (;;) {
      const c = text.charCodeAt(j);
      if (Number.isNaN(c)) throw STOP;
      if (c === 96 /* ` */) {
        closed = true;
        return j + 1;
      }
      if (c === 36 /* $ */ && text.charCodeAt(j + 1) === 123) {
        closed = false;
        return j + 2;
      }
      if (c === 92 /* \ */) j = escape(j);
      else j++;
    }
  };

  /**
   * Whether a `/` here is division: only right after a token that ends an expression in valid
   * code (a name that is not a keyword, a number, a string, a template, `]`, or the `)` of a call
   * or a grouping). After `)` of `if (...)`, `}` or an operator it may start a regex: stop there.
   */
  const divisionHere = (): boolean => {
    const last = count - 1;
    if (last < 0) return false;
    const k = buffers.kind[last];
    if (k === Tok.Num || k === Tok.Str || k === Tok.Template || k === Tok.TemplateTail) return true;
    if (k === Tok.Name) return !REGEX_AFTER.has(text.slice(buffers.start[last], buffers.end[last]));
    if (k !== Tok.Punct) return false;
    const p = text[buffers.start[last]];
    if (p === ']' && buffers.end[last] - buffers.start[last] === 1) return true;
    if (p === ')' && buffers.end[last] - buffers.start[last] === 1) {
      const opener = buffers.partner[last];
      const before = opener - 1;
      return before < 0 || buffers.kind[before] !== Tok.Name || !REGEX_AFTER.has(text.slice(buffers.start[before], buffers.end[before]));
    }
    return false;
  };

  try {
    if (text.startsWith('#!')) {
      // tree-sitter's hash_bang_line: up to the end of the first line.
      const nl = text.search(/[\r\n]/);
      i = nl < 0 ? text.length : nl;
    }
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        if (c === 10 || c === 13) newline = true;
        i++;
        continue;
      }
      if (c > 126) throw STOP;
      if (c === 47 /* / */) {
        const d = text.charCodeAt(i + 1);
        if (d === 47) {
          let j = i + 2;
          for (; j < text.length; j++) {
            const e = text.charCodeAt(j);
            if (e === 10 || e === 13 || e === 0x2028 || e === 0x2029) break;
          }
          out.comments.push([i, j]);
          i = j;
          comment = true;
          continue;
        }
        if (d === 42) {
          const close = text.indexOf('*/', i + 2);
          if (close < 0) throw STOP;
          for (let j = i + 2; j < close && !newline; j++) {
            const e = text.charCodeAt(j);
            if (e === 10 || e === 13 || e === 0x2028 || e === 0x2029) newline = true;
          }
          out.comments.push([i, close + 2]);
          i = close + 2;
          comment = true;
          continue;
        }
        if (!divisionHere()) throw STOP;
        const n = push(Tok.Punct, i, d === 61 /* = */ ? i + 2 : i + 1);
        i = buffers.end[n];
        continue;
      }
      if (isNameStart(c) || (c === 35 /* # */ && isNameStart(text.charCodeAt(i + 1)))) {
        let j = i + 1;
        while (j < text.length && isNamePart(text.charCodeAt(j))) j++;
        const next = text.charCodeAt(j);
        if (next === 92 || next > 126) throw STOP; // the name may go on in a way this tokenizer does not read
        push(Tok.Name, i, j);
        i = j;
        continue;
      }
      if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
        const j = numberEnd(text, i);
        const next = text.charCodeAt(j);
        // `1.toString`, `08`, `1abc`, `1.2.3`: lexed differently by different engines; stop.
        if (j === i || isNamePart(next) || next === 46 || next === 92 || next > 126) throw STOP;
        push(Tok.Num, i, j);
        i = j;
        continue;
      }
      if (c === 39 || c === 34) {
        let j = i + 1;
        for (;;) {
          const e = text.charCodeAt(j);
          if (Number.isNaN(e) || e === 10 || e === 13) throw STOP;
          if (e === c) break;
          if (e === 92) j = escape(j);
          else j++;
        }
        push(Tok.Str, i, j + 1);
        i = j + 1;
        continue;
      }
      if (c === 96 /* ` */) {
        const j = templateChars(i + 1);
        const n = push(closed ? Tok.Template : Tok.TemplateHead, i, j);
        if (!closed) open.push(n);
        i = j;
        continue;
      }
      if (c === 125 /* } */ && open.length > 0 && (buffers.kind[open[open.length - 1]] === Tok.TemplateHead || buffers.kind[open[open.length - 1]] === Tok.TemplateMiddle)) {
        const head = open.pop()!;
        const j = templateChars(i + 1);
        const n = push(closed ? Tok.TemplateTail : Tok.TemplateMiddle, i, j);
        buffers.partner[head] = n;
        buffers.partner[n] = head;
        if (!closed) open.push(n);
        i = j;
        continue;
      }
      if (c === 92 /* \ */ || c === 35 /* # */ || c < 32 || c === 127) throw STOP;
      if (c === 60 /* < */ && (jsxPossible || text.startsWith('<!--', i))) throw STOP;
      if (c === 45 /* - */ && text.startsWith('-->', i)) throw STOP;
      let p = '';
      const multi = BY_FIRST.get(text[i]);
      if (multi) {
        for (let m = 0; m < multi.length; m++) {
          if (text.startsWith(multi[m], i)) {
            p = multi[m];
            break;
          }
        }
      }
      if (!p && SINGLE.has(text[i])) p = text[i];
      if (!p) throw STOP;
      // `a?.5:b` is a conditional: `?.` is not a token before a digit.
      if (p === '?.' && isDigit(text.charCodeAt(i + 2))) p = '?';
      if (p.startsWith('/')) throw STOP;
      if (p === ')' || p === ']' || p === '}') {
        const top = open.length > 0 ? open[open.length - 1] : -1;
        if (top < 0 || text[buffers.start[top]] !== CLOSERS[p]) throw STOP;
        open.pop();
        const n = push(Tok.Punct, i, i + 1);
        buffers.partner[top] = n;
        buffers.partner[n] = top;
        i++;
        continue;
      }
      const n = push(Tok.Punct, i, i + p.length);
      if (p === '(' || p === '[' || p === '{') open.push(n);
      i += p.length;
    }
    out.complete = true;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  view(out, count);
  return out;
}

/**
 * Cuts the stream before token `n`: it and everything after become unknown text. Bracket
 * partners beyond the cut are forgotten.
 */
export function truncateTokens(ts: TokenStream, n: number): void {
  if (n >= ts.count) return;
  const end = n > 0 ? ts.end[n - 1] : 0;
  view(ts, n);
  for (let i = 0; i < n; i++) if (ts.partner[i] >= n) ts.partner[i] = -1;
  ts.comments = ts.comments.filter(([start]) => start < end);
  ts.complete = false;
}

/** Offset where the unknown text begins (the text's length when every token was read). */
export function knownEnd(ts: TokenStream): number {
  if (ts.complete) return ts.text.length;
  return ts.count > 0 ? ts.end[ts.count - 1] : 0;
}

/** The text of token `n` (one-character tokens come from the engine's string cache: no allocation). */
export function tokenText(ts: TokenStream, n: number): string {
  const start = ts.start[n];
  return ts.end[n] - start === 1 ? ts.text[start] : ts.text.slice(start, ts.end[n]);
}

/** True when token `n` exists and is the punctuator or name `value`. */
export function isToken(ts: TokenStream, n: number, value: string): boolean {
  if (n < 0 || n >= ts.count) return false;
  const k = ts.kind[n];
  if (k !== Tok.Punct && k !== Tok.Name) return false;
  return ts.end[n] - ts.start[n] === value.length && ts.text.startsWith(value, ts.start[n]);
}
