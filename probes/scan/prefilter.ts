/**
 * Chooses, per file, which rules are worth running, before anything is parsed. A rule applies
 * when the file's language is one of its languages and its `files`/`ignores` globs allow the path;
 * with the prefilter on, one of its alternatives (rule-literals.ts) must also hold: each clause
 * of it has a literal present (plain text, case-folded text, a callee followed by `(`, or a shape
 * checked on the file's tokens). A file with no candidate rule is never parsed. Rules without
 * literals are always candidates.
 *
 * The derived alternatives are plain data (`SelectorPlan`), so worker threads rebuild the same
 * selector without deriving anything again.
 */
import picomatch from 'picomatch';
import { callArgumentCanMatch, codeTokens, memberCanMatch, occurrencePattern, wordInCode } from './code-shapes';
import { evalRule } from './constraint-eval';
import { tokenGeneration, type TokenStream } from './js-tokens';
import { SCAN_LANGUAGES, type ScanLanguage } from './languages';
import { clauseCost, escapeRegex, isPlain, literalKey, literalPattern, type Alternatives, type Clause, type Literal, type Requirement, type Shape } from './literal-clauses';
import { ruleAlternatives } from './rule-literals';
import type { ScanRule } from './rules';

const ASCII = /^[\x20-\x7e]*$/;

/**
 * A file's text with a case-folded copy and its tokens made on first use. For ASCII literals,
 * "occurs in the lower-cased text" equals Rust's case-insensitive match once `ſ` (U+017F, which
 * folds to `s` but lower-cases to itself) is mapped; the Kelvin sign already lower-cases to `k`.
 */
export class FileText {
  private folded?: string;
  private ascii?: boolean;
  private tokenStream?: TokenStream;
  constructor(
    readonly text: string,
    readonly lang: ScanLanguage = 'JavaScript',
  ) {}
  lower(): string {
    return (this.folded ??= this.text.toLowerCase().replace(/\u017f/g, 's'));
  }
  /** Only ASCII: no `ſ` or Kelvin sign, so ASCII case folding is Rust's case folding here. */
  isAscii(): boolean {
    return (this.ascii ??= !/[^\x00-\x7f]/.test(this.text));
  }
  /** The file's tokens (js-tokens.ts: valid until another file is tokenized in this thread, then read again). */
  tokens(): TokenStream {
    if (!this.tokenStream || this.tokenStream.generation !== tokenGeneration()) this.tokenStream = codeTokens(this.text, this.lang);
    return this.tokenStream;
  }
}

function isSimpleCi(l: Literal): boolean {
  return l.ci && !l.callee && !l.shape && ASCII.test(l.text);
}

type Tester = (file: FileText) => boolean;

/** Does `re` (a global regex) match somewhere in `text`? */
function found(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

/**
 * Whether a shape can hold in the file. Cheap text tests first (an occurrence of its word, for a
 * member also one of its properties); only then are the file's tokens read and the occurrences checked.
 */
function shapeTester(shape: Shape): Tester {
  if (shape.type === 'code') {
    const re = occurrencePattern(shape.word, false);
    return (file) => found(re, file.text) && wordInCode(file.tokens(), shape.word);
  }
  if (shape.type === 'member') {
    const properties = shape.properties ? new Set(shape.properties) : undefined;
    const re = occurrencePattern(shape.object, false);
    const anyProperty = shape.properties ? new RegExp(shape.properties.map(escapeRegex).join('|')) : undefined;
    return (file) =>
      found(re, file.text) &&
      (!anyProperty || anyProperty.test(file.text)) &&
      memberCanMatch(file.tokens(), shape.object, properties, file.lang !== 'JavaScript');
  }
  const utils = shape.utils ?? {};
  const re = occurrencePattern(shape.callee, true);
  return (file) => {
    if (!found(re, file.text)) return false;
    const ts = file.tokens();
    return callArgumentCanMatch(ts, shape.callee, shape.index, (node) => evalRule(shape.constraint, node, { ts, utils }), file.lang !== 'JavaScript');
  };
}

/** One test for "some literal of the clause occurs": substring checks where they suffice, one regex for the rest, shapes last. */
export function clauseTester(clause: Clause): Tester {
  const plain = clause.filter(isPlain).map((l) => l.text);
  const folded = clause.filter(isSimpleCi).map((l) => l.text.toLowerCase());
  const rest = clause.filter((l) => !isPlain(l) && !isSimpleCi(l) && !l.shape);
  const shapes = clause.filter((l) => l.shape).map((l) => shapeTester(l.shape!));
  const restSensitive = rest.filter((l) => !l.ci).map(literalPattern);
  const restInsensitive = rest.filter((l) => l.ci).map(literalPattern);
  const plainRe = plain.length > 4 ? new RegExp(plain.map(escapeRegex).join('|')) : undefined;
  const foldedRe = folded.length > 4 ? new RegExp(folded.map(escapeRegex).join('|')) : undefined;
  // On ASCII text (almost every source file) a case-insensitive search needs no lower-cased copy.
  const asciiRe = folded.length > 0 ? new RegExp(folded.map(escapeRegex).join('|'), 'i') : undefined;
  const sensitiveRe = restSensitive.length > 0 ? new RegExp(restSensitive.join('|')) : undefined;
  const insensitiveRe = restInsensitive.length > 0 ? new RegExp(restInsensitive.join('|'), 'iu') : undefined;
  // Plain loops, no callbacks: this runs for every clause of every file, in several threads,
  // and a closure per call is garbage that keeps them from scaling.
  return (file) => {
    const text = file.text;
    if (plainRe) {
      if (plainRe.test(text)) return true;
    } else for (let i = 0; i < plain.length; i++) if (text.includes(plain[i])) return true;
    if (asciiRe !== undefined) {
      if (file.isAscii()) {
        if (asciiRe.test(text)) return true;
      } else if (foldedRe) {
        if (foldedRe.test(file.lower())) return true;
      } else for (let i = 0; i < folded.length; i++) if (file.lower().includes(folded[i])) return true;
    }
    if (sensitiveRe?.test(text) || insensitiveRe?.test(text)) return true;
    for (let i = 0; i < shapes.length; i++) if (shapes[i](file)) return true;
    return false;
  };
}

/** True when every clause of `req` has a literal in `text` (an empty requirement always holds). */
export function requirementHolds(req: Requirement, text: string, lang: ScanLanguage = 'JavaScript'): boolean {
  const file = new FileText(text, lang);
  return req.every((clause) => clauseTester(clause)(file));
}

/** True when some alternative holds in `text`. */
export function alternativesHold(alts: Alternatives, text: string, lang: ScanLanguage = 'JavaScript'): boolean {
  return alts.some((req) => requirementHolds(req, text, lang));
}

/** The prefilter's derived data: per rule id and language, its alternatives. JSON only. */
export type SelectorPlan = Record<string, Partial<Record<ScanLanguage, Alternatives>>>;

/** Derives every rule's alternatives (parses the rules' patterns with napi). */
export function deriveSelectorPlan(rules: readonly ScanRule[]): SelectorPlan {
  const plan: SelectorPlan = {};
  for (const rule of rules) {
    const perLang: Partial<Record<ScanLanguage, Alternatives>> = {};
    for (const lang of rule.languages) perLang[lang] = ruleAlternatives(rule, lang);
    plan[rule.id] = perLang;
  }
  return plan;
}

interface RuleEntry {
  rule: ScanRule;
  pathAllowed: (path: string) => boolean;
  alternatives: Map<ScanLanguage, Alternatives>;
  /** Per language, each alternative's clauses as indexes into `RuleSelector.clauses`. */
  clauseIds: Map<ScanLanguage, number[][]>;
  /** Per language: some alternative is empty, so the rule is always a candidate. */
  open: Map<ScanLanguage, boolean>;
}

interface LanguagePlan {
  entries: RuleEntry[];
  /** Some rule of this language has no literal requirement: no file of it can be skipped outright. */
  unfiltered: boolean;
  /**
   * Necessary for a rule that applies to every path to be a candidate: a literal of some
   * alternative's most selective clause occurs. Rules limited by globs are tested apart
   * (`limited`), only for the paths they apply to.
   */
  quick?: Tester;
  limited: Array<{ entry: RuleEntry; quick: Tester }>;
}

export class RuleSelector {
  private readonly plans = new Map<ScanLanguage, LanguagePlan>();
  /** Every distinct clause once, so a file tests each at most once whatever the number of rules sharing it. */
  private readonly clauses: Tester[] = [];
  /** Per clause, whether it holds in the file being looked at (see `candidates`). */
  private state = new Uint8Array(0);
  /** The derived data, for worker threads (`undefined` with the prefilter off). */
  readonly plan?: SelectorPlan;

  constructor(
    readonly rules: readonly ScanRule[],
    readonly prefilter: boolean,
    plan?: SelectorPlan,
  ) {
    if (prefilter) this.plan = plan ?? deriveSelectorPlan(rules);
    const clauseIndex = new Map<string, number>();
    const intern = (clause: Clause): number => {
      const key = clause.map(literalKey).join('|');
      let id = clauseIndex.get(key);
      if (id === undefined) {
        id = this.clauses.push(clauseTester(clause)) - 1;
        clauseIndex.set(key, id);
      }
      return id;
    };
    const entries: RuleEntry[] = rules.map((rule) => {
      const yes = rule.files ? picomatch(rule.files, { dot: true }) : () => true;
      const no = rule.ignores ? picomatch(rule.ignores, { dot: true }) : () => false;
      const alternatives = new Map<ScanLanguage, Alternatives>();
      const clauseIds = new Map<ScanLanguage, number[][]>();
      const open = new Map<ScanLanguage, boolean>();
      if (this.plan) {
        for (const lang of rule.languages) {
          const alts = this.plan[rule.id]?.[lang] ?? [[]];
          alternatives.set(lang, alts);
          // Shape clauses last: any cheaper clause that fails spares reading the file's tokens.
          const ordered = alts.map((req) => [...req.filter((c) => !c.some((l) => l.shape)), ...req.filter((c) => c.some((l) => l.shape))]);
          clauseIds.set(lang, ordered.map((req) => req.map(intern)));
          open.set(lang, alts.length === 0 || alts.some((req) => req.length === 0));
        }
      }
      return { rule, pathAllowed: rule.files || rule.ignores ? (p: string) => yes(p) && !no(p) : () => true, alternatives, clauseIds, open };
    });
    for (const lang of SCAN_LANGUAGES) {
      const own = entries.filter((e) => e.rule.languages.includes(lang));
      const plan: LanguagePlan = { entries: own, unfiltered: !prefilter || own.some((e) => e.open.get(lang)), limited: [] };
      if (!plan.unfiltered && own.length > 0) {
        // Every alternative needs a literal of each of its clauses, so a file needs a literal of the
        // union of one clause per alternative: the most selective one once shapes count as the
        // literal they stand on (a callee keeps its `(`: `require(` is far rarer than `require`).
        const degrade = (c: Clause): Clause => c.map((l) => (l.shape ? { text: l.text, ci: l.ci, callee: l.callee } : l));
        const best = (req: Requirement) => req.map(degrade).reduce((a, b) => (clauseCost(b) < clauseCost(a) ? b : a));
        const union = (list: RuleEntry[]): Clause => list.flatMap((e) => e.alternatives.get(lang)!.flatMap(best));
        const everywhere = own.filter((e) => !e.rule.files && !e.rule.ignores);
        plan.quick = clauseTester(union(everywhere));
        plan.limited = own.filter((e) => e.rule.files || e.rule.ignores).map((entry) => ({ entry, quick: clauseTester(union([entry])) }));
      }
      this.plans.set(lang, plan);
    }
    this.state = new Uint8Array(this.clauses.length);
  }

  private someLimitedHolds(plan: LanguagePlan, path: string, file: FileText): boolean {
    for (const l of plan.limited) if (l.entry.pathAllowed(path) && l.quick(file)) return true;
    return false;
  }

  /** The alternatives of a rule for a language (`[[]]`: always a candidate). */
  alternatives(ruleId: string, lang: ScanLanguage): Alternatives {
    const entry = this.plans.get(lang)?.entries.find((e) => e.rule.id === ruleId);
    return entry?.alternatives.get(lang) ?? [[]];
  }

  /** Rules that apply to `path` by language and globs, ignoring the file's content. */
  applicable(path: string, lang: ScanLanguage): ScanRule[] {
    return (this.plans.get(lang)?.entries ?? []).filter((e) => e.pathAllowed(path)).map((e) => e.rule);
  }

  /** Rules that could match `text`; an empty list means the file need not be parsed. */
  candidates(path: string, lang: ScanLanguage, text: string): ScanRule[] {
    const plan = this.plans.get(lang);
    if (!plan) return [];
    if (!this.prefilter) return this.applicable(path, lang);
    const file = new FileText(text, lang);
    if (plan.quick && !plan.quick(file) && !this.someLimitedHolds(plan, path, file)) return [];
    // Per clause: 0 = not tested yet for this file, 1 = holds, 2 = fails (reset per file).
    const state = this.state;
    state.fill(0);
    const out: ScanRule[] = [];
    for (const e of plan.entries) {
      if (!e.pathAllowed(path)) continue;
      const alts = e.clauseIds.get(lang)!;
      for (let a = 0; a < alts.length; a++) {
        const ids = alts[a];
        let all = true;
        for (let c = 0; c < ids.length && all; c++) {
          const id = ids[c];
          if (state[id] === 0) state[id] = this.clauses[id](file) ? 1 : 2;
          all = state[id] === 1;
        }
        if (all) {
          out.push(e.rule);
          break;
        }
      }
    }
    return out;
  }
}
