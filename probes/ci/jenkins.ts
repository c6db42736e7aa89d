/**
 * Jenkinsfiles, read as text (never evaluated): a small Groovy tokenizer (strings of every quoting
 * style, comments, braces) finds stages, `sh`/`bat`/`powershell` steps, docker agent images,
 * `tools { nodejs … }`, triggers and shared libraries. Scripted and declarative pipelines alike.
 */
import { JobBuilder, pipeline } from './model';
import type { CiJob, CiPipeline } from './model';

type Token = { type: 'ident'; value: string } | { type: 'string'; value: string } | { type: 'punct'; value: string };

/** Tokens kept per file; a Jenkinsfile is a few hundred lines, this only bounds hostile input. */
const MAX_TOKENS = 200_000;

export function tokenizeGroovy(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  while (i < n && tokens.length < MAX_TOKENS) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\uFEFF') {
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      const triple = source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      let value = '';
      while (j < n && !source.startsWith(quote, j)) {
        if (!triple && source[j] === '\n') break;
        if (source[j] === '\\' && j + 1 < n) {
          const e = source[j + 1];
          // Groovy escapes; `\` before a newline continues a line inside the string.
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === '\n' ? '' : e;
          j += 2;
          continue;
        }
        value += source[j++];
      }
      tokens.push({ type: 'string', value });
      i = j + (source.startsWith(quote, j) ? quote.length : 0);
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(source[j])) j++;
      tokens.push({ type: 'ident', value: source.slice(i, j) });
      i = j;
    } else {
      tokens.push({ type: 'punct', value: c });
      i++;
    }
  }
  return tokens;
}

const SHELL_STEPS = new Set(['sh', 'bat', 'powershell', 'pwsh']);
const TRIGGERS = new Set(['cron', 'pollSCM', 'upstream', 'githubPush', 'gitlab', 'bitbucketPush', 'GenericTrigger', 'issueCommentTrigger', 'parameterizedCron']);

/** The string argument of a step call starting at token `k` (after the step name): `sh 'x'`, `sh('x')`, `sh script: 'x'`, `sh(label: 'a', script: 'x')`. */
function stepArgument(tokens: Token[], k: number, named = 'script'): string | undefined {
  let j = k;
  const paren = tokens[j]?.value === '(';
  if (paren) j++;
  const first = tokens[j];
  if (first?.type === 'string' && tokens[j + 1]?.value !== ':') return first.value;
  // Named arguments: look for `script:` before the call ends.
  let depth = 0;
  for (; j < tokens.length && j < k + 200; j++) {
    const t = tokens[j];
    if (t.type === 'punct' && (t.value === '(' || t.value === '[')) depth++;
    if (t.type === 'punct' && (t.value === ')' || t.value === ']')) {
      if (depth === 0) break;
      depth--;
    }
    if (t.type === 'punct' && (t.value === '{' || t.value === '}')) break;
    if (t.type === 'ident' && t.value === named && tokens[j + 1]?.value === ':' && tokens[j + 2]?.type === 'string') return tokens[j + 2].value;
  }
  return undefined;
}

interface Frame {
  builder: JobBuilder;
  depth: number;
}

export function jenkinsPipeline(file: string, source: string): CiPipeline {
  const tokens = tokenizeGroovy(source);
  const triggers = new Set<string>();
  const libraries = new Set<string>();
  const pipelineJob = new JobBuilder('(pipeline)');
  const stages: JobBuilder[] = [];
  const stack: Frame[] = [];
  const ids = new Set<string>();
  let depth = 0;
  let triggersDepth = -1;
  let pendingStage: JobBuilder | undefined;
  const current = () => stack[stack.length - 1]?.builder ?? pipelineJob;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type === 'punct') {
      if (t.value === '{') {
        depth++;
        if (pendingStage) {
          stack.push({ builder: pendingStage, depth });
          pendingStage = undefined;
        }
      } else if (t.value === '}') {
        if (stack.length > 0 && stack[stack.length - 1].depth === depth) stack.pop();
        if (triggersDepth === depth) triggersDepth = -1;
        depth = Math.max(0, depth - 1);
      }
      continue;
    }
    if (t.type === 'string') {
      // `@Library('shared-lib@v1') _`
      if (tokens[k - 1]?.value === '(' && tokens[k - 2]?.value === 'Library' && tokens[k - 3]?.value === '@') libraries.add(t.value);
      continue;
    }
    const next = tokens[k + 1];
    switch (t.value) {
      case 'stage': {
        const name = stepArgument(tokens, k + 1, 'name');
        if (name === undefined) break;
        const base = name.trim() === '' ? '(unnamed stage)' : name;
        let id = base;
        for (let n = 2; ids.has(id); n++) id = `${base} (${n})`;
        ids.add(id);
        pendingStage = new JobBuilder(id);
        stages.push(pendingStage);
        break;
      }
      case 'triggers':
        if (next?.value === '{') triggersDepth = depth + 1;
        break;
      case 'pipelineTriggers':
        triggersDepth = depth;
        break;
      case 'image':
        // `docker { image 'node:20' }`, `docker.image('node:20')`.
        if (next?.type === 'string') current().image(next.value);
        else if (next?.value === '(' && tokens[k + 2]?.type === 'string') current().image(tokens[k + 2].value);
        break;
      case 'docker':
        // `agent { docker 'node:20' }`
        if (next?.type === 'string') current().image(next.value);
        break;
      case 'nodejs':
        // `tools { nodejs 'node-20' }` names a tool installation; recorded as written.
        if (next?.type === 'string') current().nodeVersion(next.value);
        else if (next?.value === '(' && tokens[k + 2]?.type === 'string') current().nodeVersion(tokens[k + 2].value);
        break;
      case 'nvm':
        if (next?.value === '(' && tokens[k + 2]?.type === 'string') current().nodeVersion(tokens[k + 2].value);
        break;
      default:
        if (SHELL_STEPS.has(t.value)) {
          const script = stepArgument(tokens, k + 1);
          if (script !== undefined) current().script(script);
        } else if (TRIGGERS.has(t.value) && triggersDepth >= 0) {
          triggers.add(t.value);
        }
    }
  }
  const outside = pipelineJob.build();
  // A top-level `agent`/`tools` applies to every stage that does not set its own.
  const jobs: CiJob[] = stages.map((s) => {
    const job = s.build();
    return {
      ...job,
      images: job.images.length > 0 ? job.images : outside.images,
      node_versions: job.node_versions.length > 0 ? job.node_versions : outside.node_versions,
    };
  });
  if (outside.commands.length > 0 || (stages.length === 0 && (outside.images.length > 0 || outside.node_versions.length > 0))) jobs.unshift(outside);
  return pipeline('jenkins', file, { triggers: [...triggers], uses: [...libraries].map((l) => `library:${l}`), jobs });
}
