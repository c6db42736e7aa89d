/**
 * Shell scripts from CI steps, split into single commands and classified (install, build, test,
 * lint, deploy, other) by the rules in `catalogs/command-kinds.yaml`. Both functions take any
 * string and never throw; patterns are linear, and inputs are bounded below.
 */
import { loadCatalog } from '../../tools/catalog';

export const COMMAND_KINDS = ['install', 'build', 'test', 'lint', 'deploy', 'other'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/** Commands longer than this are cut (a minified one-liner is still one command). */
export const MAX_COMMAND_LENGTH = 2000;
/** Commands kept per script; a generated 10,000-line script is not a CI step anyone reads. */
export const MAX_COMMANDS_PER_SCRIPT = 500;

/** Words that only open or close shell blocks; removed from the start of a command. */
const LEADING_KEYWORDS = /^(?:(?:then|else|do|if|elif|while|until|time|!|\{|\()(?:\s+|$))+/;
/** Commands that are nothing but a block keyword or a loop/case header. */
const NOT_A_COMMAND = /^(?:fi|done|esac|\}|\)|;;|for\s.*|select\s.*|case\s.*\sin|function\s.*|[A-Za-z_][\w-]*\s*\(\)\s*\{?)$/;

function cleanCommand(raw: string): string | undefined {
  let cmd = raw.trim();
  for (let i = 0; i < 5; i++) {
    const next = cmd.replace(LEADING_KEYWORDS, '').trim();
    if (next === cmd) break;
    cmd = next;
  }
  if (cmd === '' || NOT_A_COMMAND.test(cmd)) return undefined;
  return cmd.length > MAX_COMMAND_LENGTH ? cmd.slice(0, MAX_COMMAND_LENGTH) : cmd;
}

/**
 * Splits a `run:`/`script:` body into commands: newlines, `;`, `&&`, `||` and `&` outside quotes
 * and `$( … )` separate commands; `\`-newline continues a line; `#` comments and heredoc bodies
 * are dropped; pipelines (`a | b`) stay one command.
 */
export function splitScript(script: string): string[] {
  const src = script.replace(/\r\n?/g, '\n');
  const out: string[] = [];
  let current = '';
  let depth = 0;
  let pendingHeredocs: Array<{ delimiter: string; strip: boolean }> = [];
  const flush = () => {
    if (out.length >= MAX_COMMANDS_PER_SCRIPT) return;
    const cmd = cleanCommand(current);
    if (cmd !== undefined) out.push(cmd);
    current = '';
  };
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === "'" || c === '"' || c === '`') {
      // Quoted text is copied whole, newlines included.
      let j = i + 1;
      while (j < n && src[j] !== c) j += c !== "'" && src[j] === '\\' ? 2 : 1;
      current += src.slice(i, Math.min(j + 1, n));
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      if (src[i + 1] === '\n') {
        // A continued line: its indentation becomes one space.
        i += 2;
        while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
        if (current !== '' && !/\s$/.test(current)) current += ' ';
        continue;
      }
      current += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '#' && (current === '' || /[\s;&|(]$/.test(current))) {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '<' && src[i + 1] === '<' && src[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/.exec(src.slice(i, i + 80));
      if (m) {
        pendingHeredocs.push({ delimiter: m[3], strip: m[1] === '-' });
        current += m[0];
        i += m[0].length;
        continue;
      }
    }
    if (c === '(') depth++;
    if (c === ')' && depth > 0) depth--;
    if (c === '\n') {
      if (depth > 0 && pendingHeredocs.length === 0) {
        current += ' ';
        i++;
        continue;
      }
      flush();
      i++;
      // Heredoc bodies follow the line that opened them; skip them up to each delimiter line.
      for (const h of pendingHeredocs) {
        while (i < n) {
          const end = src.indexOf('\n', i);
          const line = src.slice(i, end < 0 ? n : end);
          i = end < 0 ? n : end + 1;
          if ((h.strip ? line.replace(/^\t+/, '') : line).trim() === h.delimiter) break;
        }
      }
      pendingHeredocs = [];
      depth = 0;
      continue;
    }
    if (depth === 0 && (c === ';' || c === '&' || (c === '|' && src[i + 1] === '|'))) {
      // `&>` and `>&` are redirections, not separators.
      if (c === '&' && (src[i + 1] === '>' || current.endsWith('>'))) {
        current += c;
        i++;
        continue;
      }
      flush();
      i += (c === '&' && src[i + 1] === '&') || c === '|' || (c === ';' && src[i + 1] === ';') ? 2 : 1;
      continue;
    }
    current += c;
    i++;
  }
  flush();
  return out;
}

interface CommandCatalog {
  prefixes: string[];
  rules: Array<{ kind?: CommandKind; pattern?: string; runner?: string }>;
  targets: Array<{ kind: CommandKind; words: string[] }>;
}

interface CompiledRules {
  prefix: RegExp;
  rules: Array<{ kind: CommandKind | null; pattern: RegExp }>;
  targets: Array<{ kind: CommandKind; words: Set<string> }>;
}

let compiled: CompiledRules | undefined;

function rules(): CompiledRules {
  if (compiled) return compiled;
  const raw = loadCatalog<CommandCatalog>('command-kinds');
  compiled = {
    prefix: new RegExp(`^(?:${raw.prefixes.join('|')})`),
    rules: raw.rules.map((r) => ({ kind: r.kind ?? null, pattern: new RegExp((r.runner ?? r.pattern)!) })),
    targets: raw.targets.map((t) => ({ kind: t.kind, words: new Set(t.words) })),
  };
  return compiled;
}

/** `NAME=value` (quoted values included) at the start of a command; one unit per step, so linear. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])*\s+/;

/** The command with environment assignments and wrappers (`sudo`, `npx`, `cross-env`, …) removed. */
export function normalizeCommand(command: string): string {
  let cmd = command.trim().slice(0, MAX_COMMAND_LENGTH);
  const { prefix } = rules();
  for (let i = 0; i < 10; i++) {
    const next = cmd.replace(ASSIGNMENT, '').replace(prefix, '').trimStart();
    if (next === cmd) break;
    cmd = next;
  }
  return cmd;
}

/** Kind of a script or task name (`test:unit`, `build-storybook`, `lint`), or null. */
export function targetKind(target: string): CommandKind | null {
  const words = target.toLowerCase().split(/[:._/-]+/).filter(Boolean);
  const whole = target.toLowerCase();
  for (const t of rules().targets) {
    if (t.words.has(whole) || words.some((w) => t.words.has(w))) return t.kind;
  }
  return null;
}

export function classifyCommand(command: string): CommandKind {
  const cmd = normalizeCommand(command);
  for (const rule of rules().rules) {
    const m = rule.pattern.exec(cmd);
    if (!m) continue;
    if (rule.kind) return rule.kind;
    const target = m.groups?.target;
    const kind = target === undefined ? null : targetKind(target);
    if (kind) return kind;
  }
  return 'other';
}
