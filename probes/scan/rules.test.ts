import { describe, expect, it } from 'vitest';
import { parse } from '@ast-grep/napi';
import { loadScanRules, parseRuleFile } from './rules';
import { loadRuleExamples, examplePlacements } from './rule-examples';
import { matchSource } from './match-file';
import { RuleSelector } from './prefilter';
import { patternProblems, ruleAlternatives } from './rule-literals';
import type { ScanLanguage } from './languages';

const rules = loadScanRules();
const examples = new Map(loadRuleExamples().map((e) => [e.id, e]));
const selector = new RuleSelector(rules, true);
const allowed = (ruleId: string) => (path: string, lang: ScanLanguage) => selector.applicable(path, lang).some((r) => r.id === ruleId);

describe('scan rule catalog', () => {
  it('ships at least 25 rules with unique ids, each with a category', () => {
    expect(rules.length).toBeGreaterThanOrEqual(25);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(r.category).toMatch(/^[a-z-]+$/);
  });

  it('has a rule test file for every rule and a rule for every test file', () => {
    expect([...examples.keys()].sort()).toEqual(rules.map((r) => r.id));
  });

  it('every rule compiles in each of its languages', () => {
    for (const r of rules) {
      for (const lang of r.languages) {
        expect(() => parse(lang, 'const x = 1;').root().findAll(r.matcher as never), `${r.id} / ${lang}`).not.toThrow();
      }
    }
  });

  it('every pattern parses in each language of its rule (also under not, constraints and utils)', () => {
    for (const r of rules) for (const lang of r.languages) expect(patternProblems(r, lang)).toEqual([]);
    const broken = parseRuleFile('b.yaml', 'id: b\nlanguages: [JavaScript]\nseverity: info\nmessage: m\nmetadata: { category: c }\nrule: { not: { pattern: "eval(" } }').rules[0];
    expect(patternProblems(broken, 'JavaScript')[0]).toMatch(/does not parse as JavaScript/);
  });

  it('every shipped rule yields literals for the prefilter in every language (none would disable it)', () => {
    for (const r of rules) for (const lang of r.languages) for (const alt of ruleAlternatives(r, lang)) expect(alt.length, `${r.id} / ${lang}`).toBeGreaterThan(0);
  });

  it('rejects malformed rule documents with a reason', () => {
    const { rules: ok, problems } = parseRuleFile(
      'bad.yaml',
      ['id: Not_Kebab', 'languages: [Cobol]', 'severity: fatal', 'rule: {}', 'colour: red', '---', 'id: fine', 'languages: [JavaScript]', 'severity: info', 'message: m', 'metadata: { category: x }', 'rule: { pattern: foo() }'].join('\n'),
    );
    expect(ok.map((r) => r.id)).toEqual(['fine']);
    expect(problems.join('\n')).toMatch(/unknown field colour/);
    expect(problems.join('\n')).toMatch(/languages must list/);
    expect(problems.join('\n')).toMatch(/severity must be one of/);
  });
});

describe.each(rules.map((r) => [r.id, r] as const))('rule %s', (id, rule) => {
  const tests = examples.get(id);

  it('has at least one positive and one negative example', () => {
    expect(tests?.invalid.length ?? 0).toBeGreaterThan(0);
    expect(tests?.valid.length ?? 0).toBeGreaterThan(0);
  });

  it('matches every invalid example, which the prefilter lets through', () => {
    for (const example of tests?.invalid ?? []) {
      const placements = examplePlacements(example, rule.languages, allowed(id));
      expect(placements.length, example.code).toBeGreaterThan(0);
      for (const { path, lang } of placements) {
        expect(selector.applicable(path, lang).map((r) => r.id), `${path}: ${example.code}`).toContain(id);
        expect(selector.candidates(path, lang, example.code).map((r) => r.id), `prefilter ${path}: ${example.code}`).toContain(id);
        const found = matchSource(lang, example.code, [rule]);
        expect(found.length, `${lang} ${path}: ${example.code}`).toBeGreaterThan(0);
      }
    }
  });

  it('matches no valid example', () => {
    for (const example of tests?.valid ?? []) {
      for (const { path, lang } of examplePlacements(example, rule.languages, () => true)) {
        const applies = selector.applicable(path, lang).some((r) => r.id === id);
        const found = applies ? matchSource(lang, example.code, [rule]) : [];
        expect(found, `${lang} ${path}: ${example.code}`).toEqual([]);
      }
    }
  });
});
