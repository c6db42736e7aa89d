/**
 * Accessors for parsed YAML/JSON values of unknown shape. Repository files are untrusted: every
 * accessor accepts anything and answers `undefined` (or an empty list) instead of throwing.
 * Shared by the probes that read YAML configuration (deployment, ci).
 */
import { isRecord } from './parse';

export type Json = Record<string, unknown>;

const MERGE_KEY = '<<';

/**
 * A mapping with YAML merge keys (`<<: *defaults`) applied one level deep. The shared parser reads
 * YAML 1.2, where `<<` is an ordinary key; compose and GitLab files rely on the 1.1 meaning.
 * Keys of the mapping win over merged ones; among merged sources the first one wins.
 */
export function record(value: unknown): Json | undefined {
  if (!isRecord(value)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(value, MERGE_KEY)) return value;
  const sources = Array.isArray(value[MERGE_KEY]) ? (value[MERGE_KEY] as unknown[]) : [value[MERGE_KEY]];
  const merged: Json = {};
  for (const source of [...sources].reverse()) if (isRecord(source)) Object.assign(merged, source);
  for (const [key, v] of Object.entries(value)) if (key !== MERGE_KEY) merged[key] = v;
  delete merged[MERGE_KEY];
  return merged;
}

/** A scalar as text: strings as they are, numbers and booleans printed; anything else is undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** A non-empty trimmed scalar, or undefined. */
export function nonEmpty(value: unknown): string | undefined {
  const t = text(value)?.trim();
  return t ? t : undefined;
}

/** A list; a lone value becomes a one-item list (many CI keys accept both). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Strictly an array (no lone-value promotion). */
export function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Entries of a mapping (merge keys applied); empty for anything else. */
export function entries(value: unknown): Array<[string, unknown]> {
  const r = record(value);
  return r ? Object.entries(r) : [];
}

/** `obj.a.b.c` through mappings only. */
export function at(value: unknown, ...path: string[]): unknown {
  let node: unknown = value;
  for (const key of path) {
    const r = record(node);
    if (!r || !Object.prototype.hasOwnProperty.call(r, key)) return undefined;
    node = r[key];
  }
  return node;
}
