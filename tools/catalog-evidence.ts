/**
 * Tools a catalog names (bundlers, test frameworks) recognised by the evidence a repository holds
 * for them: declared dependencies, top-level package.json keys, script commands, and config files
 * found by name in the file index. Config files are never opened: their presence is the fact.
 * Shared by the build-system and test-inventory probes.
 */
import { anyPattern, globSet, type PathTest } from './glob-set';
import { byCodeUnit } from './parse';

/** The evidence fields of a catalog entry; the rest of the entry is the probe's own. */
export interface EvidenceSpec {
  packages: string[];
  configFiles: string[];
  /** Regular-expression sources matched against script commands. */
  scripts: string[];
  packageJsonKeys?: string[];
}

export interface EvidenceRule<S extends EvidenceSpec> {
  name: string;
  spec: S;
  configFile: PathTest;
  script: RegExp | undefined;
}

/** Each entry's matchers, compiled once, plus one test that picks every entry's candidate config files. */
export function compileEvidenceRules<S extends EvidenceSpec>(entries: Record<string, S>): { rules: EvidenceRule<S>[]; anyConfigFile: PathTest } {
  return {
    rules: Object.entries(entries).map(([name, spec]) => ({ name, spec, configFile: globSet(spec.configFiles), script: anyPattern(spec.scripts) })),
    anyConfigFile: globSet(Object.values(entries).flatMap((s) => s.configFiles)),
  };
}

/** Script commands are scanned up to this length (regexes over megabytes are wasted work). */
export const MAX_SCRIPT_SCAN = 4096;

export interface RepositoryEvidence {
  dependencyNames: ReadonlySet<string>;
  topLevelKeys?: ReadonlySet<string>;
  scripts: Readonly<Record<string, string>>;
  /** Indexed paths that may be config files, already narrowed (e.g. by `anyConfigFile`). */
  configCandidates: readonly string[];
}

export interface Evidence {
  /** Which kinds were found, sorted: `config-file`, `dependency`, `package-json-key`, `script`. */
  sources: string[];
  dependencies: string[];
  packageJsonKeys: string[];
  /** Names of the scripts whose command matched, in code-unit order. */
  scripts: string[];
  /** Every matching config file, shallowest first (see `shallowFirst`); callers cut the list. */
  configFiles: string[];
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/** Shallow first (the project's own config before test cases' configs), then code-unit order. */
export function shallowFirst(a: string, b: string): number {
  return depth(a) - depth(b) || byCodeUnit(a, b);
}

/** The rules with any evidence, in rule order, each with what was found. */
export function findEvidence<S extends EvidenceSpec>(
  rules: readonly EvidenceRule<S>[],
  repo: RepositoryEvidence,
): Array<{ rule: EvidenceRule<S>; evidence: Evidence }> {
  const scriptEntries = Object.entries(repo.scripts).sort(([a], [b]) => byCodeUnit(a, b));
  const found: Array<{ rule: EvidenceRule<S>; evidence: Evidence }> = [];
  for (const rule of rules) {
    const { spec, configFile, script } = rule;
    const dependencies = spec.packages.filter((p) => repo.dependencyNames.has(p)).sort(byCodeUnit);
    const keys = (spec.packageJsonKeys ?? []).filter((k) => repo.topLevelKeys?.has(k) ?? false).sort(byCodeUnit);
    const scripts = script ? scriptEntries.filter(([, cmd]) => script.test(cmd.slice(0, MAX_SCRIPT_SCAN))).map(([n]) => n) : [];
    const configFiles = repo.configCandidates.filter(configFile).sort(shallowFirst);
    const sources = [
      ...(configFiles.length > 0 ? ['config-file'] : []),
      ...(dependencies.length > 0 ? ['dependency'] : []),
      ...(keys.length > 0 ? ['package-json-key'] : []),
      ...(scripts.length > 0 ? ['script'] : []),
    ];
    if (sources.length > 0) found.push({ rule, evidence: { sources, dependencies, packageJsonKeys: keys, scripts, configFiles } });
  }
  return found;
}
