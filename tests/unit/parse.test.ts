import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseYaml, parseYamlDocuments } from '../../tools/parse';

const BOMB = 'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';

describe('YAML parsing options', () => {
  it('floatsAsText keeps floats as written, so versions survive; integers stay numbers', () => {
    const text = 'a: 20.10\nb: 1.10\nc: 18\nd: [3.0]\ne: 1e3\nf: true\n';
    const asText = parseYaml('t.yml', text, { floatsAsText: true });
    expect(asText.ok && asText.value).toEqual({ a: '20.10', b: '1.10', c: 18, d: ['3.0'], e: '1e3', f: true });
    const plain = parseYaml('t.yml', text);
    expect(plain.ok && plain.value).toEqual({ a: 20.1, b: 1.1, c: 18, d: [3], e: 1000, f: true });
    const docs = parseYamlDocuments('t.yml', 'v: 1.10\n---\nv: 2.0\n', { floatsAsText: true });
    expect(docs.ok && docs.value).toEqual([{ v: '1.10' }, { v: '2.0' }]);
  });

  it('firstDocumentOnly reads the first document and warns about the rest; without it, extra documents fail the file', () => {
    const two = parseYaml('t.yml', 'a: 1\n---\nb: 2\n', { firstDocumentOnly: true });
    expect(two.ok && two.value).toEqual({ a: 1 });
    expect(two.ok && two.warnings.map((w) => w.code)).toEqual(['extra-yaml-documents']);
    const strict = parseYaml('t.yml', 'a: 1\n---\nb: 2\n');
    expect(!strict.ok && strict.issue.code).toBe('parse-error');
    const empty = parseYaml('t.yml', '', { firstDocumentOnly: true });
    expect(empty.ok && empty.value).toBeNull();
  });

  it('duplicate keys are a warning with either option, the last value winning', () => {
    for (const options of [{}, { floatsAsText: true, firstDocumentOnly: true }]) {
      const parsed = parseYaml('t.yml', 'v: 1.5\nv: 2.5\n', options);
      expect(parsed.ok && parsed.warnings.map((w) => w.code)).toEqual(['yaml-warning']);
      expect(parsed.ok && (parsed.value as { v: unknown }).v).toBe(Object.keys(options).length > 0 ? '2.5' : 2.5);
    }
  });

  it('alias bombs fail the file with or without floatsAsText', () => {
    expect(parseYamlDocuments('t.yml', BOMB).ok).toBe(false);
    expect(parseYamlDocuments('t.yml', BOMB, { floatsAsText: true }).ok).toBe(false);
  });

  it('never throws on arbitrary text, and floatsAsText never changes whether a file reads', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const plain = parseYamlDocuments('t.yml', text);
        const asText = parseYamlDocuments('t.yml', text, { floatsAsText: true });
        expect(asText.ok).toBe(plain.ok);
      }),
      { numRuns: 500 },
    );
  });
});
