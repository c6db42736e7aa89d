import { loadCatalog } from '../../tools/catalog';
import { extensionOf } from '../../tools/file-index';
import { byCodeUnit, isRecord, parseJson } from '../../tools/parse';
import { ProbeInputError, type ProbeContext, type ProbeIssue, type ProbeResult } from '../../tools/probe-api';

interface LanguageCatalog {
  languages: Record<string, { kind: string; extensions: string[] }>;
  monorepoMarkers: Array<{ tool: string; file?: string; packageJsonField?: string }>;
}

export async function extractLanguage(ctx: ProbeContext): Promise<ProbeResult> {
  const index = ctx.fileIndex;
  if (!index) throw new Error('language probe needs the file index');
  const catalog = loadCatalog<LanguageCatalog>('languages');
  const languageOf = new Map<string, string>();
  for (const [language, spec] of Object.entries(catalog.languages)) for (const ext of spec.extensions) languageOf.set(ext, language);

  const counts: Record<string, number> = {};
  for (const [ext, paths] of Object.entries(index.byExtension)) {
    const language = languageOf.get(ext);
    if (language) counts[language] = (counts[language] ?? 0) + paths.length;
  }
  const extensions: Record<string, number> = {};
  for (const [ext, paths] of Object.entries(index.byExtension)) if (ext) extensions[ext] = paths.length;

  // Primary: the programming language with most files; ties broken by name so the answer is stable.
  const programming = Object.entries(counts)
    .filter(([language]) => catalog.languages[language].kind === 'programming')
    .sort(([a, x], [b, y]) => y - x || byCodeUnit(a, b));
  const primary = programming.length > 0 ? programming[0][0] : null;

  const errors: ProbeIssue[] = [];
  let workspacesDeclared = false;
  if (ctx.files.includes('package.json')) {
    try {
      const parsed = parseJson('package.json', await ctx.readText('package.json'));
      if (!parsed.ok) errors.push(parsed.issue);
      else if (isRecord(parsed.value) && parsed.value.workspaces !== undefined) workspacesDeclared = true;
    } catch (err) {
      if (!(err instanceof ProbeInputError)) throw err;
      errors.push({ code: err.code, file: err.file, message: err.message });
    }
  }
  const rootFiles = new Set(index.manifests.filter((p) => !p.includes('/')));
  const tools = new Set<string>();
  for (const marker of catalog.monorepoMarkers) {
    if (marker.file && rootFiles.has(marker.file)) tools.add(marker.tool);
    if (marker.packageJsonField === 'workspaces' && workspacesDeclared) {
      // Which client owns package.json#workspaces is told by the lockfile beside it.
      tools.add(rootFiles.has('yarn.lock') ? 'yarn-workspaces' : rootFiles.has('bun.lock') || rootFiles.has('bun.lockb') ? 'bun-workspaces' : marker.tool);
    }
  }
  const packageJsonCount = index.manifests.filter((p) => p === 'package.json' || p.endsWith('/package.json')).length;
  const projectJsonCount = index.manifests.filter((p) => p === 'project.json' || p.endsWith('/project.json')).length;
  // Nx or Turborepo alone orchestrate a single package just as well: a monorepo is declared
  // workspaces (or a workspace-only tool), or several packages/projects side by side.
  const declaresWorkspaces = [...tools].some((t) => t.endsWith('-workspaces') || t === 'lerna' || t === 'rush');
  const isMonorepo = declaresWorkspaces || packageJsonCount > 1 || projectJsonCount > 1;

  return {
    slice: {
      total_files: index.files.length,
      excluded_noise_files: index.excludedCount,
      languages: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => byCodeUnit(a, b))),
      extensions,
      primary_language: primary,
      monorepo: {
        is_monorepo: isMonorepo,
        tools: [...tools].sort(byCodeUnit),
        package_json_count: packageJsonCount,
      },
    },
    errors,
  };
}
