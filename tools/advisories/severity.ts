/**
 * An advisory's severity: the CVSS v3.x base score computed from its vector (the formula of the
 * CVSS v3.1 specification, section 7), rated none/low/medium/high/critical; else the database's own
 * rating (GitHub: LOW, MODERATE, HIGH, CRITICAL). CVSS v2/v4 vectors are kept but not scored.
 */
import type { StoredAdvisory } from './osv';

export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown';

const WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};

/** CVSS v3.1 "Roundup": the smallest one-decimal number >= x, free of float noise. */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

export function cvss3BaseScore(vector: string): number | null {
  const parts = vector.split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return null;
  const m: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const [k, v] = p.split(':');
    if (k && v) m[k] = v;
  }
  const scope = m.S;
  const pr = scope === 'C' ? { N: 0.85, L: 0.68, H: 0.5 }[m.PR ?? ''] : { N: 0.85, L: 0.62, H: 0.27 }[m.PR ?? ''];
  const w = (k: string) => WEIGHTS[k]?.[m[k] ?? ''];
  const [av, ac, ui, c, i, a] = ['AV', 'AC', 'UI', 'C', 'I', 'A'].map(w);
  if ([av, ac, ui, c, i, a, pr].some((x) => x === undefined) || (scope !== 'U' && scope !== 'C')) return null;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av! * ac! * pr! * ui!;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

export function ratingOf(score: number): SeverityLevel {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

const DATABASE_LEVELS: Record<string, SeverityLevel> = { LOW: 'low', MODERATE: 'medium', MEDIUM: 'medium', HIGH: 'high', CRITICAL: 'critical' };

export interface SeverityFact {
  level: SeverityLevel;
  /** The CVSS v3 base score, when the advisory carries a v3 vector. */
  score?: number;
  vector?: string;
  source: 'cvss' | 'database' | 'none';
}

export function severityOf(advisory: StoredAdvisory): SeverityFact {
  for (const s of advisory.severity) {
    if (s.type !== 'CVSS_V3') continue;
    const score = cvss3BaseScore(s.score);
    if (score !== null) return { level: ratingOf(score), score, vector: s.score, source: 'cvss' };
  }
  const db = advisory.database_severity ? DATABASE_LEVELS[advisory.database_severity.toUpperCase()] : undefined;
  if (db) return { level: db, source: 'database' };
  return { level: 'unknown', source: 'none' };
}
