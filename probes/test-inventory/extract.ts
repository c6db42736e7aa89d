/**
 * The test-inventory slice: frameworks, test files per convention, smoke/e2e tests and coverage
 * configuration. Paths come from the file index; contents are read only for the root package.json
 * and the root coverage-bearing configs (the probe's declared inputs).
 */
import { byCodeUnit, isRecord, parseJson } from '../../tools/parse';
import { compareIssues } from '../../tools/issue-order';
import type { ProbeContext, ProbeIssue, ProbeResult } from '../../tools/probe-api';
import { testCatalog } from './catalog';
import {
  istanbulFromData,
  jestFromData,
  jestFromModule,
  jestJsonConfig,
  parseRcFile,
  sortCoverage,
  vitestFromModule,
  type CoverageConfigFact,
} from './coverage';
import { detectFrameworks, frameworksRunByTestScript } from './frameworks';
import { findSmokeTests, inventoryTestFiles } from './test-files';

function issueOf(err: unknown, file: string, fallback = 'unreadable'): ProbeIssue {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : fallback;
  return { code, file, message: `${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
}

interface PackageJson {
  record?: Record<string, unknown>;
  scripts: Record<string, string>;
  dependencyNames: Set<string>;
}

async function readPackageJson(ctx: ProbeContext, errors: ProbeIssue[], warnings: ProbeIssue[]): Promise<PackageJson> {
  const empty: PackageJson = { scripts: {}, dependencyNames: new Set() };
  if (!ctx.files.includes('package.json')) return empty;
  let text: string;
  try {
    text = await ctx.readText('package.json');
  } catch (err) {
    errors.push(issueOf(err, 'package.json'));
    return empty;
  }
  const parsed = parseJson('package.json', text);
  if (!parsed.ok) {
    errors.push(parsed.issue);
    return empty;
  }
  if (!isRecord(parsed.value)) {
    errors.push({ code: 'not-an-object', file: 'package.json', message: 'package.json: not a JSON object' });
    return empty;
  }
  const record = parsed.value;
  const entries: Array<[string, string]> = [];
  if (isRecord(record.scripts)) {
    for (const [name, command] of Object.entries(record.scripts)) {
      if (typeof command === 'string') entries.push([name, command]);
      else warnings.push({ code: 'invalid-field', file: 'package.json', message: `package.json: scripts.${name} is not a string; ignored` });
    }
  }
  // fromEntries defines own properties, so a script named `__proto__` stays a script.
  const scripts = Object.fromEntries(entries);
  const dependencyNames = new Set<string>();
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const group = record[field];
    if (isRecord(group)) for (const name of Object.keys(group)) dependencyNames.add(name);
  }
  return { record, scripts, dependencyNames };
}

/** Coverage settings carried by package.json itself (`jest`, `nyc`, `c8` keys). */
function coverageFromPackageJson(record: Record<string, unknown> | undefined): CoverageConfigFact[] {
  if (!record) return [];
  const out: CoverageConfigFact[] = [];
  if (isRecord(record.jest)) {
    const jest = jestFromData('package.json', record.jest);
    if (jest) out.push(jest);
  }
  if (isRecord(record.nyc)) out.push(istanbulFromData('package.json', 'nyc', record.nyc));
  if (isRecord(record.c8)) out.push(istanbulFromData('package.json', 'c8', record.c8));
  return out;
}

async function coverageFromFile(file: string, text: string, errors: ProbeIssue[]): Promise<CoverageConfigFact | undefined> {
  if (/^\.(nycrc|c8rc)(\.(json|ya?ml))?$/.test(file)) {
    const tool = file.startsWith('.nycrc') ? 'nyc' : 'c8';
    const { value, issue } = parseRcFile(file, text);
    if (issue) errors.push(issue);
    return value ? istanbulFromData(file, tool, value) : undefined;
  }
  if (file === 'jest.config.json') {
    const { value, issue } = jestJsonConfig(file, text);
    if (issue) errors.push(issue);
    return value;
  }
  try {
    if (file.startsWith('jest.config.')) return await jestFromModule(file, text);
    if (file.startsWith('vitest.config.') || file.startsWith('vite.config.')) return await vitestFromModule(file, text);
  } catch (err) {
    errors.push(issueOf(err, file, 'parse-error'));
  }
  return undefined;
}

export async function extractTestInventory(ctx: ProbeContext): Promise<ProbeResult> {
  const index = ctx.fileIndex;
  if (!index) throw new Error('test-inventory probe needs the file index');
  const errors: ProbeIssue[] = [];
  const warnings: ProbeIssue[] = [];
  const catalog = testCatalog();

  const pkg = await readPackageJson(ctx, errors, warnings);
  const frameworks = detectFrameworks(
    { dependencyNames: pkg.dependencyNames, topLevelKeys: new Set(pkg.record ? Object.keys(pkg.record) : []), scripts: pkg.scripts },
    index.files,
  );

  const coverage = coverageFromPackageJson(pkg.record);
  for (const file of ctx.files) {
    if (file === 'package.json') continue;
    let text: string;
    try {
      text = await ctx.readText(file);
    } catch (err) {
      errors.push(issueOf(err, file));
      continue;
    }
    if (text.trim() === '') {
      warnings.push({ code: 'empty-file', file, message: `${file}: empty; no coverage settings in it` });
      continue;
    }
    const found = await coverageFromFile(file, text, errors);
    if (found) coverage.push(found);
  }
  const coverageScripts = Object.keys(pkg.scripts)
    .filter((name) => catalog.coverageScript.test(pkg.scripts[name].slice(0, 4096)))
    .sort(byCodeUnit);

  return {
    slice: {
      frameworks,
      test_script: {
        present: Object.prototype.hasOwnProperty.call(pkg.scripts, 'test'),
        frameworks: frameworksRunByTestScript(pkg.scripts),
      },
      test_files: inventoryTestFiles(index.files, frameworks.map((f) => f.name)),
      smoke_e2e: findSmokeTests(index.files, pkg.scripts),
      coverage: {
        configured: coverage.length > 0 || coverageScripts.length > 0,
        configs: sortCoverage(coverage),
        scripts: coverageScripts,
      },
    },
    errors: errors.sort(compareIssues),
    warnings: warnings.sort(compareIssues),
  };
}
