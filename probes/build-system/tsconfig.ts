/**
 * TypeScript configs: every `tsconfig*.json` among the probe's inputs, parsed as JSON5, with local
 * `extends` chains followed the way `tsc` resolves them (relative specifiers only; `.json` added
 * when the exact path does not exist; arrays applied left to right, the config itself last).
 * Package specifiers (`@tsconfig/node20/tsconfig.json`) would need node_modules, which we never
 * read: they are recorded as unresolved, never fatal. Cycles are detected, not followed.
 */
import { posix } from 'node:path';
import { byCodeUnit, isRecord, parseJson5 } from '../../tools/parse';
import type { ProbeContext, ProbeIssue } from '../../tools/probe-api';

export type ConfigStatus = 'ok' | 'empty' | 'parse-error' | 'not-an-object' | 'unreadable';
export type ExtendsStatus = 'resolved' | 'package' | 'absolute' | 'outside-project' | 'outside-inputs' | 'missing' | 'invalid';

export interface ExtendsRef {
  specifier: string;
  /** The project-relative path the specifier points to, when it points inside the project. */
  resolved: string | null;
  status: ExtendsStatus;
}

export interface CompilerFacts {
  strict: boolean | null;
  module: string | null;
  target: string | null;
  module_resolution: string | null;
  /** Project-relative, resolved against the config that set it (or `${configDir}`). */
  out_dir: string | null;
}

export interface TsconfigFact {
  path: string;
  status: ConfigStatus;
  extends: ExtendsRef[];
  /** Following `extends` from this config comes back to a config already on the chain. */
  extends_cycle: boolean;
  /** Effective values after the whole local `extends` chain; null when no config in it sets one. */
  compiler_options: CompilerFacts;
  references: Array<{ path: string; exists: boolean }>;
}

export const TSCONFIG_NAME = /^tsconfig[^/]*\.json$/;
/** tsc itself has no limit, but a real chain is a handful of files deep. */
const MAX_EXTENDS_DEPTH = 32;
/** Upper bound on chain steps per run, so a crafted lattice of configs cannot make us exponential. */
const MAX_STEPS = 20_000;
const MAX_REFERENCES = 1000;
const MAX_STRING = 200;

type OptionKey = keyof CompilerFacts;
interface OptionValue {
  value: string | boolean;
  /** The config that set it (for relative paths). */
  from: string;
}

interface Loaded {
  status: ConfigStatus;
  config: Record<string, unknown>;
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_STRING ? text.slice(0, MAX_STRING) : text;
}

function hasNoiseSegment(path: string): boolean {
  return path.split('/').includes('node_modules');
}

export function resolveExtends(
  specifier: string,
  fromPath: string,
  readable: ReadonlySet<string>,
  indexed: ReadonlySet<string>,
): ExtendsRef {
  const s = specifier.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[A-Za-z]:\//.test(s)) return { specifier, resolved: null, status: 'absolute' };
  const relative = s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../');
  // tsc resolves anything else like a module, through node_modules.
  if (!relative) return { specifier, resolved: null, status: 'package' };
  const joined = posix.normalize(posix.join(posix.dirname(fromPath), s));
  if (joined === '..' || joined.startsWith('../')) return { specifier, resolved: null, status: 'outside-project' };
  const candidates = joined.endsWith('.json') ? [joined] : [joined, `${joined}.json`];
  for (const c of candidates) if (readable.has(c)) return { specifier, resolved: c, status: 'resolved' };
  for (const c of candidates) if (indexed.has(c)) return { specifier, resolved: c, status: 'outside-inputs' };
  if (candidates.some(hasNoiseSegment)) return { specifier, resolved: null, status: 'package' };
  return { specifier, resolved: null, status: 'missing' };
}

function normalizeRelative(base: string, raw: string): string {
  const joined = posix.normalize(posix.join(base, raw));
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

export class TsconfigReader {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly refs = new Map<string, ExtendsRef[]>();
  private readonly acyclic = new Map<string, Map<OptionKey, OptionValue>>();
  private steps = 0;
  private stepLimitHit = false;
  readonly errors: ProbeIssue[] = [];
  readonly warnings: ProbeIssue[] = [];

  constructor(
    private readonly ctx: ProbeContext,
    private readonly readable: ReadonlySet<string>,
    private readonly indexed: ReadonlySet<string>,
  ) {}

  private load(path: string): Promise<Loaded> {
    let pending = this.loaded.get(path);
    if (!pending) {
      pending = this.read(path);
      this.loaded.set(path, pending);
    }
    return pending;
  }

  private async read(path: string): Promise<Loaded> {
    let text: string;
    try {
      text = await this.ctx.readText(path);
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'unreadable';
      this.errors.push({ code, file: path, message: `${path}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
      return { status: 'unreadable', config: {} };
    }
    if (text.trim() === '') {
      this.warnings.push({ code: 'empty-file', file: path, message: `${path}: empty TypeScript config, read as {}` });
      return { status: 'empty', config: {} };
    }
    const parsed = parseJson5(path, text);
    if (!parsed.ok) {
      this.errors.push(parsed.issue);
      return { status: 'parse-error', config: {} };
    }
    if (!isRecord(parsed.value)) {
      this.errors.push({ code: 'not-an-object', file: path, message: `${path}: a TypeScript config must be a JSON object` });
      return { status: 'not-an-object', config: {} };
    }
    return { status: 'ok', config: parsed.value };
  }

  private async extendsOf(path: string): Promise<ExtendsRef[]> {
    const known = this.refs.get(path);
    if (known) return known;
    const { config } = await this.load(path);
    const raw = config.extends;
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const refs = list.map((spec): ExtendsRef =>
      typeof spec === 'string' && spec.length > 0
        ? resolveExtends(short(spec), path, this.readable, this.indexed)
        : { specifier: short(spec), resolved: null, status: 'invalid' },
    );
    this.refs.set(path, refs);
    return refs;
  }

  private ownOptions(path: string, config: Record<string, unknown>): Map<OptionKey, OptionValue> {
    const own = new Map<OptionKey, OptionValue>();
    const options = config.compilerOptions;
    if (options === undefined) return own;
    if (!isRecord(options)) {
      this.warn(path, 'compilerOptions is not an object');
      return own;
    }
    if (options.strict !== undefined) {
      if (typeof options.strict === 'boolean') own.set('strict', { value: options.strict, from: path });
      else this.warn(path, 'compilerOptions.strict is not a boolean');
    }
    // tsc reads these enumerations case-insensitively: report them lower-cased so equal settings compare equal.
    for (const [key, out] of [['module', 'module'], ['target', 'target'], ['moduleResolution', 'module_resolution']] as const) {
      const v = options[key];
      if (v === undefined) continue;
      if (typeof v === 'string') own.set(out, { value: short(v.trim().toLowerCase()), from: path });
      else this.warn(path, `compilerOptions.${key} is not a string`);
    }
    if (options.outDir !== undefined) {
      if (typeof options.outDir === 'string') own.set('out_dir', { value: short(options.outDir), from: path });
      else this.warn(path, 'compilerOptions.outDir is not a string');
    }
    return own;
  }

  private warn(file: string, what: string): void {
    const message = `${file}: ${what}; ignored`;
    if (!this.warnings.some((w) => w.file === file && w.message === message)) this.warnings.push({ code: 'invalid-compiler-option', file, message });
  }

  /** Options after applying the chain under `path`; `cycle` when the chain loops back. */
  private async effective(path: string, stack: readonly string[]): Promise<{ options: Map<OptionKey, OptionValue>; cycle: boolean; cut: boolean }> {
    if (stack.includes(path)) return { options: new Map(), cycle: true, cut: false };
    const memo = this.acyclic.get(path);
    if (memo) return { options: memo, cycle: false, cut: false };
    if (stack.length >= MAX_EXTENDS_DEPTH || this.steps >= MAX_STEPS) {
      this.stepLimitHit = true;
      return { options: new Map(), cycle: false, cut: true };
    }
    this.steps++;
    const merged = new Map<OptionKey, OptionValue>();
    let cycle = false;
    let cut = false;
    const next = [...stack, path];
    for (const ref of await this.extendsOf(path)) {
      if (ref.status !== 'resolved' || ref.resolved === null) continue;
      const base = await this.effective(ref.resolved, next);
      cycle ||= base.cycle;
      cut ||= base.cut;
      for (const [k, v] of base.options) merged.set(k, v);
    }
    const { config } = await this.load(path);
    for (const [k, v] of this.ownOptions(path, config)) merged.set(k, v);
    // A result reached without a loop or a cut does not depend on the stack: safe to reuse.
    if (!cycle && !cut) this.acyclic.set(path, merged);
    return { options: merged, cycle, cut };
  }

  private finalize(rootPath: string, options: Map<OptionKey, OptionValue>): CompilerFacts {
    const get = (k: OptionKey) => options.get(k)?.value ?? null;
    let outDir: string | null = null;
    const out = options.get('out_dir');
    if (out && typeof out.value === 'string') {
      const raw = out.value.replace(/\\/g, '/');
      const template = /^\$\{configDir\}\/?/.exec(raw);
      if (template) outDir = normalizeRelative(posix.dirname(rootPath), raw.slice(template[0].length) || '.');
      else if (raw.startsWith('/') || /^[A-Za-z]:\//.test(raw)) {
        // An absolute path would leak the author's machine into the artifact.
        this.warnings.push({ code: 'absolute-path', file: out.from, message: `${out.from}: compilerOptions.outDir is absolute; not reported` });
      } else outDir = normalizeRelative(posix.dirname(out.from), raw);
    }
    const strict = get('strict');
    const asString = (v: string | boolean | null) => (typeof v === 'string' ? v : null);
    return {
      strict: typeof strict === 'boolean' ? strict : null,
      module: asString(get('module')),
      target: asString(get('target')),
      module_resolution: asString(get('module_resolution')),
      out_dir: outDir,
    };
  }

  private references(path: string, config: Record<string, unknown>): Array<{ path: string; exists: boolean }> {
    const raw = config.references;
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.warn(path, 'references is not an array');
      return [];
    }
    const out = new Map<string, boolean>();
    for (const entry of raw.slice(0, MAX_REFERENCES)) {
      if (!isRecord(entry) || typeof entry.path !== 'string' || entry.path.length === 0) continue;
      const target = normalizeRelative(posix.dirname(path), short(entry.path).replace(/\\/g, '/'));
      const file = target.endsWith('.json') ? target : normalizeRelative(target, 'tsconfig.json');
      out.set(file, this.readable.has(file) || this.indexed.has(file));
    }
    return [...out.entries()].sort(([a], [b]) => byCodeUnit(a, b)).map(([p, exists]) => ({ path: p, exists }));
  }

  async describe(path: string): Promise<TsconfigFact> {
    const { status, config } = await this.load(path);
    const refs = await this.extendsOf(path);
    const { options, cycle } = await this.effective(path, []);
    return {
      path,
      status,
      extends: refs,
      extends_cycle: cycle,
      compiler_options: this.finalize(path, options),
      references: this.references(path, config),
    };
  }

  /** Every config of `paths`, in code-unit order; issues sorted for a stable envelope. */
  async describeAll(paths: readonly string[]): Promise<TsconfigFact[]> {
    const sorted = [...paths].sort(byCodeUnit);
    const facts: TsconfigFact[] = [];
    // Sequential on purpose: issue order and memo state must not depend on I/O timing.
    for (const p of sorted) facts.push(await this.describe(p));
    if (this.stepLimitHit) {
      this.warnings.push({ code: 'extends-too-deep', message: `TypeScript extends chains deeper than ${MAX_EXTENDS_DEPTH} or too many to follow; some options may be missing` });
    }
    for (const f of facts) {
      if (f.extends_cycle) this.warnings.push({ code: 'extends-cycle', file: f.path, message: `${f.path}: its extends chain loops back on itself` });
      for (const ref of f.extends) {
        if (ref.status === 'missing') this.warnings.push({ code: 'extends-missing', file: f.path, message: `${f.path}: extends ${ref.specifier}, which does not exist` });
      }
    }
    return facts;
  }
}
