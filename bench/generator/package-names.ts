/**
 * Synthetic-but-plausible npm package names and versions for the deep part of a lockfile.
 * Built from word parts the way real names are (`fast-json-walk`, `@nodekit/stream-utils`), and
 * never equal to a name in `known-packages.ts`, so the direct dependencies stay unambiguous.
 */
import type { Rng } from './prng';

const PREFIXES = ['fast', 'tiny', 'safe', 'is', 'get', 'has', 'to', 'node', 'async', 'simple', 'micro', 'mini', 'pure', 'lite', 'smart', 'strict', 'lazy', 'deep', 'flat', 'shallow'];
const NOUNS = [
  'json', 'stream', 'buffer', 'path', 'glob', 'url', 'query', 'string', 'array', 'object', 'promise', 'event',
  'emitter', 'queue', 'cache', 'hash', 'crypto', 'cookie', 'header', 'mime', 'token', 'schema', 'config',
  'env', 'log', 'trace', 'span', 'metric', 'timer', 'retry', 'pool', 'socket', 'proxy', 'agent', 'redis',
  'sql', 'dialect', 'ansi', 'color', 'tty', 'terminal', 'cli', 'args', 'yaml', 'toml', 'ini', 'csv', 'date',
  'time', 'locale', 'unicode', 'regex', 'semver', 'range', 'module', 'package', 'import', 'resolve', 'loader',
  'source', 'map', 'ast', 'parser', 'lexer', 'tokenizer', 'printer', 'format', 'diff', 'patch', 'merge',
  'clone', 'equal', 'compare', 'sort', 'find', 'walk', 'visit', 'tree', 'graph', 'node', 'edge', 'file',
  'dir', 'fs', 'watch', 'chunk', 'byte', 'bit', 'utf8', 'base64', 'hex', 'uuid', 'id', 'key', 'value',
];
const SUFFIXES = ['utils', 'helpers', 'core', 'lite', 'parser', 'walker', 'builder', 'loader', 'runtime', 'polyfill', 'shim', 'compat', 'types', 'plugin', 'kit', 'js', 'ts', 'wrapper', 'adapter', 'bridge'];
const SCOPES = ['nodekit', 'streamline', 'jsutil', 'opentrace', 'bytecraft', 'pkgforge', 'tinylib', 'fsutils', 'netcore', 'evtbus', 'typekit', 'codecs'];

/** A fresh name not in `taken`; adds it to `taken`. */
export function syntheticName(rng: Rng, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const shape = rng.int(0, 5);
    let name: string;
    if (shape === 0) name = `${rng.pick(PREFIXES)}-${rng.pick(NOUNS)}`;
    else if (shape === 1) name = `${rng.pick(NOUNS)}-${rng.pick(SUFFIXES)}`;
    else if (shape === 2) name = `${rng.pick(NOUNS)}-${rng.pick(NOUNS)}`;
    else if (shape === 3) name = `${rng.pick(PREFIXES)}-${rng.pick(NOUNS)}-${rng.pick(SUFFIXES)}`;
    else if (shape === 4) name = `@${rng.pick(SCOPES)}/${rng.pick(NOUNS)}-${rng.pick(SUFFIXES)}`;
    else name = `${rng.pick(NOUNS)}-${rng.pick(NOUNS)}-${rng.pick(SUFFIXES)}`;
    // After many collisions, a numeric tail keeps the loop finite for very large graphs.
    if (attempt > 50) name = `${name}${attempt}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

export function formatVersion(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function parseVersion(text: string): Semver {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`not a version: ${text}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** Versions shaped like the registry's: many 0.x and 1.x, a long tail of high majors. */
export function randomVersion(rng: Rng): Semver {
  const major = rng.weighted([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 29], [10, 22, 14, 12, 9, 7, 5, 4, 3, 3, 3, 2, 2, 2, 2]);
  // 0.0.x ranges pin one version; keep 0.x packages at minor ≥ 1 so caret ranges behave like the rest.
  const minor = major === 0 ? rng.int(1, 30) : rng.int(0, 20);
  return { major, minor, patch: rng.int(0, 15) };
}

/**
 * A range a dependent might declare for `v`: caret mostly, tilde sometimes, now and then exact.
 * The lower bound never exceeds `v`, so the range always admits it.
 */
export function rangeFor(rng: Rng, v: Semver, caretOnly: boolean): string {
  const low = { ...v, patch: rng.int(0, v.patch) };
  if (caretOnly) return `^${formatVersion(low)}`;
  const r = rng.next();
  if (r < 0.8) return `^${formatVersion(low)}`;
  if (r < 0.95) return `~${formatVersion(low)}`;
  return formatVersion(v);
}
