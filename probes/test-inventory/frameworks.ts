/**
 * Test frameworks from four kinds of evidence: dependencies, package.json config keys, script
 * commands, and framework config files found by name in the file index (never opened for this).
 */
import { findEvidence, MAX_SCRIPT_SCAN } from '../../tools/catalog-evidence';
import { byCodeUnit } from '../../tools/parse';
import { inFolder, testCatalog } from './catalog';

export interface FrameworkFact {
  name: string;
  kind: string;
  /** Sorted: `config-file`, `dependency`, `package-json-key`, `script`. */
  sources: string[];
  dependencies: string[];
  package_json_keys: string[];
  scripts: string[];
  /** Shallowest first, then code-unit order; cut at the catalog limit. The count is complete. */
  config_files: string[];
  config_file_count: number;
}

export interface PackageFacts {
  dependencyNames: ReadonlySet<string>;
  topLevelKeys: ReadonlySet<string>;
  scripts: Readonly<Record<string, string>>;
}

export function detectFrameworks(pkg: PackageFacts, indexedPaths: readonly string[]): FrameworkFact[] {
  const catalog = testCatalog();
  const configCandidates = indexedPaths.filter((p) => catalog.anyConfigFile(p) && !inFolder(p, catalog.ignoreFolders));
  const { dependencyNames, topLevelKeys, scripts } = pkg;
  return findEvidence(catalog.frameworks, { dependencyNames, topLevelKeys, scripts, configCandidates })
    .map(({ rule, evidence }) => ({
      name: rule.name,
      kind: rule.spec.kind,
      sources: evidence.sources,
      dependencies: evidence.dependencies,
      package_json_keys: evidence.packageJsonKeys,
      scripts: evidence.scripts,
      config_files: evidence.configFiles.slice(0, catalog.maxListedConfigFiles),
      config_file_count: evidence.configFiles.length,
    }))
    .sort((a, b) => byCodeUnit(a.name, b.name));
}

/** `npm run x`, `pnpm x`, `yarn run x`, `bun run x`: the script names a command hands over to. */
function referencedScripts(command: string, scripts: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;&|(])(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?(?:--\S+\s+)*([A-Za-z0-9:_.-]+)/g;
  for (const m of command.slice(0, MAX_SCRIPT_SCAN).matchAll(re)) {
    if (Object.prototype.hasOwnProperty.call(scripts, m[1])) out.push(m[1]);
  }
  return out;
}

/**
 * The frameworks `npm test` ends up running: the `test` script's command and the scripts it hands
 * over to (`yarn test:base`), followed a few levels deep. Empty when there is no `test` script.
 */
export function frameworksRunByTestScript(scripts: Readonly<Record<string, string>>): string[] {
  if (!Object.prototype.hasOwnProperty.call(scripts, 'test')) return [];
  const catalog = testCatalog();
  const found = new Set<string>();
  const seen = new Set<string>();
  let frontier = ['test'];
  for (let level = 0; level < 5 && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const name of frontier) {
      if (seen.has(name)) continue;
      seen.add(name);
      const command = scripts[name];
      for (const f of catalog.frameworks) if (f.script?.test(command.slice(0, MAX_SCRIPT_SCAN))) found.add(f.name);
      next.push(...referencedScripts(command, scripts));
    }
    frontier = next;
  }
  return [...found].sort(byCodeUnit);
}
