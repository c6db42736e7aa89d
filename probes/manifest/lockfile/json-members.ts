/**
 * Walks the members of a JSON object without building the object, so a 50,000-entry
 * `package-lock.json` can be read one entry at a time: each member's value is handed out as a
 * text span that the caller `JSON.parse`s on its own and drops. Only the structure is scanned
 * here (strings, nesting, `:` and `,`); every value that is used goes through `JSON.parse`, which
 * does the real validation. Any surprise throws `JsonScanError`, and callers fall back to a plain
 * `JSON.parse` of the whole text (which then reports the file's actual syntax error).
 */

export class JsonScanError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} at offset ${at}`);
    this.name = 'JsonScanError';
  }
}

export interface MemberSpan {
  key: string;
  /** Offsets of the member's value: `text.slice(start, end)` is valid JSON if the file is. */
  start: number;
  end: number;
  /** For members the caller asked to descend into (object values only): their own members. */
  members?: MemberSpan[];
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i;
    i++;
  }
}

/** `text[i]` is `"`; returns the index just past the closing quote. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  throw new JsonScanError('unterminated string', i);
}

/** Returns the index just past the value starting at `i` (no leading whitespace). */
function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return skipString(text, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) j = skipString(text, j) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    throw new JsonScanError('unterminated object or array', i);
  }
  // Number, true, false, null: up to the next delimiter.
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === SPACE || c === LF || c === CR || c === TAB) break;
    j++;
  }
  if (j === i) throw new JsonScanError('expected a value', i);
  return j;
}

/**
 * Members of the object whose `{` is at `start` (leading whitespace allowed), in file order.
 * Returns the members and the index just past the closing `}`.
 */
export function objectMembers(
  text: string,
  start: number,
  descend: (key: string) => boolean = () => false,
): { members: MemberSpan[]; next: number } {
  const members: MemberSpan[] = [];
  let i = skipSpace(text, start);
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new JsonScanError('expected "{"', i);
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return { members, next: i + 1 };
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) throw new JsonScanError('expected a key', i);
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) throw new JsonScanError('expected ":"', i);
    const valueStart = skipSpace(text, i + 1);
    if (text.charCodeAt(valueStart) === OPEN_BRACE && descend(key)) {
      // One pass over big maps: their members are collected while their extent is found.
      const inner = objectMembers(text, valueStart);
      members.push({ key, start: valueStart, end: inner.next, members: inner.members });
      i = skipSpace(text, inner.next);
    } else {
      const valueEnd = skipValue(text, valueStart);
      members.push({ key, start: valueStart, end: valueEnd });
      i = skipSpace(text, valueEnd);
    }
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return { members, next: i + 1 };
    if (c !== COMMA) throw new JsonScanError('expected "," or "}"', i);
    i = skipSpace(text, i + 1);
  }
}

/**
 * The members of a document whose root is an object; throws unless only whitespace follows it.
 * Members named by `descend` whose values are objects come with their own members.
 */
export function rootMembers(text: string, descend?: (key: string) => boolean): MemberSpan[] {
  const { members, next } = objectMembers(text, 0, descend);
  if (skipSpace(text, next) !== text.length) throw new JsonScanError('unexpected text after the root object', next);
  return members;
}
