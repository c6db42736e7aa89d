/**
 * Property and fuzz tests for every lockfile parser: arbitrary bytes and mutated real fixtures
 * never throw, output is sorted and deterministic, and the memory-saving read paths (npm streamed,
 * pnpm sectioned) agree with whole-document parsing on generated valid lockfiles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { fixtureText } from '../__tests__/fixtures';
import { parseBunLockfile } from './bun';
import { parseNpmLockfile } from './npm';
import { parseLockfile } from './parse-lockfile';
import { parsePnpmLockfile } from './pnpm';
import { MAX_YAML_ALIASES } from './syml';
import { comparePackages, type ParsedLockfile } from './types';
import { parseYarnBerryLockfile } from './yarn-berry';
import { parseYarnClassicLockfile } from './yarn-classic';

const PARSERS: Array<{ name: string; file: string; parse: (file: string, text: string) => ParsedLockfile; fixtures: string[][] }> = [
  { name: 'npm', file: 'package-lock.json', parse: parseNpmLockfile, fixtures: [['npm-v1', 'package-lock.json'], ['npm-v2', 'package-lock.json'], ['npm-v3', 'package-lock.json'], ['npm-shrinkwrap', 'npm-shrinkwrap.json']] },
  { name: 'pnpm', file: 'pnpm-lock.yaml', parse: parsePnpmLockfile, fixtures: [['pnpm-v5', 'pnpm-lock.yaml'], ['pnpm-v6', 'pnpm-lock.yaml'], ['pnpm-v9', 'pnpm-lock.yaml'], ['pnpm-v9-multidoc', 'pnpm-lock.yaml']] },
  { name: 'yarn-classic', file: 'yarn.lock', parse: parseYarnClassicLockfile, fixtures: [['yarn-classic', 'yarn.lock']] },
  { name: 'yarn-berry', file: 'yarn.lock', parse: parseYarnBerryLockfile, fixtures: [['yarn-berry', 'yarn.lock'], ['yarn-berry-v6', 'yarn.lock']] },
  { name: 'bun', file: 'bun.lock', parse: parseBunLockfile, fixtures: [['bun', 'bun.lock']] },
];

/** Sorted, alias lists sorted, flags only ever `true`, counts consistent. */
function expectWellFormed(parsed: ParsedLockfile): void {
  for (let i = 1; i < parsed.packages.length; i++) expect(comparePackages(parsed.packages[i - 1], parsed.packages[i])).toBeLessThan(0);
  for (const pkg of parsed.packages) {
    if (pkg.aliases) expect([...pkg.aliases].sort()).toEqual(pkg.aliases);
    for (const flag of ['dev', 'optional', 'peer', 'has_install_script', 'patched'] as const) if (flag in pkg) expect(pkg[flag]).toBe(true);
    expect(typeof pkg.name).toBe('string');
    expect(typeof pkg.version).toBe('string');
  }
  expect(parsed.entry_count).toBeGreaterThanOrEqual(0);
  expect([...parsed.importer_dirs].sort()).toEqual(parsed.importer_dirs);
  if (!parsed.readable) {
    expect(parsed.packages).toEqual([]);
    expect(parsed.issues.length).toBeGreaterThan(0);
  }
}

/** Random edits of a real file: delete, duplicate or overwrite a span, or splice in random text. */
const mutation = fc.record({
  kind: fc.constantFrom('delete', 'duplicate', 'insert', 'truncate', 'swap-lines'),
  at: fc.nat(),
  length: fc.nat({ max: 400 }),
  insert: fc.string({ unit: 'binary', maxLength: 40 }),
});

function mutate(text: string, m: { kind: string; at: number; length: number; insert: string }): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'duplicate':
      return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
    case 'insert':
      return text.slice(0, at) + m.insert + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
    default: {
      const lines = text.split('\n');
      const i = at % lines.length;
      const j = (at + m.length) % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
  }
}

describe.each(PARSERS)('$name parser', ({ file, parse, fixtures }) => {
  it('never throws on arbitrary text and is deterministic', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json({ maxDepth: 4 }), fc.string({ unit: 'grapheme-ascii', maxLength: 300 })), (text) => {
        const a = parse(file, text);
        expectWellFormed(a);
        expect(JSON.stringify(parse(file, text))).toBe(JSON.stringify(a));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated real lockfiles', () => {
    const texts = fixtures.map(([dir, name]) => fixtureText('lockfiles', dir, name));
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, edits) => {
        const text = edits.reduce(mutate, texts[index]);
        const parsed = parse(file, text);
        expectWellFormed(parsed);
        expect(JSON.stringify(parse(file, text))).toBe(JSON.stringify(parsed));
      }),
      { numRuns: 300 },
    );
  });

  it('reads CRLF line endings like LF', () => {
    for (const [dir, name] of fixtures) {
      const text = fixtureText('lockfiles', dir, name);
      const lf = parse(file, text);
      const crlf = parse(file, text.replace(/\n/g, '\r\n'));
      expect(crlf.issues).toEqual([]);
      expect(crlf.packages).toEqual(lf.packages);
      expect(crlf.entry_count).toBe(lf.entry_count);
      expect(crlf.format_version).toEqual(lf.format_version);
    }
  });

  it('reports binary garbage as an issue', () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 73 + 11) % 256)).toString('latin1');
    const parsed = parse(file, `\u0000${garbage}`);
    expect(parsed.readable).toBe(false);
    expect(parsed.issues.length).toBeGreaterThan(0);
    expect(parsed.packages).toEqual([]);
  });

  it('reports a truncated file instead of throwing', () => {
    for (const [dir, name] of fixtures) {
      const text = fixtureText('lockfiles', dir, name);
      const parsed = parse(file, text.slice(0, Math.floor(text.length / 2)));
      expectWellFormed(parsed);
    }
  });
});

describe('malformed input the parsers must survive', () => {
  it('truncated JSON is a parse error naming the file', () => {
    const text = fixtureText('lockfiles', 'npm-v3', 'package-lock.json');
    const parsed = parseNpmLockfile('app/package-lock.json', text.slice(0, 900));
    expect(parsed.issues).toEqual([expect.objectContaining({ code: 'parse-error', file: 'app/package-lock.json' })]);
    expect(parsed.format_version).toBeNull();
  });

  it('a YAML alias bomb is refused before it is walked', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(12).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = `lockfileVersion: '9.0'\n${levels.join('\n')}\npackages:\n  x@1.0.0: *l\n`;
    for (const parse of [parsePnpmLockfile, parseYarnBerryLockfile]) {
      const parsed = parse('bomb.yaml', bomb);
      expect(parsed.issues.map((i) => i.code)).toEqual(['yaml-alias-limit']);
    }
    // A few aliases are fine (and resolved as shared references).
    const few = `lockfileVersion: '9.0'\nbase: &r {integrity: sha512-abc}\npackages:\n${Array.from({ length: MAX_YAML_ALIASES - 1 }, (_, i) => `  p${i}@1.0.0:\n    resolution: *r`).join('\n')}\n`;
    const ok = parsePnpmLockfile('pnpm-lock.yaml', few);
    expect(ok.issues).toEqual([]);
    expect(ok.packages).toHaveLength(MAX_YAML_ALIASES - 1);
    expect(ok.packages[0].integrity).toBe('sha512-abc');
  });

  it('deep nesting is reported, not a crash', () => {
    const deep = `{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}}}`;
    expect(() => parseNpmLockfile('package-lock.json', deep)).not.toThrow();
    const yamlDeep = `lockfileVersion: '9.0'\npackages:\n  a@1.0.0: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    const parsed = parsePnpmLockfile('pnpm-lock.yaml', yamlDeep);
    expect(parsed.issues.length).toBeGreaterThan(0);
  });

  it('a leading BOM is tolerated by the dispatcher', () => {
    const text = fixtureText('lockfiles', 'npm-v3', 'package-lock.json');
    expect(parseLockfile('package-lock.json', `\uFEFF${text}`)!.entry_count).toBe(21);
    const yarn = fixtureText('lockfiles', 'yarn-classic', 'yarn.lock');
    expect(parseLockfile('yarn.lock', `\uFEFF${yarn}`)!.kind).toBe('yarn-classic');
  });

  it('wrong shapes inside a valid document are counted, not fatal', () => {
    const npm = parseNpmLockfile('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/a': 'nope', 'node_modules/b': { version: '1.0.0' } } }));
    expect(npm.issues.map((i) => i.code)).toEqual(['malformed-entry']);
    expect(npm.packages.map((p) => p.name)).toEqual(['b']);
    const bun = parseBunLockfile('bun.lock', '{"lockfileVersion": 1, "packages": {"a": "x", "b": ["b@2.0.0", "", {}, "sha512-x"],},}');
    expect(bun.issues.map((i) => i.code)).toEqual(['malformed-entry']);
    expect(bun.packages).toEqual([{ name: 'b', version: '2.0.0', source: 'registry', integrity: 'sha512-x' }]);
  });
});

// Generated valid lockfiles: the memory-saving paths must agree with whole-document parsing.
const name = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), fc.stringMatching(/^[a-z][a-z0-9._-]{0,8}$/)).map(([s, n]) => `@${s}/${n}`),
);
const version = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);
const npmEntry = fc.record(
  {
    version,
    resolved: fc.constantFrom(undefined, 'https://registry.npmjs.org/x/-/x-1.0.0.tgz', 'git+ssh://git@github.com/a/b.git#abc'),
    integrity: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    dev: fc.option(fc.boolean(), { nil: undefined }),
    optional: fc.option(fc.boolean(), { nil: undefined }),
    hasInstallScript: fc.option(fc.constant(true), { nil: undefined }),
    link: fc.option(fc.constant(true), { freq: 8, nil: undefined }),
    dependencies: fc.option(fc.dictionary(name, fc.string({ maxLength: 8 }), { maxKeys: 3 }), { nil: undefined }),
    note: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: undefined }),
  },
  { requiredKeys: ['version'] },
);

describe('memory-saving read paths agree with whole-document parsing', () => {
  it('npm: streamed == JSON.parse, for any valid package-lock and any whitespace', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.tuple(fc.constantFrom('node_modules/', 'packages/app/node_modules/', 'node_modules/x/node_modules/', 'packages/'), name).map(([p, n]) => p + n), npmEntry, { maxKeys: 25 }),
        fc.constantFrom(0, 1, 2, '\t', ' \r\n '),
        fc.constantFrom(1, 2, 3),
        (packages, indent, lockfileVersion) => {
          const doc = { name: 'app', lockfileVersion, requires: true, packages: { '': { name: 'app' }, ...packages } };
          const text = typeof indent === 'string' && indent.includes('\n') ? JSON.stringify(doc).replace(/,/g, `,${indent}`) : JSON.stringify(doc, null, indent);
          const streamed = parseNpmLockfile('package-lock.json', text);
          const whole = parseNpmLockfile('package-lock.json', text, { streamed: false });
          expect(JSON.stringify(streamed)).toBe(JSON.stringify(whole));
          expect(streamed.locate('', 'a', '*')).toEqual(whole.locate('', 'a', '*'));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pnpm: sectioned == whole, for generated block-style lockfiles of every generation', () => {
    const pnpmEntry = fc.record(
      {
        resolution: fc.record({ integrity: fc.string({ maxLength: 16 }) }),
        dev: fc.option(fc.boolean(), { nil: undefined }),
        optional: fc.option(fc.constant(true), { nil: undefined }),
        requiresBuild: fc.option(fc.constant(true), { nil: undefined }),
        engines: fc.option(fc.record({ node: fc.constantFrom('>=18', '^20 || >=22') }), { nil: undefined }),
        note: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: undefined }),
      },
      { requiredKeys: ['resolution'] },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('5.4', '6.0', '9.0'),
        fc.dictionary(fc.tuple(name, version).map(([n, v]) => `${n}@${v}`), pnpmEntry, { maxKeys: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (lockfileVersion, entries, chunkEntries) => {
          const keyed = Object.fromEntries(
            Object.entries(entries).map(([k, v]) => [lockfileVersion === '9.0' ? k : lockfileVersion === '6.0' ? `/${k}` : `/${k.replace(/@(?=\d)/, '/')}`, v]),
          );
          const doc = { lockfileVersion, importers: { '.': { dependencies: {} } }, packages: keyed, snapshots: lockfileVersion === '9.0' ? Object.fromEntries(Object.keys(entries).map((k) => [k, { optional: true }])) : undefined };
          const text = toYaml(doc, { lineWidth: 0 });
          const sectioned = parsePnpmLockfile('pnpm-lock.yaml', text, { chunkEntries });
          const whole = parsePnpmLockfile('pnpm-lock.yaml', text, { sectioned: false });
          expect(JSON.stringify(sectioned)).toBe(JSON.stringify(whole));
          expect(sectioned.entry_count).toBe(Object.keys(entries).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
