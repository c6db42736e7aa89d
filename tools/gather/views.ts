/**
 * The four hot views (SPEC §3), projected from an in-memory context without re-parsing anything:
 * `available_skills` and `risk_flags` from catalog rules, `entrypoint` and `confidence_summary`
 * from the slices. Readers get them from views.json in milliseconds.
 */
import { loadCatalog } from '../catalog';
import type { Confidence } from '../probe-api';
import { byCodeUnit, isRecord } from '../parse';
import type { RepoContext } from './merge';
import { evaluate, evidence, select, type EvidenceSpec, type Predicate } from './predicates';

export const VIEWS_SCHEMA_VERSION = 1;

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

interface RiskRule {
  id: string;
  severity: Severity;
  category: string;
  message: string;
  when: Predicate;
  evidence?: EvidenceSpec;
}

interface SkillRule {
  id: string;
  title: string;
  description: string;
  when: Predicate;
  evidence?: EvidenceSpec;
}

export interface RiskFlag {
  id: string;
  severity: Severity;
  category: string;
  message: string;
  evidence: string[];
}

export interface Views {
  schema_version: number;
  available_skills: Array<{ id: string; title: string; description: string; evidence: string[] }>;
  entrypoint: Record<string, unknown>;
  risk_flags: RiskFlag[];
  confidence_summary: {
    overall: Confidence;
    probes: Record<string, Confidence>;
    low_confidence_probes: string[];
    error_count: number;
    /** index-health's verdict over the siblings, when that probe ran. */
    index_health: string | null;
  };
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const CONFIDENCE_RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

export interface ViewCatalogs {
  risks: RiskRule[];
  skills: SkillRule[];
}

export function loadViewCatalogs(): ViewCatalogs {
  return {
    risks: loadCatalog<{ rules: RiskRule[] }>('risk-rules').rules,
    skills: loadCatalog<{ skills: SkillRule[] }>('skills').skills,
  };
}

function confidenceSummary(context: RepoContext): Views['confidence_summary'] {
  const probes: Record<string, Confidence> = {};
  let overall: Confidence = 'high';
  let errors = 0;
  for (const [name, meta] of Object.entries(context.codegenie.probes)) {
    const c = meta.confidence as Confidence;
    probes[name] = c;
    errors += meta.errors.length;
    if (CONFIDENCE_RANK[c] < CONFIDENCE_RANK[overall]) overall = c;
  }
  const low = Object.keys(probes).filter((n) => probes[n] === 'low').sort(byCodeUnit);
  const health = firstString(context, 'index-health.status');
  return { overall, probes, low_confidence_probes: low, error_count: errors, index_health: health };
}

function firstString(context: RepoContext, ...paths: string[]): string | null {
  for (const path of paths) {
    const hit = select(context, path).find((v) => typeof v === 'string' && v.length > 0);
    if (typeof hit === 'string') return hit;
  }
  return null;
}

/** A Dockerfile instruction as the deployment slice records it, rendered back to one line. */
function renderInstruction(value: unknown): string | null {
  if (!isRecord(value)) return typeof value === 'string' ? value : null;
  const args = Array.isArray(value.args) ? value.args.map(String) : [];
  if (args.length === 0) return null;
  return value.form === 'exec' ? JSON.stringify(args) : args.join(' ');
}

/** How the service starts, from whichever slices are present; absent facts are null/empty, never guessed. */
function entrypoint(context: RepoContext): Record<string, unknown> {
  const root = select(context, 'manifest.packages[]').find((p) => isRecord(p) && p.role === 'root') as Record<string, unknown> | undefined;
  const docker = select(context, 'deployment.dockerfiles[]')
    .filter(isRecord)
    .map((d) => ({ file: String(d.file ?? ''), cmd: renderInstruction(d.cmd), entrypoint: renderInstruction(d.entrypoint) }))
    .filter((d) => d.cmd !== null || d.entrypoint !== null)
    .sort((a, b) => byCodeUnit(a.file, b.file));
  const startScript = firstString(context, 'build-system.scripts.start.command');
  const frameworks = [...new Set(select(context, 'manifest.frameworks[].name').filter((f): f is string => typeof f === 'string'))].sort(byCodeUnit);
  const main = root && typeof root.main === 'string' ? root.main : null;
  const bin = root && root.bin !== undefined && root.bin !== null ? root.bin : null;
  const exportsField = root && root.exports !== undefined && root.exports !== null ? root.exports : null;
  const web = select(context, 'deployment.paas[].processes[]').find((p) => isRecord(p) && p.name === 'web') as Record<string, unknown> | undefined;
  const procfile = web && typeof web.command === 'string' ? web.command : null;
  const kind = docker.length > 0 || startScript || procfile ? 'service' : bin ? 'cli' : main || exportsField ? 'library' : 'unknown';
  return { kind, main, exports: exportsField, bin, start_script: startScript, procfile_web: procfile, docker, frameworks };
}

function applyRisks(rules: readonly RiskRule[], context: RepoContext): RiskFlag[] {
  return rules
    .filter((r) => evaluate(r.when, context))
    .map((r) => ({ id: r.id, severity: r.severity, category: r.category, message: r.message, evidence: evidence(context, r.evidence) }));
}

export function computeViews(context: RepoContext, catalogs: ViewCatalogs = loadViewCatalogs()): Views {
  const summary = confidenceSummary(context);
  const flags = applyRisks(catalogs.risks, context);
  if (summary.low_confidence_probes.length > 0) {
    flags.push({
      id: 'low-confidence-probes',
      severity: 'medium',
      category: 'context',
      message: 'Some probes could not read all their inputs; their facts may be incomplete.',
      evidence: summary.low_confidence_probes,
    });
  }
  flags.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || byCodeUnit(a.id, b.id));
  const skills = catalogs.skills
    .filter((s) => evaluate(s.when, context))
    .map((s) => ({ id: s.id, title: s.title, description: s.description, evidence: evidence(context, s.evidence) }))
    .sort((a, b) => byCodeUnit(a.id, b.id));
  return {
    schema_version: VIEWS_SCHEMA_VERSION,
    available_skills: skills,
    entrypoint: entrypoint(context),
    risk_flags: flags,
    confidence_summary: summary,
  };
}
