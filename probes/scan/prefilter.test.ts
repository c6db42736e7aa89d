import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from '@ast-grep/napi';
import { loadScanRules, parseRuleFile } from './rules';
import { loadRuleExamples } from './rule-examples';
import { matchSource } from './match-file';
import { RuleSelector, requirementHolds } from './prefilter';
import { ruleRequirement } from './rule-literals';
import { regexRequirement } from './regex-literals';
import { literalKey, type Requirement } from './literal-clauses';
import type { ScanLanguage } from './languages';

const show = (req: Requirement) => req.map((c) => c.map(literalKey).join('|'));

function oneRule(yamlRule: string, languages = '[JavaScript]') {
  const { rules, problems } = parseRuleFile('t.yaml', `id: t\nlanguages: ${languages}\nseverity: info\nmessage: m\nmetadata: { category: c }\n${yamlRule}`);
  expect(problems).toEqual([]);
  return rules[0];
}

describe('literal derivation', () => {
  it('takes identifiers and string contents from patterns, and a callee literal from calls', () => {
    // `eval(` implies `eval`, so the weaker clause is dropped.
    expect(show(ruleRequirement(oneRule('rule: { pattern: eval($A) }'), 'JavaScript'))).toEqual(['eval(']);
    expect(show(ruleRequirement(oneRule('rule: { pattern: new Buffer($$$ARGS) }'), 'JavaScript'))).toEqual(['Buffer(', 'new']);
    expect(show(ruleRequirement(oneRule('rule: { any: [ { pattern: url.parse($A) }, { pattern: "url.resolve($A, $B)" } ] }'), 'JavaScript'))).toEqual(['parse(|resolve(', 'url']);
    // No `process.mainModule` chain literal: ast-grep matches `process /* c */ .mainModule` too.
    expect(show(ruleRequirement(oneRule('rule: { pattern: process.mainModule }'), 'JavaScript'))).toEqual(['mainModule', 'process']);
    expect(show(ruleRequirement(oneRule("rule: { pattern: \"require('vm2')\" }"), 'JavaScript'))).toContain('vm2');
  });

  it('derives nothing from kinds, `not` or patterns in relaxed strictness keywords', () => {
    expect(ruleRequirement(oneRule('rule: { kind: debugger_statement }'), 'JavaScript')).toEqual([]);
    expect(ruleRequirement(oneRule('rule: { kind: identifier, not: { regex: "^foo$" } }'), 'JavaScript')).toEqual([]);
    expect(show(ruleRequirement(oneRule('rule: { pattern: { context: "async function $F() {}", strictness: ast } }'), 'JavaScript'))).toEqual([]);
  });

  it('uses constraints only for metavariables that every match binds', () => {
    const bound = oneRule('rule: { pattern: $X.foo($A) }\nconstraints: { A: { regex: "^secretive$" } }');
    expect(show(ruleRequirement(bound, 'JavaScript'))).toContain('secretive');
    const unbound = oneRule('rule: { any: [ { pattern: foo($A) }, { pattern: bar($B) } ] }\nconstraints: { A: { regex: "^secretive$" } }');
    expect(show(ruleRequirement(unbound, 'JavaScript'))).toEqual(['bar(|foo(']);
  });

  it('keeps what all branches of `any` share, and follows `matches` into utils', () => {
    const r = oneRule('utils: { u: { regex: "(?i)password" } }\nrule: { any: [ { kind: pair, has: { matches: u } }, { kind: identifier, regex: "(?i)^password$" } ] }');
    expect(show(ruleRequirement(r, 'JavaScript'))).toEqual(['i:password']);
    const open = oneRule('rule: { any: [ { pattern: eval($A) }, { kind: identifier } ] }');
    expect(ruleRequirement(open, 'JavaScript')).toEqual([]);
  });

  it('analyses regexes: alternations, classes, optional parts, case folding; gives up on what it does not know', () => {
    expect(show(regexRequirement('^(require|import)$'))).toEqual(['import|require']);
    expect(show(regexRequirement('(?i)api_?key'))).toEqual(['i:api_key|i:apikey']);
    expect(show(regexRequirement('-----BEGIN ([A-Z]+ )*PRIVATE KEY-----'))).toEqual(['-----BEGIN ', 'PRIVATE KEY-----']);
    const cp = regexRequirement("^['\"](node:)?child_process['\"]$");
    expect(cp).toHaveLength(1);
    expect(cp[0].map((l) => l.text).sort()).toEqual(["'child_process'", "'child_process\"", "'node:child_process'", "'node:child_process\"", '"child_process\'', '"child_process"', '"node:child_process\'', '"node:child_process"'].sort());
    expect(regexRequirement('foo|.*')).toEqual([]);
    expect(regexRequirement('(?s)foo')).toEqual([]);
    expect(regexRequirement('\\x41BC')).toEqual([]);
    expect(regexRequirement('[[:alpha:]]x')).toEqual([]);
  });
});

/** Soundness: a file the prefilter turns away from a rule can never be matched by that rule. */
describe('prefilter soundness', () => {
  const rules = loadScanRules();
  const selector = new RuleSelector(rules, true);
  const examples = loadRuleExamples().flatMap((e) => [...e.valid, ...e.invalid].map((x) => x.code));
  const noise = ['(', ')', ' ', '\n', '/* c */', '// x\n', '.', '?.', '!', '@', '$', '`', "'", '"', '${', '}', 'ſ', '\u212a', 'İ', '\u200b', 'eval', 'require', 'import', 'Buffer', 'new', 'x'];
  const mutate = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), what: fc.constantFrom(...noise) }),
    fc.record({ kind: fc.constant('case' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
    // Next to punctuation, where trivia and error nodes are most likely to change what matches.
    fc.record({ kind: fc.constant('punct' as const), at: fc.nat(), after: fc.boolean(), what: fc.constantFrom('/* c */', '// x\n', ' ', '\n', '@', 'x ', '?.', '!', '<T>') }),
  );
  const file = fc.tuple(fc.array(fc.constantFrom(...examples), { minLength: 1, maxLength: 3 }), fc.array(mutate, { maxLength: 6 })).map(([parts, edits]) => {
    let text = parts.join('\n');
    for (const e of edits) {
      const at = text.length === 0 ? 0 : e.at % text.length;
      if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + e.len);
      else if (e.kind === 'insert') text = text.slice(0, at) + e.what + text.slice(at);
      else if (e.kind === 'punct') {
        const spots = [...text.matchAll(/[.(]/g)].map((m) => m.index!);
        if (spots.length === 0) continue;
        const spot = spots[e.at % spots.length] + (e.after ? 1 : 0);
        text = text.slice(0, spot) + e.what + text.slice(spot);
      } else {
        const part = text.slice(at, at + e.len);
        const flipped = part === part.toUpperCase() ? part.toLowerCase() : part.toUpperCase();
        text = text.slice(0, at) + flipped + text.slice(at + e.len);
      }
    }
    return text;
  });
  const placement = fc.constantFrom<[string, ScanLanguage]>(
    ['src/a.js', 'JavaScript'], ['src/a.mjs', 'JavaScript'], ['src/a.cjs', 'JavaScript'],
    ['src/a.ts', 'TypeScript'], ['src/a.mts', 'TypeScript'], ['src/a.cts', 'TypeScript'], ['src/a.tsx', 'Tsx'],
  );

  it('holds for every shipped rule on mutated rule examples', () => {
    let turnedAway = 0;
    fc.assert(
      fc.property(file, placement, (text, [path, lang]) => {
        const chosen = new Set(selector.candidates(path, lang, text).map((r) => r.id));
        for (const rule of selector.applicable(path, lang)) {
          if (chosen.has(rule.id)) continue;
          turnedAway++;
          expect(matchSource(lang, text, [rule]), `${rule.id} on ${JSON.stringify(text)}`).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
    expect(turnedAway).toBeGreaterThan(1000); // the property was exercised, not vacuous
  });

  it('holds for the regex analysis against the regex engine ast-grep uses', () => {
    const lit = fc.constantFrom('a', 'b', 'c', 'A', '_', 'k', 's', '\\.', ' ', 'ab', 'abc', 'key');
    const leaf = fc.oneof(lit, fc.constantFrom('.', '\\w', '\\d', '\\b', '[ab]', '[a-c]', '[^a]', '[_.]', '^', '$'));
    const regex: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.tuple(tie('node'), tie('node')).map(([x, y]) => `${x}${y}`),
        fc.tuple(tie('node'), tie('node')).map(([x, y]) => `(${x}|${y})`),
        fc.tuple(tie('node'), fc.constantFrom('?', '*', '+', '{1,2}', '{0,1}', '+?')).map(([x, q]) => `(?:${x})${q}`),
      ),
    })).node as fc.Arbitrary<string>;
    const pattern = fc.tuple(fc.boolean(), regex).map(([ci, r]) => (ci ? `(?i)${r}` : r));
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'A', 'B', 'C', 'K', 'S', '_', ' ', '.', 'ſ', '\u212a', 'key', 'abc'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pattern, text, (re, body) => {
        const source = `/*${body}*/`;
        const req = regexRequirement(re);
        if (requirementHolds(req, source)) return;
        const found = parse('JavaScript', source).root().findAll({ rule: { kind: 'comment', regex: re } });
        expect(found.map((n) => n.text()), `${re} on ${JSON.stringify(source)}`).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });
});
