/** `catalogs/test-frameworks.yaml`, typed and compiled once per process. */
import { loadCatalog } from '../../tools/catalog';
import { compileEvidenceRules, type EvidenceRule } from '../../tools/catalog-evidence';
import { globSet, type PathTest } from '../../tools/glob-set';

export interface FrameworkSpec {
  kind: string;
  packages: string[];
  packageJsonKeys: string[];
  configFiles: string[];
  scripts: string[];
  testFiles: string[];
}

interface TestFrameworksCatalog {
  frameworks: Record<string, FrameworkSpec>;
  conventions: Record<string, string>;
  suffixRule: string;
  ignoreFolders: string[];
  smokeWords: string[];
  testFolders: string[];
  coverageScript: string;
  maxListedPaths: number;
  maxListedConfigFiles: number;
}

export interface CompiledFramework extends EvidenceRule<FrameworkSpec> {
  testFile: PathTest;
}

export interface CompiledCatalog {
  frameworks: CompiledFramework[];
  anyConfigFile: PathTest;
  conventions: Array<{ name: string; re: RegExp }>;
  suffixRule: RegExp;
  ignoreFolders: ReadonlySet<string>;
  smokeWords: ReadonlySet<string>;
  testFolders: ReadonlySet<string>;
  coverageScript: RegExp;
  maxListedPaths: number;
  maxListedConfigFiles: number;
}

let compiled: CompiledCatalog | undefined;

export function testCatalog(): CompiledCatalog {
  if (!compiled) {
    const c = loadCatalog<TestFrameworksCatalog>('test-frameworks');
    const { rules, anyConfigFile } = compileEvidenceRules(c.frameworks);
    compiled = {
      frameworks: rules.map((rule) => ({ ...rule, testFile: globSet(rule.spec.testFiles) })),
      anyConfigFile,
      conventions: Object.entries(c.conventions).map(([name, pattern]) => ({ name, re: new RegExp(pattern) })),
      suffixRule: new RegExp(c.suffixRule),
      ignoreFolders: new Set(c.ignoreFolders),
      smokeWords: new Set(c.smokeWords.map((w) => w.toLowerCase())),
      testFolders: new Set(c.testFolders),
      coverageScript: new RegExp(c.coverageScript),
      maxListedPaths: c.maxListedPaths,
      maxListedConfigFiles: c.maxListedConfigFiles,
    };
  }
  return compiled;
}

/** True when a folder of `path` (not its basename) is one of `folders` (`fixtures`, `test`, ...). */
export function inFolder(path: string, folders: ReadonlySet<string>): boolean {
  let start = 0;
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', start)) {
    if (folders.has(path.slice(start, slash))) return true;
    start = slash + 1;
  }
  return false;
}
