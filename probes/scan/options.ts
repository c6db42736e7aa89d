/**
 * The scan probe's options: `ctx.options.scan` (`{ jobs, prefilter, cache, only, maxFileBytes }`),
 * with `CODEGENIE_JOBS` overriding `jobs`. Bad values are reported as warnings and replaced by
 * defaults, never fatal.
 */
import { availableParallelism } from 'node:os';
import { isRecord } from '../../tools/parse';
import type { ProbeIssue } from '../../tools/probe-api';
import { extensionsForOnly } from './languages';

export interface ScanOptions {
  /** Worker threads to parse with (default: one per CPU); 1 = in the probe's own thread, no workers. */
  jobs: number;
  prefilter: boolean;
  cache: boolean;
  /** Extensions to scan (`only`), or undefined for all of them. */
  only?: Set<string>;
  /** The `only` values as given, normalised and sorted (recorded in the slice). */
  onlyValues: string[];
  maxFileBytes?: number;
}

/** Upper bound on worker threads, whatever is asked: each holds its own parser and heap. */
export const MAX_JOBS = 32;

function parseJobs(value: unknown, source: string, warnings: ProbeIssue[]): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    warnings.push({ code: 'invalid-option', message: `scan: ${source} must be a non-negative integer (0 = one per CPU), got ${JSON.stringify(value)}` });
    return undefined;
  }
  return n === 0 ? availableParallelism() : Math.min(n, MAX_JOBS);
}

export function readScanOptions(options: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): { options: ScanOptions; warnings: ProbeIssue[] } {
  const warnings: ProbeIssue[] = [];
  const raw = options.scan === undefined ? {} : options.scan;
  if (!isRecord(raw)) warnings.push({ code: 'invalid-option', message: 'scan: options.scan must be an object' });
  const scan = isRecord(raw) ? raw : {};
  const out: ScanOptions = { jobs: availableParallelism(), prefilter: true, cache: true, onlyValues: [] };

  if (scan.jobs !== undefined) out.jobs = parseJobs(scan.jobs, 'jobs', warnings) ?? out.jobs;
  if (env.CODEGENIE_JOBS !== undefined && env.CODEGENIE_JOBS !== '') out.jobs = parseJobs(env.CODEGENIE_JOBS, 'CODEGENIE_JOBS', warnings) ?? out.jobs;

  for (const key of ['prefilter', 'cache'] as const) {
    if (scan[key] === undefined) continue;
    if (typeof scan[key] === 'boolean') out[key] = scan[key];
    else warnings.push({ code: 'invalid-option', message: `scan: ${key} must be true or false` });
  }

  if (scan.only !== undefined) {
    const values = typeof scan.only === 'string' ? scan.only.split(',') : Array.isArray(scan.only) ? scan.only : undefined;
    if (!values || !values.every((v) => typeof v === 'string')) {
      warnings.push({ code: 'invalid-option', message: 'scan: only must be a list such as ["ts", "js"]' });
    } else {
      const { extensions, unknown } = extensionsForOnly(values as string[]);
      if (unknown.length > 0) warnings.push({ code: 'invalid-option', message: `scan: unknown languages in only: ${unknown.join(', ')} (use js, ts, jsx, tsx, mjs, cjs, mts, cts)` });
      if (extensions.size > 0) {
        out.only = extensions;
        const known = (values as string[]).filter((v) => !unknown.includes(v)).map((v) => v.trim().toLowerCase().replace(/^\./, ''));
        out.onlyValues = [...new Set(known)].sort();
      }
    }
  }

  if (scan.maxFileBytes !== undefined) {
    const m = scan.maxFileBytes;
    if (typeof m === 'number' && Number.isInteger(m) && m > 0) out.maxFileBytes = m;
    else warnings.push({ code: 'invalid-option', message: 'scan: maxFileBytes must be a positive integer' });
  }
  return { options: out, warnings };
}
