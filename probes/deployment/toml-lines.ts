/**
 * A deliberately small TOML reader for the few keys deployment descriptors need (netlify.toml,
 * fly.toml): `[table]`, `[[array.of.tables]]`, `key = value` with strings, numbers and booleans,
 * dotted keys, comments. Arrays and inline tables are skipped (their extent is tracked so a
 * multi-line array never derails the reader). Never throws; lines it cannot read are counted.
 */

export type TomlScalar = string | number | boolean;

export interface TomlTable {
  /** Dotted table name (`build.environment`); `''` for the root table. */
  name: string;
  /** True for an `[[array]]` table occurrence. */
  array: boolean;
  values: Map<string, TomlScalar>;
}

export interface TomlLines {
  tables: TomlTable[];
  /** Lines that are neither comments, headers nor `key = value`. */
  unreadable: number;
}

const BARE_KEY = /^[A-Za-z0-9_-]+/;

/** Reads a (possibly dotted, possibly quoted) key; returns the parts and the rest of the line. */
function readKey(line: string): { parts: string[]; rest: string } | undefined {
  const parts: string[] = [];
  let rest = line;
  for (;;) {
    rest = rest.replace(/^[ \t]+/, '');
    let part: string | undefined;
    if (rest.startsWith('"')) {
      const s = readBasicString(rest);
      if (!s) return undefined;
      part = s.value;
      rest = s.rest;
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end < 0) return undefined;
      part = rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      const m = BARE_KEY.exec(rest);
      if (!m) return undefined;
      part = m[0];
      rest = rest.slice(m[0].length);
    }
    parts.push(part);
    rest = rest.replace(/^[ \t]+/, '');
    if (!rest.startsWith('.')) return { parts, rest };
    rest = rest.slice(1);
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

function readBasicString(input: string): { value: string; rest: string } | undefined {
  let value = '';
  for (let i = 1; i < input.length; i++) {
    const c = input[i];
    if (c === '"') return { value, rest: input.slice(i + 1) };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = input[++i];
    if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = input.slice(i + 1, i + 1 + len);
      const code = /^[0-9A-Fa-f]+$/.test(hex) && hex.length === len ? parseInt(hex, 16) : NaN;
      if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      value += String.fromCodePoint(code);
      i += len;
    } else if (e !== undefined && ESCAPES[e] !== undefined) {
      value += ESCAPES[e];
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Net `[`/`{` depth of a value fragment, ignoring brackets inside strings and comments. */
function bracketDepth(fragment: string): number {
  let depth = 0;
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment[i];
    if (c === '#') break;
    if (c === '"' || c === "'") {
      const end = fragment.indexOf(c, i + 1);
      if (end < 0) break;
      i = end;
    } else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth;
}

function afterValueOk(rest: string): boolean {
  return /^[ \t]*(#.*)?$/.test(rest);
}

export function readTomlLines(source: string): TomlLines {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const root: TomlTable = { name: '', array: false, values: new Map() };
  const tables: TomlTable[] = [root];
  let current = root;
  let unreadable = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\[)?([^\[\]]*)\](\])?[ \t]*(#.*)?$/.exec(line);
    if (header && Boolean(header[1]) === Boolean(header[3])) {
      const key = readKey(header[2]);
      if (!key || key.rest.trim() !== '') {
        unreadable++;
        continue;
      }
      current = { name: key.parts.join('.'), array: Boolean(header[1]), values: new Map() };
      tables.push(current);
      continue;
    }
    const key = readKey(line);
    if (!key || !key.rest.startsWith('=')) {
      unreadable++;
      continue;
    }
    const raw = key.rest.slice(1).trim();
    const name = key.parts.join('.');
    let value: TomlScalar | undefined;
    if (raw.startsWith('"""') || raw.startsWith("'''")) {
      // Multi-line string: read it (literal or basic without escapes beyond the common ones).
      const quote = raw.slice(0, 3);
      let body = raw.slice(3);
      let end = body.indexOf(quote);
      while (end < 0 && i + 1 < lines.length) {
        body += '\n' + lines[++i];
        end = body.indexOf(quote);
      }
      if (end >= 0) value = body.slice(0, end).replace(/^\n/, '');
      else unreadable++;
    } else if (raw.startsWith('"')) {
      const s = readBasicString(raw);
      if (s && afterValueOk(s.rest)) value = s.value;
      else unreadable++;
    } else if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1);
      if (end > 0 && afterValueOk(raw.slice(end + 1))) value = raw.slice(1, end);
      else unreadable++;
    } else if (raw.startsWith('[') || raw.startsWith('{')) {
      // Skipped, but its lines are consumed so they are not misread as keys.
      let depth = bracketDepth(raw);
      while (depth > 0 && i + 1 < lines.length) depth += bracketDepth(lines[++i]);
    } else {
      const m = /^([^#\s]+)[ \t]*(#.*)?$/.exec(raw);
      if (!m) unreadable++;
      else if (m[1] === 'true' || m[1] === 'false') value = m[1] === 'true';
      else if (/^[+-]?\d[\d_]*$/.test(m[1])) value = Number(m[1].replace(/_/g, ''));
      else value = m[1];
    }
    if (value !== undefined) current.values.set(name, value);
  }
  return { tables, unreadable };
}

/** The value of `table.key` (dotted keys inside tables resolved), first occurrence. */
export function tomlValue(toml: TomlLines, path: string): TomlScalar | undefined {
  for (const table of toml.tables) {
    if (table.array) continue;
    const prefix = table.name === '' ? '' : `${table.name}.`;
    if (!path.startsWith(prefix)) continue;
    const v = table.values.get(path.slice(prefix.length));
    if (v !== undefined) return v;
  }
  return undefined;
}

/** `key` of every `[[table]]` occurrence named `name`, in file order. */
export function tomlArrayValues(toml: TomlLines, name: string, key: string): TomlScalar[] {
  return toml.tables.filter((t) => t.array && t.name === name && t.values.has(key)).map((t) => t.values.get(key)!);
}
