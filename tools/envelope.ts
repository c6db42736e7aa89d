/** The probe output envelope written to `raw/<probe>.json` (SPEC §3). */
import type { Confidence, ProbeIssue, ProbeResult } from './probe-api';
import { compareIssues } from './issue-order';

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

/** Issues with plain string fields, in the shared issue order. */
function canonicalIssues(issues: readonly ProbeIssue[] | undefined): ProbeIssue[] {
  const list = (issues ?? []).map((i) => ({ code: String(i.code), message: String(i.message), ...(i.file !== undefined ? { file: String(i.file) } : {}) }));
  return list.sort(compareIssues);
}

export function toEnvelope(probe: { name: string; version: string }, result: ProbeResult): Envelope {
  const errors = canonicalIssues(result.errors);
  const warnings = canonicalIssues(result.warnings);
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
