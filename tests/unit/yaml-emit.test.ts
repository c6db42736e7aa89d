import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { emitYaml } from '../../tools/yaml-emit';

/** JSON's own view of a value (drops undefined, -0 → 0). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('emitYaml', () => {
  it('writes block YAML that parses back to its input', () => {
    const value = {
      codegenie: { version: '0.1.0', schema_version: 1 },
      list: ['a', 1, true, null, { k: 'v', n: [1, 2] }, [], {}, ['x', ['y']]],
      tricky: ['', ' lead', 'trail ', 'yes', 'No', '~', '1.0', '0x1f', '2024-01-01', 'a: b', 'a #b', '- x', '@scope/pkg', 'ends:', 'é', 'line\nbreak', 'tab\t', '\u0085', '\u007f'],
      '': 'empty key',
      'key: with colon': 1,
    };
    expect(parse(emitYaml(value))).toEqual(value);
  });

  it('keeps simple scalars plain and readable', () => {
    expect(emitYaml({ name: 'express', version: '4.18.2', path: 'src/a.ts', range: '>=20.11', scoped: '@nx/devkit' })).toBe(
      'name: express\nversion: 4.18.2\npath: src/a.ts\nrange: ">=20.11"\nscoped: "@nx/devkit"\n',
    );
    expect(emitYaml([{ a: 1, b: [] }, 'x'])).toBe('- a: 1\n  b: []\n- x\n');
  });

  it('round-trips arbitrary JSON values (the property the gather relies on)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(parse(emitYaml(v))).toEqual(asJson(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips arbitrary strings, including every Unicode plane and control characters', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), (v) => {
        expect(parse(emitYaml(v))).toEqual(v);
      }),
      { numRuns: 2000 },
    );
  });
});
