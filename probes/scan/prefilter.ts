/**
 * Chooses, per file, which rules are worth running, before anything is parsed. A rule applies
 * when the file's language is one of its languages and its `files`/`ignores` globs allow the path;
 * with the prefilter on, it must also meet its literal requirement (rule-literals.ts). A file
 * with no candidate rule is never parsed. Rules without literals are always candidates.
 */
import picomatch from 'picomatch';
import type { ScanLanguage } from './languages';
import { escapeRegex, isPlain, literalKey, literalPattern, type Clause, type Literal, type Requirement } from './literal-clauses';
import { ruleRequirement } from './rule-literals';
import type { ScanRule } from './rules';

const ASCII = /^[\x20-\x7e]*$/;

/**
 * A file's text with a case-folded copy made on first use. For ASCII literals, "occurs in the
 * lower-cased text" equals Rust's case-insensitive match once `ſ` (U+017F, which folds to `s`
 * but lower-cases to itself) is mapped; the Kelvin sign already lower-cases to `k`.
 */
export class FileText {
  private folded?: string;
  constructor(readonly text: string) {}
  lower(): string {
    return (this.folded ??= this.text.toLowerCase().replace(/\u017f/g, 's'));
  }
}

function isSimpleCi(l: Literal): boolean {
  return l.ci && !l.callee && ASCII.test(l.text);
}

type Tester = (file: FileText) => boolean;

/** One test for "some literal of the clause occurs": substring checks where they suffice, one regex for the rest. */
export function clauseTester(clause: Clause): Tester {
  const plain = clause.filter(isPlain).map((l) => l.text);
  const folded = clause.filter(isSimpleCi).map((l) => l.text.toLowerCase());
  const rest = clause.filter((l) => !isPlain(l) && !isSimpleCi(l));
  const restSensitive = rest.filter((l) => !l.ci).map(literalPattern);
  const restInsensitive = rest.filter((l) => l.ci).map(literalPattern);
  const plainRe = plain.length > 4 ? new RegExp(plain.map(escapeRegex).join('|')) : undefined;
  const foldedRe = folded.length > 4 ? new RegExp(folded.map(escapeRegex).join('|')) : undefined;
  const sensitiveRe = restSensitive.length > 0 ? new RegExp(restSensitive.join('|')) : undefined;
  const insensitiveRe = restInsensitive.length > 0 ? new RegExp(restInsensitive.join('|'), 'iu') : undefined;
  return (file) =>
    (plainRe ? plainRe.test(file.text) : plain.some((t) => file.text.includes(t))) ||
    (folded.length > 0 && (foldedRe ? foldedRe.test(file.lower()) : folded.some((t) => file.lower().includes(t)))) ||
    (sensitiveRe?.test(file.text) ?? false) ||
    (insensitiveRe?.test(file.text) ?? false);
}

/** True when every clause of `req` has a literal in `text` (an empty requirement always holds). */
export function requirementHolds(req: Requirement, text: string): boolean {
  const file = new FileText(text);
  return req.every((clause) => clauseTester(clause)(file));
}

interface RuleEntry {
  rule: ScanRule;
  pathAllowed: (path: string) => boolean;
  requirement: Map<ScanLanguage, Requirement>;
  /** Per language, the requirement's clauses as indexes into `RuleSelector.clauses`. */
  clauseIds: Map<ScanLanguage, number[]>;
}

interface LanguagePlan {
  entries: RuleEntry[];
  /** Some rule of this language has no literal requirement: no file of it can be skipped outright. */
  unfiltered: boolean;
  /** Necessary for any rule to be a candidate: a literal of some rule's most selective clause occurs. */
  quick?: Tester;
}

export class RuleSelector {
  private readonly plans = new Map<ScanLanguage, LanguagePlan>();
  /** Every distinct clause once, so a file tests each at most once whatever the number of rules sharing it. */
  private readonly clauses: Tester[] = [];

  constructor(
    readonly rules: readonly ScanRule[],
    readonly prefilter: boolean,
  ) {
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
      const requirement = new Map<ScanLanguage, Requirement>();
      const clauseIds = new Map<ScanLanguage, number[]>();
      if (prefilter) {
        for (const lang of rule.languages) {
          const req = ruleRequirement(rule, lang);
          requirement.set(lang, req);
          clauseIds.set(lang, req.map(intern));
        }
      }
      return { rule, pathAllowed: rule.files || rule.ignores ? (p: string) => yes(p) && !no(p) : () => true, requirement, clauseIds };
    });
    for (const lang of ['JavaScript', 'TypeScript', 'Tsx'] as const) {
      const own = entries.filter((e) => e.rule.languages.includes(lang));
      const plan: LanguagePlan = { entries: own, unfiltered: !prefilter || own.some((e) => e.requirement.get(lang)!.length === 0) };
      if (!plan.unfiltered && own.length > 0) {
        // Every rule needs a literal of its first (most selective) clause, so a file needs one of their union.
        const union: Clause = own.flatMap((e) => e.requirement.get(lang)![0]).map((l) => (isPlain(l) || isSimpleCi(l) ? l : { text: l.text, ci: l.ci, callee: false }));
        plan.quick = clauseTester(union);
      }
      this.plans.set(lang, plan);
    }
  }

  /** The literal requirement of a rule for a language (empty: always a candidate). */
  requirement(ruleId: string, lang: ScanLanguage): Requirement {
    const entry = this.plans.get(lang)?.entries.find((e) => e.rule.id === ruleId);
    return entry?.requirement.get(lang) ?? [];
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
    const file = new FileText(text);
    if (plan.quick && !plan.quick(file)) return [];
    // 0 = not tested yet, 1 = holds, 2 = fails.
    const state = new Uint8Array(this.clauses.length);
    const holds = (id: number) => {
      if (state[id] === 0) state[id] = this.clauses[id](file) ? 1 : 2;
      return state[id] === 1;
    };
    const out: ScanRule[] = [];
    for (const e of plan.entries) {
      if (e.pathAllowed(path) && e.clauseIds.get(lang)!.every(holds)) out.push(e.rule);
    }
    return out;
  }
}
