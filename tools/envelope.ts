/** The probe output envelope written to `raw/<probe>.json` (SPEC §3). */
import type { Confidence, ProbeIssue, ProbeResult } from './probe-api';
import { byCodeUnit } from './parse';

export const ENVELOPE_SCHEMA_VERSION = 1;

export interface Envelope {
  probe: string;
  version: string;
  schemaVersion: number;
  confidence: Confidence;
  slice: Record<string, unknown>;
  errors: ProbeIssue[];
  warnings: ProbeIssue[];
}

function sortIssues(issues: readonly ProbeIssue[] | undefined): ProbeIssue[] {
  const list = (issues ?? []).map((i) => ({ code: String(i.code), message: String(i.message), ...(i.file !== undefined ? { file: String(i.file) } : {}) }));
  const key = (i: ProbeIssue) => `${i.file ?? ''}\u0000${i.code}\u0000${i.message}`;
  return list.sort((a, b) => byCodeUnit(key(a), key(b)));
}

export function toEnvelope(probe: { name: string; version: string }, result: ProbeResult): Envelope {
  const errors = sortIssues(result.errors);
  const warnings = sortIssues(result.warnings);
  return {
    probe: probe.name,
    version: probe.version,
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    confidence: result.confidence ?? (errors.length > 0 ? 'low' : 'high'),
    slice: result.slice ?? {},
    errors,
    warnings,
  };
}
