/**
 * The order a probe reports its issues in: by file, then code, then message (code-unit order), so
 * the result does not depend on the order files were read in.
 */
import { byCodeUnit } from './parse';
import type { ProbeIssue } from './probe-api';

export function compareIssues(a: ProbeIssue, b: ProbeIssue): number {
  return byCodeUnit(a.file ?? '', b.file ?? '') || byCodeUnit(a.code, b.code) || byCodeUnit(a.message, b.message);
}

/** A sorted copy of `issues`. */
export function sortIssues(issues: readonly ProbeIssue[]): ProbeIssue[] {
  return [...issues].sort(compareIssues);
}
