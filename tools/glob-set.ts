/**
 * Matches repository paths against a set of catalog globs in one regular-expression test per path.
 * Globs without `/` are matched against the basename (`webpack.config.js` anywhere), globs with
 * `/` against the whole relative path. Testing a 17k-path file index against forty separate
 * picomatch matchers costs ~100 ms; one combined expression per kind costs a few.
 */
import picomatch from 'picomatch';

export type PathTest = (path: string) => boolean;

const GLOB_OPTIONS = { dot: true } as const;

function combined(globs: readonly string[]): RegExp | undefined {
  if (globs.length === 0) return undefined;
  return new RegExp(globs.map((g) => `(?:${picomatch.makeRe(g, GLOB_OPTIONS).source})`).join('|'));
}

/** `**\/name-glob` means "a basename, at any depth": matched on the basename it is much cheaper. */
function basenameGlob(glob: string): string | undefined {
  if (!glob.includes('/')) return glob;
  const rest = glob.startsWith('**/') ? glob.slice(3) : undefined;
  return rest !== undefined && !rest.includes('/') ? rest : undefined;
}

export function globSet(globs: readonly string[]): PathTest {
  const byName = combined(globs.map(basenameGlob).filter((g): g is string => g !== undefined));
  const byPath = combined(globs.filter((g) => basenameGlob(g) === undefined));
  if (!byName && !byPath) return () => false;
  return (path) => {
    if (byName && byName.test(path.slice(path.lastIndexOf('/') + 1))) return true;
    return byPath !== undefined && byPath.test(path);
  };
}

/** One regular expression that matches when any of `patterns` (JavaScript regex sources) does. */
export function anyPattern(patterns: readonly string[], flags = ''): RegExp | undefined {
  if (patterns.length === 0) return undefined;
  return new RegExp(patterns.map((p) => `(?:${p})`).join('|'), flags);
}
