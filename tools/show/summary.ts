/**
 * The newcomer's summary of a gathered context: built from the probes' slices (raw/<probe>.json)
 * and the hot views (views.json), never from the repository itself. Every field tolerates a
 * probe that did not run or an older slice shape: what is not known is `null` or empty, and the
 * text says "unknown" rather than guessing.
 */

type Json = Record<string, unknown>;

export interface ShowSummary {
  codegenie: { version: string | null; schema_version: number | null };
  package_manager: { name: string | null; version: string | null; source: string | null; lockfile: string | null };
  node: { constraints: Array<{ source: string; file: string; value: string }>; consistent: boolean | null };
  languages: { primary: string | null; total_files: number | null };
  monorepo: { is_monorepo: boolean; tools: string[]; globs: string[]; package_json_count: number | null; packages: Array<{ name: string | null; version: string | null; dir: string }> };
  frameworks: Array<{ name: string; versions: string[] }>;
  entrypoint: { kind: string | null; main: string | null; start_script: string | null };
  tests: { frameworks: Array<{ name: string; kind: string }>; test_files: number | null; by_framework: Record<string, number>; coverage_configured: boolean | null };
  ci: { systems: string[]; pipelines: number; node_versions: string[] };
  deployment: { detected: string[]; node_majors: number[] };
  vulnerabilities: { total: number | null; by_severity: Record<string, number> };
  risk_flags: { counts: Record<string, number>; flags: Array<{ severity: string; id: string; category: string; message: string }> };
  confidence: { overall: string | null; index_health: string | null; error_count: number | null; low_confidence_probes: string[] };
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

export function buildSummary(slices: Record<string, Json | undefined>, views: Json, header: Json): ShowSummary {
  const buildSystem = obj(slices['build-system']);
  const manifest = obj(slices.manifest);
  const language = obj(slices.language);
  const tests = obj(slices['test-inventory']);
  const ci = obj(slices.ci);
  const deployment = obj(slices.deployment);
  const vulns = obj(obj(slices.vulnerabilities).counts);
  const pm = obj(buildSystem.package_manager);
  const node = obj(buildSystem.node);
  const monorepo = obj(language.monorepo);
  const workspaces = obj(manifest.workspaces);
  const entry = obj(views.entrypoint);
  const confidence = obj(views.confidence_summary);

  const flags = arr(views.risk_flags)
    .map(obj)
    .map((f) => ({ severity: str(f.severity) ?? 'info', id: str(f.id) ?? '', category: str(f.category) ?? '', message: str(f.message) ?? '' }))
    .sort((a, b) => SEVERITIES.indexOf(a.severity as never) - SEVERITIES.indexOf(b.severity as never) || a.id.localeCompare(b.id));
  const counts: Record<string, number> = {};
  for (const s of SEVERITIES) counts[s] = flags.filter((f) => f.severity === s).length;

  return {
    codegenie: { version: str(header.version), schema_version: num(header.schema_version) },
    package_manager: {
      name: str(pm.name),
      version: str(pm.version),
      source: str(pm.source),
      lockfile: str(manifest.root_lockfile),
    },
    node: {
      constraints: arr(node.constraints)
        .map(obj)
        .map((c) => ({ source: str(c.source) ?? '', file: str(c.file) ?? '', value: str(c.value) ?? '' })),
      consistent: typeof node.consistent === 'boolean' ? node.consistent : null,
    },
    languages: { primary: str(language.primary_language), total_files: num(language.total_files) },
    monorepo: {
      is_monorepo: monorepo.is_monorepo === true,
      tools: strings(monorepo.tools),
      globs: strings(workspaces.globs),
      package_json_count: num(monorepo.package_json_count) ?? num(manifest.package_json_count),
      packages: arr(manifest.packages)
        .map(obj)
        .filter((p) => p.role === 'workspace')
        .map((p) => ({ name: str(p.name), version: str(p.version), dir: str(p.dir) ?? '' })),
    },
    frameworks: arr(manifest.frameworks)
      .map(obj)
      .map((f) => ({ name: str(f.name) ?? str(f.id) ?? '?', versions: strings(f.locked_versions) })),
    entrypoint: { kind: str(entry.kind), main: str(entry.main), start_script: str(entry.start_script) },
    tests: {
      frameworks: arr(tests.frameworks)
        .map(obj)
        .map((f) => ({ name: str(f.name) ?? '?', kind: str(f.kind) ?? '?' })),
      test_files: num(obj(tests.test_files).count),
      by_framework: Object.fromEntries(Object.entries(obj(obj(tests.test_files).by_framework)).filter((e): e is [string, number] => typeof e[1] === 'number')),
      coverage_configured: typeof obj(tests.coverage).configured === 'boolean' ? (obj(tests.coverage).configured as boolean) : null,
    },
    ci: { systems: strings(ci.systems), pipelines: arr(ci.pipelines).length, node_versions: strings(ci.node_versions) },
    deployment: { detected: strings(deployment.detected), node_majors: arr(deployment.node_majors).filter((n): n is number => typeof n === 'number') },
    vulnerabilities: {
      total: slices.vulnerabilities ? num(vulns.total) : null,
      by_severity: Object.fromEntries(Object.entries(obj(vulns.by_severity)).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)),
    },
    risk_flags: { counts, flags },
    confidence: {
      overall: str(confidence.overall),
      index_health: str(confidence.index_health),
      error_count: num(confidence.error_count),
      low_confidence_probes: strings(confidence.low_confidence_probes),
    },
  };
}

const MAX_LISTED = 12;

function list(items: string[], none = 'none'): string {
  if (items.length === 0) return none;
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown}, +${items.length - MAX_LISTED} more` : shown;
}

/** The text a newcomer reads first: one labelled line per topic, details indented below. */
export function formatSummary(s: ShowSummary, title: string): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(17)} ${value}`);
  const sub = (value: string) => lines.push(`${' '.repeat(18)}${value}`);

  lines.push(`${title}${s.codegenie.version ? `  (gathered by codegenie ${s.codegenie.version})` : ''}`, '');

  const pm = s.package_manager;
  const pmText = pm.name ? `${pm.name}${pm.version ? ` ${pm.version}` : ' (version not pinned)'}${pm.source ? `, from ${pm.source}` : ''}` : 'unknown';
  row('Package manager', `${pmText}; root lockfile: ${pm.lockfile ?? 'none'}`);

  const node = s.node.constraints.map((c) => `${c.value} (${c.source}${c.file && c.file !== c.source ? `, ${c.file}` : ''})`);
  row('Node', `${list(node, 'no constraint declared')}${s.node.consistent === false ? '; INCONSISTENT' : s.node.consistent ? '; consistent' : ''}`);

  row('Language', s.languages.primary ? `${s.languages.primary}${s.languages.total_files !== null ? ` (${s.languages.total_files} files)` : ''}` : 'unknown');

  const m = s.monorepo;
  if (m.is_monorepo || m.packages.length > 0) {
    const tools = m.tools.length ? ` (${m.tools.join(', ')})` : '';
    const packages = m.packages.length
      ? `${m.packages.length} workspace package${m.packages.length === 1 ? '' : 's'}${m.globs.length ? ` from ${m.globs.join(', ')}` : ''}`
      : `no workspace packages declared${m.package_json_count !== null ? `; ${m.package_json_count} package.json file${m.package_json_count === 1 ? '' : 's'}` : ''}`;
    row('Monorepo', `yes${tools}: ${packages}`);
    for (const p of m.packages.slice(0, MAX_LISTED)) sub(`${p.name ?? '(unnamed)'}${p.version ? ` ${p.version}` : ''}  ${p.dir}`);
    if (m.packages.length > MAX_LISTED) sub(`+${m.packages.length - MAX_LISTED} more`);
  } else {
    row('Monorepo', 'no (single package)');
  }

  row('Frameworks', list(s.frameworks.map((f) => (f.versions.length ? `${f.name} ${f.versions.join('/')}` : f.name))));
  const e = s.entrypoint;
  if (e.kind) row('Entry point', `${e.kind}${e.main ? `, main ${e.main}` : ''}${e.start_script ? `, start: ${e.start_script}` : ''}`);

  const t = s.tests;
  const byFramework = Object.entries(t.by_framework)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`);
  row('Tests', `${list(t.frameworks.map((f) => `${f.name} (${f.kind})`), 'no test framework found')}`);
  sub(`${t.test_files ?? 'unknown number of'} test file${t.test_files === 1 ? '' : 's'}${byFramework.length ? ` (by framework: ${byFramework.join(', ')})` : ''}; coverage ${t.coverage_configured ? 'configured' : t.coverage_configured === false ? 'not configured' : 'unknown'}`);

  row('CI', s.ci.systems.length ? `${list(s.ci.systems)} (${s.ci.pipelines} pipeline file${s.ci.pipelines === 1 ? '' : 's'})` : 'none found');
  if (s.ci.node_versions.length) sub(`Node in CI: ${list(s.ci.node_versions)}`);

  row('Deployment', s.deployment.detected.length ? list(s.deployment.detected) : 'none found');
  if (s.deployment.node_majors.length) sub(`Node in images: ${s.deployment.node_majors.join(', ')}`);

  if (s.vulnerabilities.total !== null) {
    const sev = Object.entries(s.vulnerabilities.by_severity).map(([k, v]) => `${v} ${k}`);
    row('Vulnerabilities', `${s.vulnerabilities.total} known${sev.length ? ` (${sev.join(', ')})` : ''}`);
  }

  const r = s.risk_flags;
  const countText = SEVERITIES.filter((sv) => r.counts[sv] > 0).map((sv) => `${r.counts[sv]} ${sv}`);
  row('Risk flags', r.flags.length ? countText.join(', ') : 'none');
  const idWidth = Math.max(0, ...r.flags.map((f) => f.id.length));
  for (const f of r.flags) sub(`${f.severity.padEnd(8)} ${f.id.padEnd(idWidth)}  ${f.message}`);

  const c = s.confidence;
  row(
    'Confidence',
    `${c.overall ?? 'unknown'}${c.index_health ? `; index health ${c.index_health}` : ''}${c.error_count !== null ? `; ${c.error_count} probe error${c.error_count === 1 ? '' : 's'}` : ''}${c.low_confidence_probes.length ? `; low: ${c.low_confidence_probes.join(', ')}` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
