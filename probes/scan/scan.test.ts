import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import probe from './index';
import { runScan, type ScanDeps, type ScanFinding } from './scan';
import { parseRuleFile, loadScanRules } from './rules';
import { excerptOf, maskStringLiterals, EXCERPT_MAX } from './match-file';
import { loadSkipSettings, skipReason } from './file-triage';
import { runProbeInMemory, memorySource } from '../../tools/testing';
import { createProbeContext, inputMatcher } from '../../tools/probe-context';
import { fileIndexCatalog } from '../../tools/file-index';
import { byCodeUnit } from '../../tools/parse';
import type { ProbeResult } from '../../tools/probe-api';

const REPOS = join(__dirname, '../../fixtures/scan-rules/repos');
const schema = JSON.parse(readFileSync(join(__dirname, '../../schemas/slices/scan.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const fixtureRepos = readdirSync(REPOS).filter((n) => statSync(join(REPOS, n)).isDirectory()).sort();

/** Runs the probe body with test-only dependencies (forced worker use, injected rules or clock). */
async function scan(tree: Record<string, string | Buffer>, scanOptions: Record<string, unknown> = {}, deps: ScanDeps = {}, maxFileBytes?: number): Promise<ProbeResult> {
  const ctx = createProbeContext({ probe, files: Object.keys(tree), source: memorySource(tree), options: { scan: scanOptions }, maxFileBytes });
  return runScan(ctx, { env: {}, minFilesPerWorker: 1, ...deps });
}

function findingsOf(result: ProbeResult): ScanFinding[] {
  return result.slice.findings as ScanFinding[];
}

function expectValid(slice: unknown): void {
  const ok = validate(slice);
  expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
}

describe('scan probe registration', () => {
  it('is heavy and declares JS/TS sources minus noise folders and declarations', () => {
    expect(probe.heaviness).toBe('heavy');
    const matches = inputMatcher(probe.inputs);
    for (const p of ['src/a.js', 'a.jsx', 'lib/b.mjs', 'c.cjs', 'src/d.ts', 'e.tsx', 'f.mts', 'g.cts', 'public/vendor/x.min.js']) expect(matches(p), p).toBe(true);
    for (const p of ['node_modules/x/index.js', 'dist/a.js', 'build/b.js', 'types/env.d.ts', 'a.d.mts', '.yarn/releases/yarn-4.cjs', '.pnp.cjs', 'README.md', 'src/a.json', 'src/A.JS']) {
      expect(matches(p), p).toBe(false);
    }
  });

  it('excludes every noise folder of the file index, root-only ones at the root only', () => {
    const matches = inputMatcher(probe.inputs);
    for (const dir of fileIndexCatalog().noiseDirs) {
      if (dir.startsWith('/')) {
        expect(matches(`${dir.slice(1)}/x.ts`), dir).toBe(false);
        expect(matches(`test/units${dir}/x.ts`), dir).toBe(true);
      } else {
        expect(matches(`${dir}/x.ts`), dir).toBe(false);
        expect(matches(`pkg/${dir}/x.ts`), dir).toBe(false);
      }
    }
  });
});

describe.each(fixtureRepos)('fixture repository %s', (name) => {
  const tree = readTree(join(REPOS, name));
  const expected = JSON.parse(readFileSync(join(REPOS, `${name}.expected.json`), 'utf8'));

  it('reports the expected findings and file counts, and a schema-valid slice', async () => {
    const result = await runProbeInMemory(probe, tree, { options: { scan: { jobs: 1 } } });
    expect(result.errors).toEqual([]);
    expectValid(result.slice);
    expect(result.slice.files).toEqual(expected.files);
    expect(findingsOf(result).map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toEqual(expected.findings);
  });

  it('gives the same slice with 1 and 2 jobs, with and without the prefilter', async () => {
    const one = await scan(tree, { jobs: 1 });
    const two = await scan(tree, { jobs: 2 });
    const unfiltered = await scan(tree, { jobs: 2, prefilter: false });
    expect(two.stats?.workers).toBe(1); // jobs counts parsing threads: this one plus one worker
    expect(JSON.stringify(two.slice)).toBe(JSON.stringify(one.slice));
    expect(JSON.stringify(unfiltered.slice)).toBe(JSON.stringify(one.slice));
    expect(unfiltered.stats?.prefilter).toMatchObject({ enabled: false, skipped: 0 });
  });
});

describe('findings', () => {
  it('are sorted by file, line, column and rule id, with summaries that add up', async () => {
    const tree = readTree(join(REPOS, 'legacy-billing'));
    const result = await scan(tree, { jobs: 1 });
    const findings = findingsOf(result);
    const sorted = [...findings].sort((a, b) => byCodeUnit(a.file, b.file) || a.line - b.line || a.column - b.column || byCodeUnit(a.rule, b.rule));
    expect(findings).toEqual(sorted);
    const summary = result.slice.summary as { total: number; by_severity: Record<string, number>; by_rule: Record<string, { count: number }> };
    expect(summary.total).toBe(findings.length);
    expect(Object.values(summary.by_severity).reduce((a, b) => a + b, 0)).toBe(findings.length);
    expect(Object.values(summary.by_rule).reduce((a, b) => a + b.count, 0)).toBe(findings.length);
  });

  it('never repeat a hard-coded secret, and keep excerpts to one short line', async () => {
    const result = await scan(
      {
        'src/config.ts': "export const db = {\n  user: 'app',\n  password: 'correct-horse-battery-staple',\n};\nconst apiKey = \"sk_live_51HxQ2eLk9wQ\";\n",
        'src/keys.js': "const key = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END PRIVATE KEY-----`;\n",
      },
      { jobs: 1 },
    );
    const text = JSON.stringify(result.slice);
    for (const secret of ['correct-horse-battery-staple', 'sk_live_51HxQ2eLk9wQ', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ']) expect(text).not.toContain(secret);
    expect(findingsOf(result).map((f) => f.rule)).toEqual(['hardcoded-credential', 'hardcoded-credential', 'hardcoded-private-key']);
    expect(findingsOf(result)[0].excerpt).toBe("password: '***'");
  });

  it('excerpts: whitespace collapsed, at most 120 code points, strings masked to the end of an unterminated one', () => {
    expect(excerptOf('a(\n   b,\t c)', false)).toBe('a( b, c)');
    const long = excerptOf(`f(${'😀'.repeat(200)})`, false);
    expect(Array.from(long)).toHaveLength(EXCERPT_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(maskStringLiterals(`x = 'a\\'b' + "c" + \`d\${e}\` + 'open`)).toBe("x = '***' + \"***\" + `***` + '***");
  });
});

describe('prefilter', () => {
  const rulesYaml = [
    'id: debugger-statement', 'languages: [JavaScript, TypeScript]', 'severity: info', 'message: debugger left in', 'metadata: { category: hygiene }',
    'rule: { kind: debugger_statement }',
    '---',
    'id: no-eval', 'languages: [JavaScript, TypeScript]', 'severity: error', 'message: eval', 'metadata: { category: code-execution }',
    'rule: { pattern: eval($$$A) }',
  ].join('\n');
  const { rules, problems } = parseRuleFile('test.yaml', rulesYaml);

  it('never skips a file for a rule without literals, and skips files lacking every literal otherwise', async () => {
    expect(problems).toEqual([]);
    const tree = { 'a.js': 'function f() { debugger; }', 'b.ts': 'export const x = 1;', 'c.js': 'eval(code)' };
    const withLiteralFree = await scan(tree, { jobs: 1 }, { rules });
    expect(findingsOf(withLiteralFree).map((f) => `${f.file} ${f.rule}`)).toEqual(['a.js debugger-statement', 'c.js no-eval']);
    expect(withLiteralFree.stats?.prefilter).toMatchObject({ total_files: 3, passed: 3, skipped: 0 });

    const literalOnly = await scan(tree, { jobs: 1 }, { rules: rules.filter((r) => r.id === 'no-eval') });
    expect(findingsOf(literalOnly).map((f) => f.file)).toEqual(['c.js']);
    expect(literalOnly.stats?.prefilter).toMatchObject({ enabled: true, total_files: 3, passed: 1, skipped: 2 });
    expect(literalOnly.stats?.parsed_files).toBe(1);
  });

  it('can be switched off, which parses every file and changes nothing in the slice', async () => {
    const tree = { 'a.js': 'const a = 1;', 'b.js': 'eval(x)' };
    const on = await scan(tree, { jobs: 1 }, { rules: rules.filter((r) => r.id === 'no-eval') });
    const off = await scan(tree, { jobs: 1, prefilter: false }, { rules: rules.filter((r) => r.id === 'no-eval') });
    expect(off.stats?.parsed_files).toBe(2);
    expect(on.stats?.parsed_files).toBe(1);
    expect(off.slice).toEqual(on.slice);
  });
});

describe('options', () => {
  const tree = { 'a.ts': 'eval(a)', 'b.js': 'eval(b)', 'c.tsx': 'eval(c)', 'd.mjs': 'eval(d)' };

  it('`only` limits the scanned languages and counts what it left out', async () => {
    const result = await scan(tree, { jobs: 1, only: ['ts'] });
    expect(findingsOf(result).map((f) => f.file)).toEqual(['a.ts', 'c.tsx']);
    expect(result.slice.language_filter).toEqual(['ts']);
    expect(result.slice.files).toMatchObject({ total: 4, scanned: 2, skipped: { language_filter: 2 } });
    const js = await scan(tree, { jobs: 1, only: 'js,tsx' });
    expect(findingsOf(js).map((f) => f.file)).toEqual(['b.js', 'c.tsx', 'd.mjs']);
  });

  it('CODEGENIE_JOBS overrides jobs; 0 means one per CPU; bad values warn and fall back', async () => {
    const ctx = createProbeContext({ probe, files: Object.keys(tree), source: memorySource(tree), options: { scan: { jobs: 4 } } });
    expect((await runScan(ctx, { env: { CODEGENIE_JOBS: '1' } })).stats?.jobs).toBe(1);
    expect((await runScan(ctx, { env: { CODEGENIE_JOBS: '0' } })).stats?.jobs).toBeGreaterThanOrEqual(1);
    const bad = await scan(tree, { jobs: -3, only: ['cobol'], prefilter: 'yes', maxFileBytes: 0 });
    expect(bad.warnings?.map((w) => w.message).join('\n')).toMatch(/jobs must be a non-negative integer[\s\S]*prefilter must be true or false[\s\S]*unknown languages in only: cobol[\s\S]*maxFileBytes/);
    expect(findingsOf(bad)).toHaveLength(4);
  });
});

describe('skipped files', () => {
  const settings = loadSkipSettings();

  it('classifies minified, generated, binary and oversized files without parsing them', () => {
    expect(skipReason('a.min.js', 'eval(x)', settings)).toBe('minified');
    expect(skipReason('a.js', `var a=${'1+'.repeat(6000)}1;`, settings)).toBe('minified');
    expect(skipReason('a.js', Array.from({ length: 20 }, () => 'x'.repeat(400)).join('\n'), settings)).toBe('minified');
    expect(skipReason('a.ts', '/* eslint-disable */\n// @generated by protoc\nexport {}', settings)).toBe('generated');
    expect(skipReason('a.js', 'exports.x = 1;\n//# sourceMappingURL=a.js.map\n', settings)).toBe('generated');
    expect(skipReason('a.js', 'const a = 1;\u0000', settings)).toBe('binary');
    expect(skipReason('a.js', 'x'.repeat(2000), settings, 1000)).toBe('too_large');
    expect(skipReason('a.js', 'é'.repeat(600), settings, 1000)).toBe('too_large'); // 1200 bytes of UTF-8
    expect(skipReason('a.js', 'const url = "https://example.com/a#x";\n'.repeat(50), settings)).toBeUndefined();
  });

  it('counts files over the scan limit and over the coordinator limit as too large', async () => {
    const tree = { 'big.js': `// big\n${'eval(x);\n'.repeat(300)}`, 'huge.js': 'eval(y);\n'.repeat(500), 'ok.js': 'eval(z)' };
    const result = await scan(tree, { jobs: 1, maxFileBytes: 2000 }, {}, 4000);
    expect(result.slice.files).toMatchObject({ scanned: 1, skipped: { too_large: 2 } });
    expect(findingsOf(result).map((f) => f.file)).toEqual(['ok.js']);
    expect(result.errors).toEqual([]);
  });

  it('reports an unreadable file without its absolute path and scans the rest', async () => {
    const tree = { 'a.js': 'eval(a)', 'b.js': 'eval(b)' };
    const source = memorySource(tree);
    const failing = {
      size: source.size,
      read: async (p: string) => {
        if (p === 'b.js') throw Object.assign(new Error('EACCES: permission denied, open /home/ci/repo/b.js'), { code: 'EACCES' });
        return source.read(p);
      },
    };
    const ctx = createProbeContext({ probe, files: Object.keys(tree), source: failing, options: { scan: { jobs: 1 } } });
    const result = await runScan(ctx, { env: {} });
    expect(result.errors).toEqual([{ code: 'read-error', file: 'b.js', message: 'b.js: could not be read (EACCES)' }]);
    expect(findingsOf(result).map((f) => f.file)).toEqual(['a.js']);
    expect(result.slice.files).toMatchObject({ scanned: 1, skipped: { unreadable: 1 } });
  });

  it('never throws on arbitrary bytes, odd text or huge input, and stays schema-valid and deterministic', async () => {
    const rules = loadScanRules();
    const seeds = rules.length > 0 ? readFileSync(join(REPOS, 'legacy-billing/src/server.js')) : Buffer.alloc(0);
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s, 'utf8')),
      fc.tuple(fc.nat(seeds.length), fc.nat(seeds.length), fc.uint8Array({ maxLength: 20 })).map(([a, b, junk]) =>
        Buffer.concat([seeds.subarray(0, Math.min(a, b)), Buffer.from(junk), seeds.subarray(Math.max(a, b))]),
      ),
      fc.constantFrom(Buffer.from('\uFEFFeval(x)\r\n'), Buffer.from('(((((('.repeat(3000)), Buffer.from('`${'.repeat(500)), Buffer.alloc(3000, 0)),
    );
    const name = fc.constantFrom('a.js', 'b.ts', 'c.tsx', 'd.mjs', 'e.cts', 'f.jsx', 'g.min.js', 'h.mts');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, content, { maxKeys: 4 }), async (tree) => {
        const a = await scan(tree, { jobs: 1 }, {}, 6000);
        expectValid(a.slice);
        expect(a.errors).toEqual([]);
        const b = await scan(tree, { jobs: 1, prefilter: false }, {}, 6000);
        expect(JSON.stringify(b.slice)).toBe(JSON.stringify(a.slice));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
