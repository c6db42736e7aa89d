/**
 * Test frameworks from four kinds of evidence: dependencies, package.json config keys, script
 * commands, and framework config files found by name in the file index (never opened for this).
 */
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

/** Script commands are scanned up to this length (regexes over megabytes are wasted work). */
const MAX_SCAN = 4096;

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

export function shallowFirst(a: string, b: string): number {
  return depth(a) - depth(b) || byCodeUnit(a, b);
}

export interface PackageFacts {
  dependencyNames: ReadonlySet<string>;
  topLevelKeys: ReadonlySet<string>;
  scripts: Readonly<Record<string, string>>;
}

export function detectFrameworks(pkg: PackageFacts, indexedPaths: readonly string[]): FrameworkFact[] {
  const catalog = testCatalog();
  const candidates = indexedPaths.filter((p) => catalog.anyConfigFile(p) && !inFolder(p, catalog.ignoreFolders));
  const scriptEntries = Object.entries(pkg.scripts).sort(([a], [b]) => byCodeUnit(a, b));
  const out: FrameworkFact[] = [];
  for (const { name, spec, configFile, script } of catalog.frameworks) {
    const dependencies = spec.packages.filter((p) => pkg.dependencyNames.has(p)).sort(byCodeUnit);
    const keys = spec.packageJsonKeys.filter((k) => pkg.topLevelKeys.has(k)).sort(byCodeUnit);
    const scripts = script ? scriptEntries.filter(([, cmd]) => script.test(cmd.slice(0, MAX_SCAN))).map(([n]) => n) : [];
    const configs = candidates.filter(configFile).sort(shallowFirst);
    const sources = [
      ...(configs.length > 0 ? ['config-file'] : []),
      ...(dependencies.length > 0 ? ['dependency'] : []),
      ...(keys.length > 0 ? ['package-json-key'] : []),
      ...(scripts.length > 0 ? ['script'] : []),
    ];
    if (sources.length === 0) continue;
    out.push({
      name,
      kind: spec.kind,
      sources,
      dependencies,
      package_json_keys: keys,
      scripts,
      config_files: configs.slice(0, catalog.maxListedConfigFiles),
      config_file_count: configs.length,
    });
  }
  return out.sort((a, b) => byCodeUnit(a.name, b.name));
}

/** `npm run x`, `pnpm x`, `yarn run x`, `bun run x`: the script names a command hands over to. */
function referencedScripts(command: string, scripts: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;&|(])(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?(?:--\S+\s+)*([A-Za-z0-9:_.-]+)/g;
  for (const m of command.slice(0, MAX_SCAN).matchAll(re)) {
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
      for (const f of catalog.frameworks) if (f.script?.test(command.slice(0, MAX_SCAN))) found.add(f.name);
      next.push(...referencedScripts(command, scripts));
    }
    frontier = next;
  }
  return [...found].sort(byCodeUnit);
}
