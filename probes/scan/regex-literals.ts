/**
 * Literals a Rust-syntax regex (ast-grep's `regex:` rules) cannot match without. A small version
 * of the trigram analysis code-search engines use: each sub-expression is summarised either by
 * the exact, small set of strings it matches, or by clauses its matches must satisfy.
 * Anything outside the understood subset (look-around does not exist in Rust; inline flags other
 * than a leading `(?i)`, backreferences, unknown escapes) yields "no requirement", which is sound.
 */
import { clauseCost, simplifyRequirement, type Requirement } from './literal-clauses';

const MAX_EXACT = 128;

interface Info {
  /** Every string the expression can match, when that set is small; null when unknown or large. */
  exact: string[] | null;
  /** Clauses (each: one of these strings occurs) that hold for every match, used when `exact` is null. */
  req: string[][];
}

class Unsupported extends Error {}

const EMPTY: Info = { exact: [''], req: [] };
const ANYTHING: Info = { exact: null, req: [] };

const unique = (xs: string[]) => [...new Set(xs)];

function reqOf(info: Info): string[][] {
  if (info.exact) return info.exact.includes('') ? [] : [info.exact];
  return info.req;
}

/** The clause least likely to hold by chance (see literal-clauses.ts). */
function bestStrings(clauses: string[][]): string[] {
  const cost = (c: string[]) => clauseCost(c.map((text) => ({ text, ci: false, callee: false })));
  return clauses.reduce((best, c) => (cost(c) < cost(best) ? c : best));
}

function alternate(a: Info, b: Info): Info {
  if (a.exact && b.exact && a.exact.length + b.exact.length <= MAX_EXACT) return { exact: unique([...a.exact, ...b.exact]), req: [] };
  const ra = reqOf(a);
  const rb = reqOf(b);
  if (ra.length === 0 || rb.length === 0) return ANYTHING;
  return { exact: null, req: [unique([...bestStrings(ra), ...bestStrings(rb)])] };
}

function optional(info: Info): Info {
  return info.exact ? { exact: unique([...info.exact, '']), req: [] } : ANYTHING;
}

function atLeastOnce(info: Info): Info {
  return { exact: null, req: reqOf(info) };
}

class RegexScanner {
  private i = 0;
  constructor(private readonly src: string) {}

  run(): Info {
    const info = this.alternation();
    if (this.i !== this.src.length) throw new Unsupported();
    return info;
  }

  private char(): string {
    const cp = this.src.codePointAt(this.i);
    if (cp === undefined) throw new Unsupported();
    return String.fromCodePoint(cp);
  }

  private alternation(): Info {
    let result = this.sequence();
    while (this.src[this.i] === '|') {
      this.i++;
      result = alternate(result, this.sequence());
    }
    return result;
  }

  /**
   * A concatenation. Consecutive exact atoms multiply into one run of strings (while the set stays
   * small); a run ends at an inexact atom or when it would grow too large, and each finished run
   * that cannot be empty becomes a clause.
   */
  private sequence(): Info {
    let run: string[] = [''];
    let allExact = true;
    const clauses: string[][] = [];
    const flush = () => {
      if (!run.includes('')) clauses.push(run);
      run = [''];
    };
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.quantified(this.atom());
      if (atom.exact && run.length * atom.exact.length <= MAX_EXACT) {
        run = unique(run.flatMap((x) => atom.exact!.map((y) => x + y)));
      } else if (atom.exact) {
        allExact = false;
        flush();
        run = atom.exact;
      } else {
        allExact = false;
        flush();
        clauses.push(...atom.req);
      }
    }
    if (allExact) return { exact: run, req: [] };
    flush();
    return { exact: null, req: clauses };
  }

  private quantified(atom: Info): Info {
    let result = atom;
    for (;;) {
      const c = this.src[this.i];
      if (c === '?') {
        this.i++;
        result = optional(result);
      } else if (c === '*') {
        this.i++;
        result = ANYTHING;
      } else if (c === '+') {
        this.i++;
        result = atLeastOnce(result);
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) throw new Unsupported();
        this.i += m[0].length;
        result = Number(m[1]) >= 1 ? atLeastOnce(result) : ANYTHING;
      } else {
        return result;
      }
      if (this.src[this.i] === '?') this.i++; // lazy quantifier: same strings
    }
  }

  private atom(): Info {
    const c = this.src[this.i];
    if (c === '(') {
      this.i++;
      if (this.src[this.i] === '?') {
        const rest = this.src.slice(this.i);
        const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
        if (rest.startsWith('?:')) this.i += 2;
        else if (named) this.i += named[0].length;
        else throw new Unsupported(); // inline flags change how the rest matches
      }
      const inner = this.alternation();
      if (this.src[this.i] !== ')') throw new Unsupported();
      this.i++;
      return inner;
    }
    if (c === '[') return this.charClass();
    if (c === '.') {
      this.i++;
      return ANYTHING;
    }
    if (c === '^' || c === '$') {
      this.i++;
      return EMPTY;
    }
    if (c === '\\') return this.escape();
    if (c === '*' || c === '+' || c === '?' || c === '{' || c === ')') throw new Unsupported();
    const ch = this.char();
    this.i += ch.length;
    return { exact: [ch], req: [] };
  }

  private escape(): Info {
    const e = this.src[this.i + 1];
    if (e === undefined) throw new Unsupported();
    this.i += 2;
    if ('bB'.includes(e)) {
      if (this.src[this.i] === '{') this.skipBraces();
      return EMPTY;
    }
    if ('AzZ<>'.includes(e)) return EMPTY; // assertions (`\<` and `\>` are word boundaries in Rust)
    if ('dDwWsShHvV'.includes(e)) return ANYTHING;
    if ('pP'.includes(e)) {
      if (this.src[this.i] === '{') this.skipBraces();
      else this.i++;
      return ANYTHING;
    }
    const controls: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', a: '\x07' };
    if (controls[e]) return { exact: [controls[e]], req: [] };
    if (/[A-Za-z0-9]/.test(e)) throw new Unsupported(); // \x, \u, octal, backreferences...
    return { exact: [e], req: [] };
  }

  private skipBraces(): void {
    const end = this.src.indexOf('}', this.i);
    if (end < 0) throw new Unsupported();
    this.i = end + 1;
  }

  /** `[...]`: a short list of plain characters becomes an exact set; anything fancier matches "some character". */
  private charClass(): Info {
    this.i++;
    let simple = true;
    if (this.src[this.i] === '^') {
      simple = false;
      this.i++;
    }
    const chars: string[] = [];
    let first = true;
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) throw new Unsupported();
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[') {
        throw new Unsupported(); // nested classes: not worth the risk of misreading where the class ends
      } else if (c === '\\') {
        const e = this.src[this.i + 1];
        if (e === undefined) throw new Unsupported();
        this.i += 2;
        if (/[A-Za-z0-9]/.test(e)) {
          simple = false;
          if ('pPx'.includes(e) && this.src[this.i] === '{') this.skipBraces();
        } else {
          chars.push(e);
        }
      } else if ((c === '&' || c === '~' || c === '-') && this.src[this.i + 1] === c) {
        throw new Unsupported(); // set operations
      } else if (c === '-' && chars.length > 0 && this.src[this.i + 1] !== ']') {
        simple = false; // a range
        this.i++;
      } else {
        const ch = this.char();
        chars.push(ch);
        this.i += ch.length;
      }
    }
    return simple && chars.length > 0 && chars.length <= 8 ? { exact: unique(chars), req: [] } : ANYTHING;
  }
}

/** What a file must contain for `regex` (Rust syntax) to match some node's text in it. */
export function regexRequirement(regex: string): Requirement {
  let ci = false;
  let body = regex;
  if (body.startsWith('(?i)')) {
    ci = true;
    body = body.slice(4);
  }
  let info: Info;
  try {
    info = new RegexScanner(body).run();
  } catch (err) {
    if (err instanceof Unsupported) return [];
    throw err;
  }
  return simplifyRequirement(reqOf(info).map((strings) => strings.map((text) => ({ text, ci, callee: false }))));
}

/**
 * The complete list of texts `regex` accepts, when it is anchored at both ends (`^...$`, no
 * top-level `|`), case-sensitive and small (`^(isArray|isString)$`); undefined otherwise.
 * Assertions inside count as "anything", so the list may be longer than the truth, never shorter.
 */
export function regexFullMatches(regex: string): string[] | undefined {
  if (!regex.startsWith('^') || !regex.endsWith('$')) return undefined;
  let backslashes = 0;
  for (let i = regex.length - 2; i >= 0 && regex[i] === '\\'; i--) backslashes++;
  if (backslashes % 2 === 1) return undefined; // `\$` is a literal dollar
  const body = regex.slice(1, -1);
  // A top-level `|` would bind the anchors to one side only.
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const close = body.indexOf(']', i + 2);
      if (close < 0) return undefined;
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return undefined;
  }
  try {
    const info = new RegexScanner(body).run();
    return info.exact ?? undefined;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
