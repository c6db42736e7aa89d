/**
 * Dockerfile reading, as text: parser directives (`# escape=`), comments, line continuations
 * (also across comment and blank lines, as BuildKit does), heredocs, and the instructions the
 * deployment slice needs. Never throws; anything it cannot make sense of is left out.
 */
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { sortedNumbers, sortedUnique } from './sorted';

export interface Instruction {
  /** Upper-cased keyword (`FROM`, `RUN`, …). */
  keyword: string;
  /** Arguments after the keyword, continuation lines joined. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface ParsedDockerfile {
  escape: string;
  /** The `# syntax=` directive, when present. */
  syntax: string | null;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

/** Splits a Dockerfile into instructions. */
export function parseDockerfileInstructions(source: string): ParsedDockerfile {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const lines = text.split(/\r\n|\r|\n/);
  let escape = '\\';
  let syntax: string | null = null;
  let i = 0;
  // Parser directives: only at the very top, before any blank line, comment or instruction.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const name = m[1].toLowerCase();
    if (seen.has(name)) break;
    seen.add(name);
    if (name === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
    else if (name === 'syntax') syntax = m[2];
  }

  const instructions: Instruction[] = [];
  const isComment = (line: string) => /^\s*#/.test(line);
  const continues = (line: string) => {
    // Docker's rule: the escape character, then only spaces or tabs, ends the line.
    const trimmed = line.replace(/[ \t]+$/, '');
    return trimmed.endsWith(escape) ? trimmed.slice(0, -1) : undefined;
  };
  while (i < lines.length) {
    const start = i;
    const first = lines[i++];
    if (first.trim() === '' || isComment(first)) continue;
    let logical = '';
    let current: string | undefined = first;
    for (;;) {
      const joined = continues(current);
      if (joined === undefined) {
        logical += current;
        break;
      }
      logical += joined;
      // Comment and blank lines inside a continuation are dropped, not ends of the instruction.
      while (i < lines.length && (lines[i].trim() === '' || isComment(lines[i]))) i++;
      if (i >= lines.length) break;
      current = lines[i++];
    }
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical);
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    const args = m[2].trim();
    if (HEREDOC_KEYWORDS.has(keyword)) {
      // Skip heredoc bodies so their lines are never read as instructions.
      for (const h of args.matchAll(HEREDOC)) {
        const strip = h[1] === '-';
        const delimiter = h[3];
        while (i < lines.length) {
          const body = strip ? lines[i].replace(/^\t+/, '') : lines[i];
          i++;
          if (body === delimiter) break;
        }
      }
    }
    instructions.push({ keyword, args, line: start + 1 });
  }
  return { escape, syntax, instructions };
}

/** `${VAR}`, `$VAR`, `${VAR:-word}`, `${VAR:+word}`, `${VAR-word}`, `${VAR+word}`; unknown variables stay as written. */
export function substitute(value: string, vars: ReadonlyMap<string, string | undefined>, escape = '\\'): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const out = value.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced, op, word, bare, offset: number) => {
    if (offset > 0 && value[offset - 1] === escape) return whole;
    const name = (braced ?? bare) as string;
    const known = vars.has(name);
    const current = vars.get(name);
    const set = known && current !== undefined;
    const nonEmptySet = set && current !== '';
    switch (op as string | undefined) {
      case ':-':
        return nonEmptySet ? current! : (word as string);
      case '-':
        return set ? current! : (word as string);
      case ':+':
        return nonEmptySet ? (word as string) : '';
      case '+':
        return set ? (word as string) : '';
      default:
        if (set) return current!;
        unresolved.push(name);
        return whole;
    }
  });
  return { value: out, unresolved: [...new Set(unresolved)].sort() };
}

/** `ARG A=1 B="x" C` → [[A,'1'],[B,'x'],[C,undefined]]. */
export function parseAssignments(args: string, legacyEnv = false): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  if (legacyEnv) {
    // `ENV KEY value with spaces` (no `=` in the first word).
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)\s+([\s\S]*)$/.exec(args);
    if (m && !m[1].includes('=')) return [[m[1], unquote(m[2].trim())]];
  }
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of args.matchAll(re)) {
    if (m.index !== undefined && m.index > 0 && !/\s/.test(args[m.index - 1])) continue;
    out.push([m[1], m[2] === undefined ? undefined : unquote(m[2])]);
  }
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
    return value.slice(1, -1);
  }
  return value;
}

export type Command = { form: 'exec'; args: string[]; line: number } | { form: 'shell'; command: string; line: number };

/** CMD/ENTRYPOINT/SHELL arguments: a JSON array of strings is the exec form; anything else is the shell form (as Docker decides). */
export function parseCommand(args: string, line: number): Command {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { form: 'exec', args: value as string[], line };
    } catch {
      // Not valid JSON: Docker runs it through the shell, and so do we.
    }
  }
  return { form: 'shell', command: trimmed, line };
}

export interface FromFacts extends Omit<ImageRef, 'ref' | 'pin' | 'pinned'> {
  /** Null for a stage reference or `scratch`: nothing is pulled, so pinning does not apply. */
  pin: ImageRef['pin'] | null;
  pinned: boolean | null;
  line: number;
  /** The image argument as written (before ARG substitution). */
  raw: string;
  /** After substituting ARG defaults declared before the first FROM. */
  image: string;
  kind: 'image' | 'stage' | 'scratch';
  platform: string | null;
  /** ARGs the FROM line uses that have no default. */
  unresolved_args: string[];
}

export interface StageFacts {
  index: number;
  name: string | null;
  from: FromFacts;
  cmd: Command | null;
  entrypoint: Command | null;
  user: string | null;
  expose: string[];
}

export interface DockerfileFacts {
  syntax: string | null;
  stages: StageFacts[];
  /** The last stage: what `docker build` produces without `--target`. */
  final_stage: { index: number; name: string | null } | null;
  /** Effective values of the final stage, inherited through `FROM <stage>` chains. */
  cmd: Command | null;
  entrypoint: Command | null;
  user: string | null;
  expose: string[];
  /** External base images (not stage references, not scratch), sorted. */
  base_images: string[];
  node_majors: number[];
  /** Instructions seen before the first FROM other than ARG (Docker rejects them). */
  instructions_before_from: number;
}

function parseFrom(args: string, line: number, globals: ReadonlyMap<string, string | undefined>, stages: readonly StageFacts[], escape: string) {
  const words = args.split(/\s+/).filter(Boolean);
  let platform: string | null = null;
  while (words.length > 0 && words[0].startsWith('--')) {
    const flag = words.shift()!;
    const m = /^--platform=(.*)$/.exec(flag);
    if (m) platform = m[1];
  }
  const raw = words[0] ?? '';
  let name: string | null = null;
  if (words.length >= 3 && words[1].toLowerCase() === 'as') name = words[2];
  const { value: image, unresolved } = substitute(raw, globals, escape);
  const known = stages.find((s) => s.name !== null && s.name.toLowerCase() === image.toLowerCase());
  const kind: FromFacts['kind'] = known ? 'stage' : image.toLowerCase() === 'scratch' ? 'scratch' : 'image';
  const ref = parseImageRef(image);
  const from: FromFacts = {
    line,
    raw,
    image,
    kind,
    platform,
    unresolved_args: unresolved,
    registry: kind === 'image' ? ref.registry : null,
    repository: kind === 'image' ? ref.repository : image,
    tag: kind === 'image' ? ref.tag : null,
    digest: kind === 'image' ? ref.digest : null,
    pin: kind === 'image' ? ref.pin : null,
    pinned: kind === 'image' ? ref.pinned : null,
    node_version: kind === 'image' ? ref.node_version : null,
    node_major: kind === 'image' ? ref.node_major : null,
  };
  return { from, name, baseStage: known };
}

/** Facts of one Dockerfile. */
export function analyzeDockerfile(source: string): DockerfileFacts {
  const parsed = parseDockerfileInstructions(source);
  const globals = new Map<string, string | undefined>();
  const stages: StageFacts[] = [];
  // Per stage: inherited values come from a previous stage named in FROM.
  let vars = new Map<string, string | undefined>();
  let before = 0;
  let cmdSetHere = false;
  for (const ins of parsed.instructions) {
    const stage = stages[stages.length - 1];
    if (ins.keyword === 'FROM') {
      const { from, name, baseStage } = parseFrom(ins.args, ins.line, globals, stages, parsed.escape);
      stages.push({
        index: stages.length,
        name,
        from,
        cmd: baseStage?.cmd ?? null,
        entrypoint: baseStage?.entrypoint ?? null,
        user: baseStage?.user ?? null,
        expose: baseStage ? [...baseStage.expose] : [],
      });
      vars = new Map();
      cmdSetHere = false;
      continue;
    }
    if (!stage) {
      if (ins.keyword === 'ARG') for (const [k, v] of parseAssignments(ins.args)) globals.set(k, v === undefined ? undefined : substitute(v, globals, parsed.escape).value);
      else before++;
      continue;
    }
    switch (ins.keyword) {
      case 'ARG':
        for (const [k, v] of parseAssignments(ins.args)) {
          // A bare `ARG X` inside a stage brings the global default into scope.
          vars.set(k, v === undefined ? globals.get(k) : substitute(v, vars, parsed.escape).value);
        }
        break;
      case 'ENV':
        for (const [k, v] of parseAssignments(ins.args, true)) vars.set(k, v === undefined ? '' : substitute(v, vars, parsed.escape).value);
        break;
      case 'CMD':
        stage.cmd = parseCommand(ins.args, ins.line);
        cmdSetHere = true;
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = parseCommand(ins.args, ins.line);
        // Docker: an ENTRYPOINT clears a CMD inherited from the base, not one set in this stage.
        if (!cmdSetHere) stage.cmd = null;
        break;
      case 'USER':
        stage.user = substitute(ins.args.trim(), vars, parsed.escape).value || null;
        break;
      case 'EXPOSE':
        for (const word of ins.args.split(/\s+/).filter(Boolean)) {
          const port = substitute(word, vars, parsed.escape).value.toLowerCase();
          if (!stage.expose.includes(port)) stage.expose.push(port);
        }
        break;
      default:
        break;
    }
  }
  for (const s of stages) s.expose = sortedUnique(s.expose);
  const last = stages[stages.length - 1];
  const images = stages.filter((s) => s.from.kind === 'image').map((s) => s.from);
  return {
    syntax: parsed.syntax,
    stages,
    final_stage: last ? { index: last.index, name: last.name } : null,
    cmd: last?.cmd ?? null,
    entrypoint: last?.entrypoint ?? null,
    user: last?.user ?? null,
    expose: last ? [...last.expose] : [],
    base_images: sortedUnique(images.map((f) => f.image)),
    node_majors: sortedNumbers(images.map((f) => f.node_major).filter((m): m is number => m !== null)),
    instructions_before_from: before,
  };
}
