/**
 * The `--repos FILE` parser: the `@rev` rule, comments, errors with line numbers, and properties
 * over generated lists (round trip through `formatReposLine`) and arbitrary text (only
 * ReposFileError, never another exception).
 */
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReposFileError, formatReposLine, parseReposFile, splitRev } from '../../tools/gather-cli/repos-file';

const BASE = '/lists';

function problemsOf(text: string): string[] {
  try {
    parseReposFile(text, BASE, 'repos.txt');
  } catch (err) {
    if (err instanceof ReposFileError) return err.problems;
    throw err;
  }
  return [];
}

describe('splitRev', () => {
  it.each([
    ['repo', { path: 'repo' }],
    ['repo@main', { path: 'repo', rev: 'main' }],
    ['repo@v1.2.3', { path: 'repo', rev: 'v1.2.3' }],
    ['repo@HEAD~2', { path: 'repo', rev: 'HEAD~2' }],
    ['repo@0123abcd', { path: 'repo', rev: '0123abcd' }],
    ['@scope', { path: '@scope' }],
    ['packages/@scope/tool', { path: 'packages/@scope/tool' }],
    ['packages/@scope/tool@next', { path: 'packages/@scope/tool', rev: 'next' }],
    ['a@b@c', { path: 'a@b', rev: 'c' }],
    ['build@2x/', { path: 'build@2x/' }],
    ['repo@feature/x', { path: 'repo@feature/x' }],
    ['repo@HEAD@{1}', { path: 'repo@HEAD@{1}' }],
    ['repo@-x', { path: 'repo@-x' }],
    ['repo@', { path: 'repo', rev: '' }],
  ])('%s', (spec, expected) => {
    expect(splitRev(spec)).toEqual(expected);
  });
});

describe('parseReposFile', () => {
  it('reads paths, revs, comments and blank lines, resolving against the base folder', () => {
    const text = '\uFEFF# the portfolio\r\n\r\n../services/billing\r\n/srv/git/api@v2.3.0   # pinned\n  ./web  \npackages/@scope/tool\nbuild@2x/\nweird#name\n';
    expect(parseReposFile(text, BASE)).toEqual([
      { path: resolve('/services/billing'), label: '../services/billing', line: 3 },
      { path: '/srv/git/api', rev: 'v2.3.0', label: '/srv/git/api@v2.3.0', line: 4 },
      { path: join(BASE, 'web'), label: './web', line: 5 },
      { path: join(BASE, 'packages/@scope/tool'), label: 'packages/@scope/tool', line: 6 },
      { path: join(BASE, 'build@2x'), label: 'build@2x/', line: 7 },
      { path: join(BASE, 'weird#name'), label: 'weird#name', line: 8 },
    ]);
  });

  it('reports every problem with its line number', () => {
    expect(problemsOf('a\nb@\n\nc\x01d\n./a\nb@main\nb@main # again\n')).toEqual([
      `repos.txt:2: '@' with no rev after it in "b@" (write "b/" for a directory whose name ends in '@')`,
      'repos.txt:4: control character in "c\\u0001d"',
      'repos.txt:5: "./a" repeats line 1',
      'repos.txt:7: "b@main" repeats line 6',
    ]);
  });

  it('treats one repository at two revs as two entries', () => {
    expect(parseReposFile('r@v1\nr@v2\nr\n', BASE).map((e) => e.rev)).toEqual(['v1', 'v2', undefined]);
  });

  it('refuses a list with no entries', () => {
    expect(problemsOf('# nothing\n\n   \n')).toEqual(['repos.txt: no repositories listed']);
    expect(problemsOf('')).toEqual(['repos.txt: no repositories listed']);
  });

  const segment = fc.stringMatching(/^[A-Za-z0-9._@#~^+ -]{1,8}$/).filter((s) => s !== '.' && s !== '..' && s.trim() === s && !/\s#/.test(s) && !s.startsWith('#'));
  const pathArb = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 4 })).map(([abs, parts]) => `${abs ? '/' : ''}${parts.join('/')}`);
  const revArb = fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+~^-]{0,11}$/), { nil: undefined });
  const noise = fc.constantFrom('', '# a comment', '   ', '\t# indented comment', '#');

  it('reads back every list it can write (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(pathArb, revArb), { minLength: 1, maxLength: 12, selector: ([p, r]) => `${resolve(BASE, p)}\0${r ?? ''}` }), fc.array(noise, { maxLength: 12 }), fc.boolean(), (items, extra, crlf) => {
        const lines: string[] = [];
        items.forEach(([p, r], i) => {
          if (extra[i] !== undefined) lines.push(extra[i]);
          lines.push(formatReposLine(p, r) + (i % 3 === 1 ? '   # trailing' : ''));
        });
        const entries = parseReposFile(lines.join(crlf ? '\r\n' : '\n'), BASE);
        expect(entries.map((e) => [e.path, e.rev])).toEqual(items.map(([p, r]) => [resolve(BASE, p), r]));
        for (const e of entries) expect(lines[e.line - 1].startsWith(e.label)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('throws only ReposFileError, with numbered lines, on arbitrary text (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          const entries = parseReposFile(text, BASE, 'f');
          for (const e of entries) {
            expect(e.path.startsWith('/')).toBe(true);
            expect(e.label).toBe(e.label.trim());
            expect(e.label.length).toBeGreaterThan(0);
            if (e.rev !== undefined) expect(e.rev).toMatch(/^[A-Za-z0-9][A-Za-z0-9._+~^-]*$/);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ReposFileError);
          for (const p of (err as ReposFileError).problems) expect(p).toMatch(/^f(:\d+)?: /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
