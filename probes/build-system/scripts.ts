/**
 * Classifies package.json scripts as build/test/start/lint/dev/format/typecheck/other with the
 * rules of `catalogs/script-kinds.yaml`: the name decides first, then the command, and lifecycle
 * hooks (`pretest`) follow the script they wrap.
 */
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';

export type ScriptKind = 'build' | 'test' | 'start' | 'lint' | 'dev' | 'format' | 'typecheck' | 'other';

interface ScriptKindsCatalog {
  kinds: ScriptKind[];
  byName: Array<{ kind: ScriptKind; pattern: string }>;
  byCommand: Array<{ kind: ScriptKind; pattern: string }>;
}

export interface ClassifiedScript {
  name: string;
  command: string;
  kind: ScriptKind;
}

interface CompiledRules {
  kinds: ScriptKind[];
  byName: Array<{ kind: ScriptKind; re: RegExp }>;
  byCommand: Array<{ kind: ScriptKind; re: RegExp }>;
}

let compiled: CompiledRules | undefined;

function rules(): CompiledRules {
  if (!compiled) {
    const catalog = loadCatalog<ScriptKindsCatalog>('script-kinds');
    compiled = {
      kinds: catalog.kinds,
      byName: catalog.byName.map((r) => ({ kind: r.kind, re: new RegExp(r.pattern) })),
      byCommand: catalog.byCommand.map((r) => ({ kind: r.kind, re: new RegExp(r.pattern) })),
    };
  }
  return compiled;
}

/** Scripts longer than this are classified on their first part only (regexes over megabytes are wasted work). */
const MAX_COMMAND_SCAN = 4096;

function directKind(name: string, command: string): ScriptKind | undefined {
  const r = rules();
  const byName = r.byName.find((rule) => rule.re.test(name));
  if (byName) return byName.kind;
  const scanned = command.length > MAX_COMMAND_SCAN ? command.slice(0, MAX_COMMAND_SCAN) : command;
  return r.byCommand.find((rule) => rule.re.test(scanned))?.kind;
}

/** `scripts` is the raw package.json value; non-string commands are skipped (reported by the caller). */
export function classifyScripts(scripts: Record<string, string>): ClassifiedScript[] {
  const names = Object.keys(scripts).sort(byCodeUnit);
  const direct = new Map<string, ScriptKind | undefined>();
  for (const name of names) direct.set(name, directKind(name, scripts[name]));
  return names.map((name) => {
    let kind = direct.get(name);
    // npm runs `pretest`/`posttest` around `test`: they belong to what they wrap, whatever their command.
    const hook = /^(pre|post)(.+)$/.exec(name);
    if (hook && direct.has(hook[2])) kind = direct.get(hook[2]) ?? kind;
    return { name, command: scripts[name], kind: kind ?? 'other' };
  });
}

/** Script names per kind; every kind is present (possibly empty) so the shape never changes. */
export function namesByKind(scripts: readonly ClassifiedScript[]): Record<ScriptKind, string[]> {
  const out = Object.fromEntries(rules().kinds.map((k) => [k, [] as string[]])) as Record<ScriptKind, string[]>;
  for (const s of scripts) out[s.kind].push(s.name);
  return out;
}
