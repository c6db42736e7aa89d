/**
 * Runs rules over one file's text with `@ast-grep/napi`. Shared by the in-thread path (`jobs: 1`)
 * and the worker threads, so both produce the same findings. Imports nothing from the repository
 * besides napi: worker threads load this module on their own.
 */
import { parse, type NapiConfig } from '@ast-grep/napi';
import type { MatcherConfig } from './rules';

/** What a worker needs of a rule: JSON only. */
export interface MatchRule {
  id: string;
  matcher: MatcherConfig;
  maskStrings: boolean;
}

/**
 * A finding without its file: `[rule id, line, column, end line, end column, excerpt]`, lines and
 * columns 1-based, columns in UTF-16 code units. Compact because the per-file cache stores these.
 */
export type RawFinding = [string, number, number, number, number, string];

export const EXCERPT_MAX = 120;

/** Replaces the contents of every string/template literal with `***` (an unterminated one up to the end). */
export function maskStringLiterals(text: string): string {
  return text.replace(/(['"`])(?:\\[\s\S]|(?!\1)[^\\])*(\1|$)/g, (_m, open: string, close: string) => `${open}***${close}`);
}

/** One line of at most EXCERPT_MAX characters (whole code points), whitespace runs collapsed. */
export function excerptOf(matched: string, maskStrings: boolean): string {
  let text = matched.replace(/\s+/g, ' ').trim();
  if (maskStrings) text = maskStringLiterals(text);
  const points = Array.from(text);
  return points.length <= EXCERPT_MAX ? text : `${points.slice(0, EXCERPT_MAX - 1).join('')}…`;
}

export function compareRaw(a: RawFinding, b: RawFinding): number {
  return a[1] - b[1] || a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) || a[3] - b[3] || a[4] - b[4];
}

/** Parses `text` once and runs each rule; findings sorted by position, then rule id. */
export function matchSource(lang: string, text: string, rules: readonly MatchRule[]): RawFinding[] {
  if (rules.length === 0) return [];
  const root = parse(lang, text).root();
  const findings: RawFinding[] = [];
  for (const rule of rules) {
    for (const node of root.findAll(rule.matcher as unknown as NapiConfig)) {
      const { start, end } = node.range();
      findings.push([rule.id, start.line + 1, start.column + 1, end.line + 1, end.column + 1, excerptOf(node.text(), rule.maskStrings)]);
    }
  }
  return findings.sort(compareRaw);
}
