/**
 * Property tests every probe runs in some form, with the probe's own arbitraries: files outside the
 * declared inputs never change the result, and damaged copies of real fixture files never crash it.
 * Lives under tests/ (not in tools/testing.ts) because it needs fast-check, a development dependency.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ProbeDefinition } from '../../tools/probe-api';
import { inputMatcher } from '../../tools/probe-context';
import { runProbeInMemory } from '../../tools/testing';

/**
 * Trees of `paths` × `contents`: rewriting every file outside `probe.inputs` (same paths, other
 * content) leaves the whole result byte-identical.
 */
export async function assertOutsideInputsIgnored(
  probe: ProbeDefinition,
  paths: fc.Arbitrary<string>,
  contents: fc.Arbitrary<string>,
  numRuns: number,
): Promise<void> {
  const matches = inputMatcher(probe.inputs);
  await fc.assert(
    fc.asyncProperty(fc.dictionary(paths, contents, { minKeys: 1 }), contents, async (tree, replacement) => {
      const outside = Object.keys(tree).filter((p) => !matches(p));
      fc.pre(outside.length > 0);
      const rewritten = { ...tree };
      for (const p of outside) rewritten[p] = `${replacement}${rewritten[p]}x`;
      const a = await runProbeInMemory(probe, tree);
      const b = await runProbeInMemory(probe, rewritten);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }),
    { numRuns },
  );
}

export interface ByteMutation {
  file: string;
  at: number;
  kind: 'flip' | 'delete' | 'insert' | 'truncate';
  bytes: Uint8Array;
}

/** One to four byte-level mutations (overwrite, delete, insert, truncate) of `files`. */
export function byteMutations(files: readonly string[]): fc.Arbitrary<ByteMutation[]> {
  const mutation = fc.record({
    file: fc.constantFrom(...files),
    at: fc.nat(),
    kind: fc.constantFrom('flip' as const, 'delete' as const, 'insert' as const, 'truncate' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  });
  return fc.array(mutation, { minLength: 1, maxLength: 4 });
}

/** `tree` with the mutations applied in order (a later one sees an earlier one's result). */
export function applyByteMutations(tree: Readonly<Record<string, Buffer>>, mutations: readonly ByteMutation[]): Record<string, Buffer> {
  const mutated = { ...tree };
  for (const m of mutations) {
    const original = mutated[m.file];
    const at = m.at % (original.length + 1);
    const b = Buffer.from(m.bytes);
    mutated[m.file] =
      m.kind === 'flip' ? Buffer.concat([original.subarray(0, at), b, original.subarray(at + b.length)])
      : m.kind === 'delete' ? Buffer.concat([original.subarray(0, at), original.subarray(at + b.length)])
      : m.kind === 'insert' ? Buffer.concat([original.subarray(0, at), b, original.subarray(at)])
      : original.subarray(0, at);
  }
  return mutated;
}

/**
 * One fixture tree of `trees` with one of its input files (`matches`) spliced as text: up to
 * `maxCut` characters at some position replaced by up to eight arbitrary ones.
 */
export function textSplices(
  trees: ReadonlyArray<Record<string, Buffer>>,
  matches: (path: string) => boolean,
  maxCut: number,
): fc.Arbitrary<Record<string, string | Buffer>> {
  const targets = trees.flatMap((tree, i) => Object.keys(tree).filter(matches).map((path) => [i, path] as const));
  return fc
    .tuple(fc.constantFrom(...targets), fc.nat(), fc.nat({ max: maxCut }), fc.string({ maxLength: 8 }))
    .map(([[i, path], at, cut, insert]) => {
      const text = trees[i][path].toString('utf8');
      const pos = at % (text.length + 1);
      return { ...trees[i], [path]: text.slice(0, pos) + insert + text.slice(pos + cut) };
    });
}

/**
 * Values of the shape a YAML or JSON parser returns: `scalars` and short strings, lists, and
 * mappings keyed by `keys` (a probe's vocabulary, so the walkers go deep), nested a few levels.
 */
export function parsedValues(keys: readonly string[], scalars: readonly unknown[], maxStringLength: number): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(...scalars),
      fc.string({ maxLength: maxStringLength }),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 6 }),
    ),
  })).node;
}
