/**
 * Bundlers and compilers from three kinds of evidence (`catalogs/bundlers.yaml`): declared
 * dependencies, script commands, and config files found by name in the file index. Config files
 * are never opened: their presence is the fact, and presence is what the file index carries.
 */
import { loadCatalog } from '../../tools/catalog';
import { compileEvidenceRules, findEvidence, type EvidenceRule } from '../../tools/catalog-evidence';
import type { PathTest } from '../../tools/glob-set';
import { byCodeUnit } from '../../tools/parse';

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

let compiled: { list: EvidenceRule<BundlerSpec>[]; anyConfigFile: PathTest; maxListed: number } | undefined;

function bundlerRules() {
  if (!compiled) {
    const catalog = loadCatalog<BundlersCatalog>('bundlers');
    const { rules, anyConfigFile } = compileEvidenceRules(catalog.bundlers);
    compiled = { list: rules, anyConfigFile, maxListed: catalog.maxListedConfigFiles };
  }
  return compiled;
}

export function detectBundlers(
  dependencyNames: ReadonlySet<string>,
  scripts: Readonly<Record<string, string>>,
  indexedPaths: readonly string[],
): BundlerFact[] {
  const rules = bundlerRules();
  // One combined test per path picks the few candidate config files; only those are attributed.
  const configCandidates = indexedPaths.filter(rules.anyConfigFile);
  return findEvidence(rules.list, { dependencyNames, scripts, configCandidates })
    .map(({ rule, evidence }) => ({
      name: rule.name,
      kind: rule.spec.kind,
      sources: evidence.sources,
      dependencies: evidence.dependencies,
      scripts: evidence.scripts,
      config_files: evidence.configFiles.slice(0, rules.maxListed),
      config_file_count: evidence.configFiles.length,
    }))
    .sort((a, b) => byCodeUnit(a.name, b.name));
}
