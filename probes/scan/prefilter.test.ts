import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, type SgNode } from '@ast-grep/napi';
import { loadScanRules, parseRuleFile, type ScanRule } from './rules';
import { loadRuleExamples } from './rule-examples';
import { matchSource } from './match-file';
import { RuleSelector, requirementHolds, alternativesHold, type SelectorPlan } from './prefilter';
import { ruleAlternatives, ruleRequirement } from './rule-literals';
import { regexFullMatches, regexRequirement } from './regex-literals';
import { literalKey, type Alternatives, type Requirement } from './literal-clauses';
import { rustRegexToJs } from './constraint-eval';
import { codeTokens, readArguments } from './code-shapes';
import { Tok, tokenize } from './js-tokens';
import type { ScanLanguage } from './languages';

/** `SCAN_FUZZ_SCALE=50` runs the properties fifty times as long (a soak run before changing the shapes). */
const SCALE = Number(process.env.SCAN_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const TIMEOUT = 60_000 * SCALE;

const show = (req: Requirement) => req.map((c) => c.map(literalKey).join('|'));
const showAlts = (alts: Alternatives) => alts.map(show);

function oneRule(yamlRule: string, languages = '[JavaScript]') {
  const { rules, problems } = parseRuleFile('t.yaml', `id: t\nlanguages: ${languages}\nseverity: info\nmessage: m\nmetadata: { category: c }\n${yamlRule}`);
  expect(problems).toEqual([]);
  return rules[0];
}

/** The same rules with every shape replaced by the literal it stands on: what the prefilter knew before shapes. */
function withoutShapes(selector: RuleSelector): RuleSelector {
  const plan = JSON.parse(JSON.stringify(selector.plan), (_k, v) => (v && typeof v === 'object' && v.shape ? { text: v.text, ci: v.ci, callee: v.callee } : v)) as SelectorPlan;
  return new RuleSelector(selector.rules, true, plan);
}

/** Runs `rules` over `text` with napi and checks the prefilter kept each rule that matched; returns how many rules only the shapes ruled out. */
function checkSound(selector: RuleSelector, plain: RuleSelector, text: string, path: string, lang: ScanLanguage): number {
  const chosen = new Set(selector.candidates(path, lang, text).map((r) => r.id));
  const applicable = selector.applicable(path, lang);
  let found: Set<string>;
  try {
    found = new Set(matchSource(lang, text, applicable.map((r) => ({ id: r.id, matcher: r.matcher, maskStrings: false }))).map((f) => f[0]));
  } catch {
    return 0; // a generated rule napi rejects (an unknown kind): nothing to compare
  }
  for (const id of found) expect(chosen.has(id), `${id} matches ${lang} ${JSON.stringify(text)} but the prefilter turned it away`).toBe(true);
  return plain.candidates(path, lang, text).filter((r) => !chosen.has(r.id)).length;
}

const placement = fc.constantFrom<[string, ScanLanguage]>(
  ['src/a.js', 'JavaScript'], ['src/a.mjs', 'JavaScript'], ['src/a.cjs', 'JavaScript'],
  ['src/a.ts', 'TypeScript'], ['src/a.mts', 'TypeScript'], ['src/a.cts', 'TypeScript'], ['src/a.tsx', 'Tsx'],
);

describe('literal derivation', () => {
  it('takes identifiers and string contents from patterns, and a callee literal from calls', () => {
    // `eval(` implies `eval`, so the weaker clause is dropped.
    // Words of the pattern must occur in code (`{code:...}`), string contents anywhere.
    expect(showAlts(ruleAlternatives(oneRule('rule: { pattern: eval($A) }'), 'JavaScript'))).toEqual([['eval(', '{code:eval}']]);
    expect(showAlts(ruleAlternatives(oneRule('rule: { pattern: new Buffer($$$ARGS) }'), 'JavaScript'))).toEqual([['Buffer(', '{code:Buffer}', '{code:new}']]);
    expect(showAlts(ruleAlternatives(oneRule("rule: { pattern: \"require('vm2')\" }"), 'JavaScript'))[0]).toContain('vm2');
    // A pattern's last leaf, when unnamed, may be a MISSING token tree-sitter inserted: no literal.
    expect(showAlts(ruleAlternatives(oneRule('rule: { pattern: import.meta }'), 'JavaScript'))).toEqual([['{code:import}']]);
    expect(matchSource('JavaScript', 'x = import.;', [oneRule('rule: { pattern: import.meta }')]).length).toBe(1);
  });

  it('turns `any` into alternatives, one per branch, instead of only what the branches share', () => {
    const alts = ruleAlternatives(oneRule('rule: { any: [ { pattern: url.parse($A) }, { pattern: "url.resolve($A, $B)" } ] }'), 'JavaScript');
    expect(showAlts(alts)).toEqual([['parse(', '{url.parse}', '{code:parse}'], ['resolve(', '{code:resolve}', '{url.resolve}']]);
    // What the branches share, for callers that want one requirement.
    expect(ruleRequirement(oneRule('rule: { any: [ { pattern: eval($A) }, { pattern: window.eval($A) } ] }'), 'JavaScript').map((c) => c.map(literalKey).join('|'))).toEqual(['eval(', '{code:eval}']);
  });

  it('derives member shapes: a plain object name followed by `.` and the property (a list of them from a constraint)', () => {
    expect(showAlts(ruleAlternatives(oneRule('rule: { pattern: process.mainModule }'), 'JavaScript'))).toEqual([['{process.mainModule}', '{code:mainModule}']]);
    const util = oneRule('rule: { pattern: util.$F($$$A) }\nconstraints: { F: { regex: "^(isArray|log)$" } }');
    expect(showAlts(ruleAlternatives(util, 'JavaScript'))).toEqual([['{util.isArray|log}', 'isArray|log']]);
    const lodash = oneRule('rule: { pattern: "$L.merge($$$A)" }\nconstraints: { L: { regex: "^(_|lodash)$" } }');
    expect(showAlts(ruleAlternatives(lodash, 'JavaScript'))).toEqual([['merge(', '{code:merge}', '{_.merge}|{lodash.merge}']]);
    // A case-insensitive or open-ended constraint gives no list: any property.
    const open = oneRule('rule: { pattern: util.$F($$$A) }\nconstraints: { F: { regex: "^is" } }');
    expect(showAlts(ruleAlternatives(open, 'JavaScript'))[0]).toContain('{util.*}');
  });

  it('derives call shapes for constrained metavariables at a fixed argument position, only under smart/cst strictness', () => {
    const timer = oneRule('rule: { pattern: "setTimeout($C, $$$R)" }\nconstraints: { C: { kind: string } }');
    expect(showAlts(ruleAlternatives(timer, 'JavaScript'))).toEqual([['{setTimeout(#0 {"kind":"string"})}']]);
    // After `$$$A` the position is not fixed.
    expect(showAlts(ruleAlternatives(oneRule('rule: { pattern: "f($$$A, $C)" }\nconstraints: { C: { kind: string } }'), 'JavaScript'))).toEqual([['f(', '{code:f}']]);
    const relaxed = oneRule('rule: { pattern: { context: "setTimeout($C)", strictness: relaxed } }\nconstraints: { C: { kind: string } }');
    expect(showAlts(ruleAlternatives(relaxed, 'JavaScript'))).toEqual([['{code:setTimeout}']]);
  });

  it('derives nothing from kinds, `not` or patterns in relaxed strictness keywords', () => {
    expect(ruleAlternatives(oneRule('rule: { kind: debugger_statement }'), 'JavaScript')).toEqual([[]]);
    expect(ruleAlternatives(oneRule('rule: { kind: identifier, not: { regex: "^foo$" } }'), 'JavaScript')).toEqual([[]]);
    expect(showAlts(ruleAlternatives(oneRule('rule: { pattern: { context: "async function $F() {}", strictness: ast } }'), 'JavaScript'))).toEqual([[]]);
  });

  it('uses a constraint where a pattern binds its metavariable, and only there', () => {
    const bound = oneRule('rule: { pattern: $X.foo($A) }\nconstraints: { A: { regex: "^secretive$" } }');
    expect(showAlts(ruleAlternatives(bound, 'JavaScript'))[0]).toContain('secretive');
    // `$A` is bound in the first branch only: the second branch owes nothing to the constraint.
    const oneBranch = oneRule('rule: { any: [ { pattern: foo($A) }, { pattern: bar($B) } ] }\nconstraints: { A: { regex: "^secretive$" } }');
    expect(showAlts(ruleAlternatives(oneBranch, 'JavaScript'))).toEqual([['bar(', '{code:bar}'], ['{foo(#0 {"regex":"^secretive$"})}', 'secretive']]);
  });

  it('follows `matches` into utils; an unconstrained branch makes the rule unconstrained', () => {
    const r = oneRule('utils: { u: { regex: "(?i)password" } }\nrule: { any: [ { kind: pair, has: { matches: u } }, { kind: identifier, regex: "(?i)^password$" } ] }');
    expect(showAlts(ruleAlternatives(r, 'JavaScript'))).toEqual([['i:password']]);
    expect(ruleAlternatives(oneRule('rule: { any: [ { pattern: eval($A) }, { kind: identifier } ] }'), 'JavaScript')).toEqual([[]]);
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

  it('lists what a fully anchored regex accepts, and nothing for others', () => {
    expect(regexFullMatches('^(isArray|log|_extend)$')?.sort()).toEqual(['_extend', 'isArray', 'log']);
    expect(regexFullMatches('^a|b$')).toBeUndefined(); // the anchors bind one side each
    expect(regexFullMatches('^ab')).toBeUndefined();
    expect(regexFullMatches('^a\\$')).toBeUndefined();
    expect(regexFullMatches('(?i)^(a|b)$')).toBeUndefined();
  });

  it('every shipped rule yields a requirement in every language, in every alternative', () => {
    for (const r of loadScanRules()) for (const lang of r.languages) for (const alt of ruleAlternatives(r, lang)) expect(alt.length, `${r.id} / ${lang}`).toBeGreaterThan(0);
  });
});

describe('shape checks on tokens', () => {
  const rules = loadScanRules();
  const byId = new Map(rules.map((r) => [r.id, r]));
  const selector = new RuleSelector(rules, true);
  // `.cts`: a CommonJS TypeScript file, where every shipped rule but the ESM-only ones applies.
  const kept = (id: string, text: string, lang: ScanLanguage = 'TypeScript') => selector.candidates(lang === 'Tsx' ? 'a.tsx' : lang === 'JavaScript' ? 'a.js' : 'a.cts', lang, text).some((r) => r.id === id);
  const matches = (id: string, text: string, lang: ScanLanguage = 'TypeScript') => matchSource(lang, text, [byId.get(id)!]).length > 0;

  // [rule, text, expected: kept by the prefilter?]
  const cases: Array<[string, string, boolean]> = [
    // Plain string specifiers: no dynamic require/import, whatever the spacing, comments or line endings.
    ['dynamic-require', "const path = require('path');\r\nconst fs = require ( \"fs\" ) ;", false],
    ['dynamic-require', "const m = require('./a' + b);", true],
    ['dynamic-require', 'const m = require(`./${b}`);', true],
    ['dynamic-require', 'const m = require(`./plain`);', false],
    ['dynamic-require', 'const m = require(/* why */ name);', true],
    ['dynamic-require', 'const m = require(...names);', true],
    ['dynamic-import', "const Chart = lazy(() => import('./chart'));", false],
    ['dynamic-import', "/** @type {import('jest').Config} */\nmodule.exports = {};", false],
    ['dynamic-import', 'const m = await import(name);', true],
    // Timers with functions are fine; strings, templates and string concatenations are not.
    ['string-timer-callback', 'await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));', false],
    ['string-timer-callback', 'const timer = setTimeout(() => controller.abort(), 5000);', false],
    ['string-timer-callback', "setTimeout('tick()', 10);", true],
    ['string-timer-callback', "setTimeout(\n  // later\n  'tick()', 10);", true],
    ['string-timer-callback', "setTimeout(a + 'b');", true],
    ['string-timer-callback', 'setTimeout(() => { run(); }, 10);', false],
    // A syntax error inside the arguments: tree-sitter skips the error and may match, so the file is kept.
    ['string-timer-callback', "setTimeout(x 'code');", true],
    ['string-timer-callback', "setTimeout(f(a) 'code');", true],
    // Not a call of the pattern: generics, optional calls.
    ['string-timer-callback', 'setTimeout<T>(resolve);', false],
    // A member access is ruled out only inside a checked argument list.
    ['deprecated-url-parse', "const root = new URL('..', import.meta.url).pathname;\nconst data = JSON.parse(text);", false],
    ['deprecated-url-parse', 'const u = url /* why */ .parse(x);', true],
    ['deprecated-url-parse', 'const u = url\n  .parse(x);', true],
    ['deprecated-url-parse', 'const u = url x .parse(y);', true],
    ['deprecated-url-parse', 'f(url) .parse(x);', false],
    ['deprecated-util-type-checks', 'util / .isArray(x);', true],
    ['deprecated-util-type-checks', "const { promisify } = require('util');\nconsole.log(x);", true], // inside a string: not trusted
    ['deprecated-util-type-checks', 'const s = util.inspect(x);', false],
    // SQL: the constraint's regex is evaluated on the first argument.
    ['sql-query-interpolated', "db.query('SELECT * FROM t WHERE id = $1', [id]);", false],
    ['sql-query-interpolated', "db.query('SELECT * FROM t WHERE id = ' + id);", true],
    ['sql-query-interpolated', 'db.query(`select ${cols} from t`);', true],
    ['sql-query-interpolated', 'db.query(`title:${term}`);', false],
    ['weak-hash-algorithm', "crypto.createHash('sha256').update(x);", false],
    ['weak-hash-algorithm', "crypto.createHash('MD5');", true],
    // Words of a pattern count in code, not in comments tree-sitter certainly reads as comments.
    ['import-meta-in-cjs', "/** @type {import('jest').Config} */\nmodule.exports = {};", false],
    ['import-meta-in-cjs', "const x = 'a'; /* import.meta */", true], // a quote before it on the line: not certain
    ['import-meta-in-cjs', 'const dir = import.meta.dirname;', true],
    // Non-ASCII in code stops the tokens: everything after is kept.
    ['dynamic-require', "const é = 1;\nconst path = require('path');", true],
    // An unsure regex / division stops them too.
    ['dynamic-require', "if (a) /x/.test(y);\nconst path = require('path');", true],
  ];

  it.each(cases)('%s on %j: kept %s', (id, text, expected) => {
    expect(kept(id, text)).toBe(expected);
    // Whatever the prefilter turns away, napi must not match.
    if (!expected) expect(matches(id, text)).toBe(false);
  });

  it('reads argument lists exactly as tree-sitter does (kind and extent of each argument)', () => {
    const text = "f(a, 'b', `c`, `d${e}`, g(h), i.j, k[0], () => l, (m), n + 'o', !p, q ? r : s, { t }, [u], ...v, new W(x), 1e3, this, null, import.meta.url, y?.z)";
    const ts = tokenize(text, 'TypeScript');
    const args = readArguments(ts, 1)!;
    const napiArgs = parse('TypeScript', text).root().find({ rule: { kind: 'arguments' } })!.children().filter((c: SgNode) => c.isNamed());
    expect(args.map((a) => a.kind)).toEqual(napiArgs.map((n: SgNode) => n.kind()));
    expect(args.map((a) => text.slice(ts.start[a.first], ts.end[a.last]))).toEqual(napiArgs.map((n: SgNode) => n.text()));
  });

  it('takes a quote for a string start only where tree-sitter certainly does', () => {
    // After a name a quote is a syntax error; tree-sitter skips it and reads on as code.
    const ts = codeTokens("const a = 'x';\nm'() { url.parse(y) }'", 'JavaScript');
    expect(ts.complete).toBe(false);
    expect(ts.text.slice(ts.end[ts.count - 1])).toContain('url.parse');
  });
});

/** Programs built around the calls and members the shapes look at, in valid and broken variants. */
const arg = fc.constantFrom(
  "'a'", '"select * from t"', "'SELECT ' + id", '`select ${id} from t`', '`plain`', "'a' + b", "b + 'a'", "(('a'))", 'x', 'fn()', '() => run()',
  'function () { return 1 }', '{ a: 1 }', "[1, 'a']", '...args', "cond ? 'a' : b", '"it\'s"', "'é'", "'\\u00e9'", "'url.parse(x)'", '\'setTimeout("x")\'',
  "'md5'", '`sha1`', "'./x.js'", "'node:url'", "require('url')", 'await x', '/re/', 'a / b', "new Foo('a')", 'x as string', '<T>x', "<a>'x'</a>",
  'this.delayMs', 'resolve', '() => controller.abort()', 'import.meta.url', '`x${`y${z}`}`', "'a\\'b'", 'p => p.q', '(p, q) => p',
);
const callee = fc.constantFrom(
  'setTimeout', 'setInterval', 'require', 'import', 'db.query', 'this.pool.query', 'knex.raw', 'prisma.$queryRawUnsafe', 'child_process.exec', 'exec',
  'execSync', 'crypto.createHash', 'createHash', 'url.parse', 'url.resolve', 'util.isArray', 'util.log', 'util.inspect', '_.merge', 'lodash.defaultsDeep',
  '$.extend', 'Math.random', 'fs.exists', 'process.binding', 'JSON.parse', 'new Function', 'eval', 'vm.runInNewContext',
);
const decoration = fc.constantFrom('', '', '', '(%)', '%?.', '%<T>', '% /* c */ ', '%\n', '% // c\n', 'a?.%', 'new %', 'await %', '%!');
const gap = fc.constantFrom('', '', ' ', '\n', '\r\n', '/* c */ ', '// c\n', ' \t ');
const rest = fc.constantFrom('', '', ', 100', ', opts', ', ...rest', ',', ", 'x'", ', () => y');
const follower = fc.constantFrom(';', ';', '', '\n', '.then(f);', ' + 1;', ')', ',', ' ? a : b;', '[0];', ' /* c */;', ' = 1;', ' x', "'", '.5', ' /y/');
const context = fc.constantFrom(
  (s: string) => s, (s: string) => `const v = ${s}`, (s: string) => `function f() { return ${s} }`, (s: string) => `g(${s}, 1);`, (s: string) => `[${s}];`,
  (s: string) => `x = { k: ${s} };`, (s: string) => `if (${s}) {}`, (s: string) => `\`\${${s}}\`;`, (s: string) => `class C { m() { ${s} } }`,
  (s: string) => `switch (x) { case 1: ${s} }`, (s: string) => `for (${s};;) {}`, (s: string) => `let x (${s})`, (s: string) => `import url from 'url';\n${s}`,
  (s: string) => `const util = require('util');\n${s}`, (s: string) => `x = a / b; ${s}`, (s: string) => `if (a) /re'/.test(b); ${s}`, (s: string) => `<A b={${s}} />`,
  (s: string) => `'use strict';\n${s}`, (s: string) => `export default ${s}`, (s: string) => `@dec(${s}) class Z {}`, (s: string) => `m'() { ${s} }'`,
);
const junk = fc.constantFrom('x ', '@', ')', '(', ';', ',', "'", '`', '"', '/', '/* c */', '// c\n', '\n', '}', '{', ']', '[', '.', '?.', '!', '#', 'é', '\u00a0', '\\', '${', '=>', '1', 'let ', 'url ', '.parse', 'util.');
const statement = fc.record({ c: callee, d: decoration, g1: gap, a: fc.array(arg, { minLength: 0, maxLength: 2 }), r: rest, g2: gap, f: follower, w: context }).map(({ c, d, g1, a, r, g2, f, w }) => {
  const call = `${d ? d.replace('%', c) : c}(${g1}${a.join(', ')}${a.length > 0 ? r : ''}${g2})`;
  return w(`${call}${f}`);
});
const program = fc.tuple(fc.array(statement, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), junk), { maxLength: 2 }), fc.boolean()).map(([parts, edits, crlf]) => {
  let text = parts.join('\n');
  for (const [at, what] of edits) {
    // Next to brackets, dots and commas, where error recovery changes what matches.
    const spots = [...text.matchAll(/[.(),]/g)].map((m) => m.index!);
    const spot = spots.length > 0 ? spots[at % spots.length] + (at % 2) : at % (text.length + 1);
    text = text.slice(0, spot) + what + text.slice(spot);
  }
  return crlf ? text.replace(/\n/g, '\r\n') : text;
});

/** Soundness: a file the prefilter turns away from a rule can never be matched by that rule. */
describe('prefilter soundness', () => {
  const rules = loadScanRules();
  const selector = new RuleSelector(rules, true);
  const plain = withoutShapes(selector);
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
      { numRuns: runs(300) },
    );
    expect(turnedAway).toBeGreaterThan(1000); // the property was exercised, not vacuous
  }, TIMEOUT);

  it('holds for every shipped rule on calls and members in valid and broken variants (comments, line breaks, CRLF, generics, optional chaining, templates, junk)', () => {
    let decisive = 0;
    fc.assert(
      fc.property(program, placement, (text, [path, lang]) => {
        decisive += checkSound(selector, plain, text, path, lang);
      }),
      { numRuns: runs(600) },
    );
    // The shapes did rule files out that the plain literals let through.
    expect(decisive).toBeGreaterThan(20);
  }, TIMEOUT);

  it('holds for call shapes under arbitrary constraints (kind, regex, has, not, any, all, and what it cannot evaluate)', () => {
    const kinds = ['string', 'template_string', 'binary_expression', 'identifier', 'call_expression', 'template_substitution', 'string_fragment', 'comment', 'number', 'arrow_function', 'member_expression', 'parenthesized_expression', 'expression', 'primary_expression', 'ERROR', 'object', 'spread_element', '+'];
    const regexes = ["^'", '^["\'`]', '(?i)^\\s*select', '\\+', '^[a-z]+$', '^\\(', '.', '^x$', "(?i)^[`'\"]?\\s*(select|insert)\\s", '\\bsql\\b', '^(a|b)$', '^.{3}$', '\\$\\{', '(?s)x', '\\x41'];
    const constraint: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
      c: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(...kinds).map((kind) => ({ kind })),
        fc.constantFrom(...regexes).map((regex) => ({ regex })),
        fc.tuple(fc.constantFrom(...kinds), fc.constantFrom(undefined, 'end', 'neighbor')).map(([kind, stopBy]) => ({ has: stopBy ? { kind, stopBy } : { kind } })),
        fc.constantFrom({ has: { field: 'left', kind: 'string' } }, { inside: { kind: 'arguments' } }, { pattern: 'x' }, { nthChild: 1 }),
        tie('c').map((c) => ({ not: c })),
        fc.tuple(tie('c'), tie('c')).map(([a, b]) => ({ any: [a, b] })),
        fc.tuple(tie('c'), tie('c')).map(([a, b]) => ({ all: [a, b] })),
        fc.tuple(fc.constantFrom(...kinds), fc.constantFrom(...regexes)).map(([kind, regex]) => ({ kind, regex })),
      ),
    })).c as fc.Arbitrary<Record<string, unknown>>;
    const ruleText = fc.tuple(fc.constantFrom('f($A)', 'f($A, $$$R)', 'o.f($A)', 'f($X, $A)', 'new F($A)'), constraint);
    const calls = fc.array(fc.tuple(fc.constantFrom('f', 'o.f', 'new F', 'g'), fc.array(arg, { maxLength: 3 }), follower, context), { minLength: 1, maxLength: 3 });
    let decisive = 0;
    fc.assert(
      fc.property(ruleText, calls, fc.array(fc.tuple(fc.nat(), junk), { maxLength: 1 }), placement, ([pattern, c], parts, edits, [path, lang]) => {
        const rule: ScanRule = { ...oneRule(`rule: { pattern: "${pattern}" }`, '[JavaScript, TypeScript, Tsx]'), matcher: { rule: { pattern }, constraints: { A: c } } };
        const selector = new RuleSelector([rule], true);
        let text = parts.map(([name, args, f, w]) => w(`${name}(${args.join(', ')})${f}`)).join('\n');
        for (const [at, what] of edits) text = text.slice(0, at % (text.length + 1)) + what + text.slice(at % (text.length + 1));
        decisive += checkSound(selector, withoutShapes(selector), text, path, lang);
      }),
      { numRuns: runs(500) },
    );
    expect(decisive).toBeGreaterThan(10);
  }, TIMEOUT);

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
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'A', 'B', 'C', 'K', 'S', '_', ' ', '.', 'ſ', '\u212a', 'key', 'abc', '\r'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pattern, text, (re, body) => {
        const source = `/*${body}*/`;
        const found = parse('JavaScript', source).root().findAll({ rule: { kind: 'comment', regex: re } }).length > 0;
        const req = regexRequirement(re);
        if (!requirementHolds(req, source)) expect(found, `${re} on ${JSON.stringify(source)}`).toBe(false);
        // The JavaScript translation used on ASCII argument text agrees with Rust's engine.
        const js = rustRegexToJs(re);
        if (js && /^[\x00-\x7f]*$/.test(source)) expect(js.test(source), `${re} (as ${js}) on ${JSON.stringify(source)}`).toBe(found);
        // A fully anchored regex lists every name it accepts.
        const anchored = `^${re.replace(/^\(\?i\)/, '')}$`;
        const names = regexFullMatches(anchored);
        const word = body.replace(/[^A-Za-z_]/g, '') || 'x';
        if (names && parse('JavaScript', `${word};`).root().findAll({ rule: { kind: 'identifier', regex: anchored } }).length > 0) expect(names).toContain(word);
      }),
      { numRuns: runs(1500) },
    );
  }, TIMEOUT);

  it('holds for alternatives as a whole (some alternative holds wherever the rule matches)', () => {
    for (const rule of rules) {
      for (const example of loadRuleExamples().find((e) => e.id === rule.id)?.invalid ?? []) {
        for (const lang of rule.languages) {
          if (matchSource(lang, example.code, [rule]).length > 0) expect(alternativesHold(ruleAlternatives(rule, lang), example.code, lang), `${rule.id} ${lang}`).toBe(true);
        }
      }
    }
  });
});

describe('tokenizer', () => {
  /** Leaves of tree-sitter's tree, with strings and templates as wholes, comments apart. */
  function leaves(node: SgNode, out: Array<[number, number, string]>): void {
    const kind = String(node.kind());
    if (kind === 'string' || kind === 'template_string' || kind === 'comment' || kind === 'regex' || node.children().length === 0) {
      if (node.range().end.index > node.range().start.index) out.push([node.range().start.index, node.range().end.index, kind]);
      if (kind !== 'template_string' || !node.text().includes('${')) return;
    }
    for (const c of node.children()) if (kind !== 'template_string' || String(c.kind()) === 'template_substitution') leaves(c, out);
  }

  it('splits valid code into the tokens tree-sitter reads, up to where it stops', () => {
    const valid = fc.tuple(fc.array(statement, { minLength: 1, maxLength: 4 }), fc.constantFrom<ScanLanguage>('JavaScript', 'TypeScript', 'Tsx'));
    let compared = 0;
    fc.assert(
      fc.property(valid, ([parts, lang]) => {
        const text = parts.join('\n');
        if (!/^[\x00-\x7f]*$/.test(text)) return; // tree-sitter's offsets are bytes
        const root = parse(lang, text).root();
        if (root.find({ rule: { kind: 'ERROR' } })) return;
        const ts = tokenize(text, lang);
        const treeLeaves: Array<[number, number, string]> = [];
        leaves(root, treeLeaves);
        const known = ts.complete ? text.length : ts.count > 0 ? ts.end[ts.count - 1] : 0;
        const expected = treeLeaves.filter(([s, , k]) => s < known && k !== 'comment' && k !== 'hash_bang_line').map(([s, e]) => `${s}-${e}`);
        const mine: string[] = [];
        for (let n = 0; n < ts.count; n++) {
          const k = ts.kind[n];
          if (k === Tok.TemplateHead || k === Tok.TemplateMiddle || k === Tok.TemplateTail) continue;
          mine.push(`${ts.start[n]}-${ts.end[n]}`);
        }
        const templateParts = treeLeaves.filter(([, , k]) => k === 'template_string').length;
        if (templateParts === 0) expect(mine, text).toEqual(expected);
        else for (const t of mine) expect(expected, text).toContain(t);
        compared++;
      }),
      { numRuns: runs(400) },
    );
    expect(compared).toBeGreaterThan(50);
  }, TIMEOUT);
});
