/**
 * A tiny, data-driven predicate language for catalog rules (risk flags, skills). Rules stay YAML a
 * reviewer can diff; this module is the only code that interprets them.
 *
 *   { path: "build-system.lockfiles", empty: true }
 *   { all: [ {...}, {...} ] }   { any: [...] }   { not: {...} }
 *   { path: "deployment.dockerfiles[]", some: { path: user, exists: false } }
 *
 * A path is dot-separated; a `[]` suffix flattens an array (`deployment.dockerfiles[].from[].pinned`).
 * A path yields every value it reaches; tests are "some value ..." except `empty` ("nothing there").
 */
import { isRecord } from '../parse';

export type Predicate =
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate }
  | {
      path: string;
      exists?: boolean;
      empty?: boolean;
      truthy?: boolean;
      equals?: unknown;
      in?: unknown[];
      gte?: number;
      lte?: number;
      matches?: string;
      /** Some element at `path` satisfies this predicate (evaluated with the element as root). */
      some?: Predicate;
    };

export function select(root: unknown, path: string): unknown[] {
  let values: unknown[] = [root];
  for (const raw of path.split('.')) {
    const flatten = raw.endsWith('[]');
    const key = flatten ? raw.slice(0, -2) : raw;
    const next: unknown[] = [];
    for (const v of values) {
      const child = key === '' ? v : isRecord(v) ? v[key] : undefined;
      if (child === undefined || child === null) continue;
      if (flatten) {
        if (Array.isArray(child)) next.push(...child);
        else if (isRecord(child)) next.push(...Object.values(child));
      } else next.push(child);
    }
    values = next;
  }
  return values;
}

function isEmptyValue(v: unknown): boolean {
  return v === '' || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
}

export function evaluate(p: Predicate, root: unknown): boolean {
  if ('all' in p) return p.all.every((q) => evaluate(q, root));
  if ('any' in p) return p.any.some((q) => evaluate(q, root));
  if ('not' in p) return !evaluate(p.not, root);
  const values = select(root, p.path);
  const checks: boolean[] = [];
  if (p.exists !== undefined) checks.push(values.length > 0 === p.exists);
  if (p.empty !== undefined) checks.push(values.every(isEmptyValue) === p.empty);
  if (p.truthy !== undefined) checks.push(values.some((v) => Boolean(v)) === p.truthy);
  if (p.equals !== undefined) checks.push(values.some((v) => v === p.equals));
  if (p.in !== undefined) checks.push(values.some((v) => p.in!.includes(v)));
  if (p.gte !== undefined) checks.push(values.some((v) => typeof v === 'number' && v >= p.gte!));
  if (p.lte !== undefined) checks.push(values.some((v) => typeof v === 'number' && v <= p.lte!));
  if (p.some !== undefined) checks.push(values.some((v) => evaluate(p.some!, v)));
  if (p.matches !== undefined) {
    const re = new RegExp(p.matches);
    checks.push(values.some((v) => typeof v === 'string' && re.test(v)));
  }
  return checks.length > 0 && checks.every(Boolean);
}

/**
 * Where a flag's evidence comes from: a path, or a path whose elements are filtered by a
 * predicate (evaluated on each element) and reduced to one field.
 *   evidence: { path: "deployment.images[]", where: { path: pinned, equals: false }, pick: ref }
 */
export type EvidenceSpec = string | { path: string; where?: Predicate; pick?: string };

/** Evidence values rendered as short strings (deduplicated, sorted, capped). */
export function evidence(root: unknown, spec: EvidenceSpec | undefined, cap = 20): string[] {
  if (!spec) return [];
  const { path, where, pick } = typeof spec === 'string' ? { path: spec, where: undefined, pick: undefined } : spec;
  let values = select(root, path);
  if (where) values = values.filter((v) => evaluate(where, v));
  if (pick) values = values.flatMap((v) => select(v, pick));
  const out = new Set<string>();
  for (const v of values) out.add(typeof v === 'string' ? v : JSON.stringify(v));
  return [...out].sort().slice(0, cap);
}
