/**
 * Bundlers and compilers from three kinds of evidence (`catalogs/bundlers.yaml`): declared
 * dependencies, script commands, and config files found by name in the file index. Config files
 * are never opened: their presence is the fact, and presence is what the file index carries.
 */
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';
import { anyPattern, globSet, type PathTest } from './glob-set';

interface BundlerSpec {
  kind: string;
  packages: string[];
  configFiles: string[];
  scripts: string[];
}

interface BundlersCatalog {
  maxListedConfigFiles: number;
  bundlers: Record<string, BundlerSpec>;
}

export interface BundlerFact {
  name: string;
  kind: string;
  /** Which kinds of evidence were found, sorted: `config-file`, `dependency`, `script`. */
  sources: string[];
  dependencies: string[];
  scripts: string[];
  /** Sorted shallowest first, then by code unit, cut at the catalog's limit; the count is complete. */
  config_files: string[];
  config_file_count: number;
}

interface CompiledBundler {
  name: string;
  spec: BundlerSpec;
  configFile: PathTest;
  script: RegExp | undefined;
}

let compiled: { list: CompiledBundler[]; anyConfigFile: PathTest; maxListed: number } | undefined;

function bundlerRules() {
  if (!compiled) {
    const catalog = loadCatalog<BundlersCatalog>('bundlers');
    const list = Object.entries(catalog.bundlers).map(([name, spec]) => ({
      name,
      spec,
      configFile: globSet(spec.configFiles),
      script: anyPattern(spec.scripts),
    }));
    compiled = {
      list,
      anyConfigFile: globSet(Object.values(catalog.bundlers).flatMap((s) => s.configFiles)),
      maxListed: catalog.maxListedConfigFiles,
    };
  }
  return compiled;
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

export function detectBundlers(
  dependencyNames: ReadonlySet<string>,
  scripts: Readonly<Record<string, string>>,
  indexedPaths: readonly string[],
): BundlerFact[] {
  const rules = bundlerRules();
  // One combined test per path picks the few candidate config files; only those are attributed.
  const candidates = indexedPaths.filter(rules.anyConfigFile);
  const scriptEntries = Object.entries(scripts).sort(([a], [b]) => byCodeUnit(a, b));
  const out: BundlerFact[] = [];
  for (const { name, spec, configFile, script } of rules.list) {
    const dependencies = spec.packages.filter((p) => dependencyNames.has(p)).sort(byCodeUnit);
    const scriptNames = script ? scriptEntries.filter(([, cmd]) => script.test(cmd.slice(0, 4096))).map(([n]) => n) : [];
    const configs = candidates.filter(configFile).sort(shallowFirst);
    const sources = [
      ...(configs.length > 0 ? ['config-file'] : []),
      ...(dependencies.length > 0 ? ['dependency'] : []),
      ...(scriptNames.length > 0 ? ['script'] : []),
    ];
    if (sources.length === 0) continue;
    out.push({
      name,
      kind: spec.kind,
      sources,
      dependencies,
      scripts: scriptNames,
      config_files: configs.slice(0, rules.maxListed),
      config_file_count: configs.length,
    });
  }
  return out.sort((a, b) => byCodeUnit(a.name, b.name));
}
