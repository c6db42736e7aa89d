/**
 * The part of an OSV record (https://ossf.github.io/osv-schema/) the store keeps, and the checks
 * that turn untrusted JSON into it. Only what matching and reporting need is kept: details and
 * references stay in the source export.
 */
import { isRecord } from '../parse';

export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: string;
  events: RangeEvent[];
}

export interface OsvAffected {
  package: { ecosystem: string; name: string };
  ranges?: OsvRange[];
  versions?: string[];
}

export interface OsvSeverity {
  type: string;
  score: string;
}

/** One advisory as stored. */
export interface StoredAdvisory {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  summary?: string;
  severity: OsvSeverity[];
  /** `database_specific.severity` (GitHub: LOW, MODERATE, HIGH, CRITICAL). */
  database_severity?: string;
  /** npm entries only; other ecosystems are dropped at import. */
  affected: OsvAffected[];
}

export const ECOSYSTEM = 'npm';
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The record reduced to what the store keeps, or an error message when it is not an OSV record. */
export function toStoredAdvisory(raw: unknown): { ok: true; value: StoredAdvisory } | { ok: false; message: string } {
  if (!isRecord(raw)) return { ok: false, message: 'not a JSON object' };
  if (typeof raw.id !== 'string' || raw.id.length === 0) return { ok: false, message: 'no "id"' };
  if (typeof raw.modified !== 'string' || Number.isNaN(Date.parse(raw.modified))) return { ok: false, message: `${raw.id}: no valid "modified" timestamp` };
  const affected: OsvAffected[] = [];
  for (const a of Array.isArray(raw.affected) ? raw.affected : []) {
    if (!isRecord(a) || !isRecord(a.package)) continue;
    const { ecosystem, name } = a.package;
    if (ecosystem !== ECOSYSTEM || typeof name !== 'string' || name.length === 0) continue;
    const ranges: OsvRange[] = [];
    for (const r of Array.isArray(a.ranges) ? a.ranges : []) {
      if (!isRecord(r) || typeof r.type !== 'string' || !Array.isArray(r.events)) continue;
      const events: RangeEvent[] = [];
      for (const e of r.events) {
        if (!isRecord(e)) continue;
        const key = EVENT_KEYS.find((k) => typeof e[k] === 'string');
        if (key) events.push({ [key]: e[key] as string } as RangeEvent);
      }
      ranges.push({ type: r.type, events });
    }
    const entry: OsvAffected = { package: { ecosystem, name } };
    if (ranges.length > 0) entry.ranges = ranges;
    const versions = strings(a.versions);
    if (versions.length > 0) entry.versions = versions;
    affected.push(entry);
  }
  const severity = (Array.isArray(raw.severity) ? raw.severity : [])
    .filter((s): s is Record<string, unknown> => isRecord(s) && typeof s.type === 'string' && typeof s.score === 'string')
    .map((s) => ({ type: s.type as string, score: s.score as string }));
  const value: StoredAdvisory = { id: raw.id, modified: raw.modified, aliases: strings(raw.aliases).sort(), severity, affected };
  if (typeof raw.published === 'string') value.published = raw.published;
  if (typeof raw.withdrawn === 'string' && raw.withdrawn.length > 0) value.withdrawn = raw.withdrawn;
  if (typeof raw.summary === 'string') value.summary = raw.summary;
  const db = isRecord(raw.database_specific) ? raw.database_specific.severity : undefined;
  if (typeof db === 'string' && db.length > 0) value.database_severity = db;
  return { ok: true, value };
}
