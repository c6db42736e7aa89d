/**
 * The four hot views (SPEC §3), projected from an in-memory context without re-parsing anything:
 * `available_skills` and `risk_flags` from catalog rules, `entrypoint` and `confidence_summary`
 * from the slices. Readers get them from views.json in milliseconds.
 */
import { loadCatalog } from '../catalog';
import type { Confidence } from '../probe-api';
import { byCodeUnit, isRecord } from '../parse';
import type { RepoContext } from './merge';
import { evaluate, evidence, select, type Predicate } from './predicates';

export const VIEWS_SCHEMA_VERSION = 1;

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

interface RiskRule {
  id: string;
  severity: Severity;
  category: string;
  message: string;
  when: Predicate;
  evidence?: string;
}

interface SkillRule {
  id: string;
  title: string;
  description: string;
  when: Predicate;
  evidence?: string;
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
  confidence_summary: { overall: Confidence; probes: Record<string, Confidence>; low_confidence_probes: string[]; error_count: number };
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
  return { overall, probes, low_confidence_probes: low, error_count: errors };
}

function firstString(context: RepoContext, ...paths: string[]): string | null {
  for (const path of paths) {
    const hit = select(context, path).find((v) => typeof v === 'string' && v.length > 0);
    if (typeof hit === 'string') return hit;
  }
  return null;
}

/** How the service starts, from whichever slices are present; absent facts are null/empty, never guessed. */
function entrypoint(context: RepoContext): Record<string, unknown> {
  const root = select(context, 'manifest.root').find(isRecord) as Record<string, unknown> | undefined;
  const docker = select(context, 'deployment.dockerfiles[]')
    .filter(isRecord)
    .map((d) => ({ file: d.path ?? d.file ?? null, cmd: d.cmd ?? null, entrypoint: d.entrypoint ?? null }))
    .filter((d) => d.cmd !== null || d.entrypoint !== null);
  const startScript = firstString(context, 'build-system.scripts.start.command', 'build-system.scripts.start', 'manifest.root.scripts.start');
  const frameworks = select(context, 'manifest.frameworks[]')
    .map((f) => (isRecord(f) ? f.name : f))
    .filter((f): f is string => typeof f === 'string')
    .sort(byCodeUnit);
  const main = root && typeof root.main === 'string' ? root.main : null;
  const bin = root && root.bin !== undefined ? root.bin : null;
  const exportsField = root && root.exports !== undefined ? root.exports : null;
  const kind = docker.length > 0 || startScript ? 'service' : bin ? 'cli' : main || exportsField ? 'library' : 'unknown';
  return { kind, main, exports: exportsField, bin, start_script: startScript, docker, frameworks };
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
