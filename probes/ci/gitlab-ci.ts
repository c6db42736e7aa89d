/**
 * GitLab CI (`.gitlab-ci.yml`): jobs with `extends` and `default:` inheritance applied, `!reference`
 * tags in scripts resolved, images and services, `parallel:matrix` expanded into image variables,
 * triggers read from `workflow:rules`, job `rules` and `only`.
 */
import { isRecord } from '../../tools/parse';
import { array, entries, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { expandShell } from './expand';
import type { Resolver } from './expand';
import { JobBuilder, pipeline, sortJobs } from './model';
import type { CiJob, CiPipeline } from './model';

/** Top-level keys that are not jobs. */
const RESERVED = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'types', 'spec']);
/** Keys `default:` (and the old top-level globals) give every job that does not set them. */
const DEFAULTABLE = ['image', 'services', 'before_script', 'after_script'];
/** GitLab's own limit on `extends` depth. */
const MAX_EXTENDS_DEPTH = 11;

/** GitLab's `extends` merge: mappings merge recursively, everything else is replaced. */
function deepMerge(base: Json, over: Json, depth = 0): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = record(out[k]);
    const o = record(v);
    out[k] = b && o && depth < 20 ? deepMerge(b, o, depth + 1) : v;
  }
  return out;
}

/**
 * A job with its `extends` chain merged in. Memoised per name, so shared templates are merged once
 * (a hostile file cannot make the fan-out exponential); a cycle stops at the repeated name.
 */
function extendsResolver(doc: Json): (name: string) => Json | undefined {
  const done = new Map<string, Json | undefined>();
  const active = new Set<string>();
  const resolve = (name: string, depth: number): Json | undefined => {
    if (done.has(name)) return done.get(name);
    const own = record(doc[name]);
    if (!own || depth > MAX_EXTENDS_DEPTH || active.has(name)) return own;
    active.add(name);
    const bases = Array.isArray(own.extends) ? own.extends : own.extends === undefined ? [] : [own.extends];
    let merged: Json = {};
    for (const base of bases) {
      const baseName = nonEmpty(base);
      const resolved = baseName === undefined ? undefined : resolve(baseName, depth + 1);
      if (resolved) merged = deepMerge(merged, resolved);
    }
    active.delete(name);
    const { extends: _ignored, ...rest } = own;
    const result = deepMerge(merged, rest);
    done.set(name, result);
    return result;
  };
  return (name) => resolve(name, 0);
}

/** Script lines; nested lists are flattened and `!reference [job, key]` lists resolved (the tag itself is lost in parsing). */
function scriptLines(value: unknown, doc: Json, depth = 0): string[] {
  const single = text(value);
  if (single !== undefined) return [single];
  if (!Array.isArray(value) || depth > 10) return [];
  const out: string[] = [];
  for (const item of value) {
    if (Array.isArray(item)) {
      const path = item.map((p) => text(p));
      const isReference = path.length >= 2 && path.every((p) => p !== undefined) && isRecord(doc[path[0]!]);
      if (isReference) {
        let node: unknown = doc;
        for (const key of path) node = record(node)?.[key!];
        out.push(...scriptLines(node, doc, depth + 1));
      } else out.push(...scriptLines(item, doc, depth + 1));
    } else {
      const t = text(item);
      if (t !== undefined) out.push(t);
    }
  }
  return out;
}

function variablesOf(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of entries(value)) {
    const t = text(v) ?? text(record(v)?.value);
    if (t !== undefined) out.set(k, t);
  }
  return out;
}

const SOURCE_IN_RULE = /\$CI_PIPELINE_SOURCE\s*==\s*["']([\w-]+)["']/g;
const ONLY_KEYWORDS: Record<string, string> = {
  merge_requests: 'merge_request_event',
  tags: 'tag',
  schedules: 'schedule',
  branches: 'push',
  pushes: 'push',
  web: 'web',
  api: 'api',
  triggers: 'trigger',
  pipelines: 'pipeline',
  external: 'external',
  external_pull_requests: 'external_pull_request_event',
  chat: 'chat',
};

function triggersFromRules(rules: unknown, into: Set<string>) {
  for (const raw of array(rules)) {
    const condition = text(record(raw)?.if);
    if (condition === undefined) continue;
    for (const m of condition.matchAll(SOURCE_IN_RULE)) into.add(m[1]);
    if (/\$CI_MERGE_REQUEST_I?ID\b/.test(condition)) into.add('merge_request_event');
    if (/\$CI_COMMIT_TAG\b/.test(condition)) into.add('tag');
    if (/\$CI_COMMIT_BRANCH\b/.test(condition)) into.add('push');
  }
}

function triggersFromOnly(only: unknown, into: Set<string>) {
  const refs = Array.isArray(only) || typeof only === 'string' ? only : record(only)?.refs;
  for (const raw of array(refs).length > 0 ? array(refs) : refs === undefined ? [] : [refs]) {
    const ref = text(raw);
    if (ref === undefined) continue;
    // A branch name or pattern means "on pushes to it".
    into.add(ONLY_KEYWORDS[ref] ?? 'push');
  }
}

function includeRefs(include: unknown): string[] {
  const out: string[] = [];
  for (const raw of array(include).length > 0 ? array(include) : include === undefined ? [] : [include]) {
    const t = nonEmpty(raw);
    if (t !== undefined) {
      out.push(t.startsWith('http://') || t.startsWith('https://') ? `remote:${t}` : `local:${t}`);
      continue;
    }
    const r = record(raw);
    if (!r) continue;
    for (const key of ['local', 'template', 'remote', 'component']) {
      const v = nonEmpty(r[key]);
      if (v !== undefined) out.push(`${key}:${v}`);
    }
    const project = nonEmpty(r.project);
    if (project !== undefined) {
      const files = array(r.file).length > 0 ? array(r.file) : [r.file];
      for (const f of files) out.push(`project:${project}${nonEmpty(f) ? `:${nonEmpty(f)}` : ''}`);
    }
  }
  return out;
}

function imageName(value: unknown): string | undefined {
  return nonEmpty(value) ?? nonEmpty(record(value)?.name);
}

function jobFacts(id: string, job: Json, doc: Json, globals: Map<string, string>, triggers: Set<string>): CiJob {
  const builder = new JobBuilder(id);
  const defaults = record(doc.default) ?? {};
  const inherit = record(job.inherit)?.default;
  const inherits = (key: string) => inherit === undefined || inherit === true || (Array.isArray(inherit) && inherit.includes(key));
  const effective: Json = { ...job };
  for (const key of DEFAULTABLE) {
    if (effective[key] !== undefined || !inherits(key)) continue;
    effective[key] = defaults[key] ?? doc[key];
  }
  const variables = new Map([...globals, ...variablesOf(job.variables)]);
  const matrix = array(record(job.parallel)?.matrix);
  const resolve: Resolver = (name) => {
    const values: string[] = [];
    for (const entry of matrix) for (const v of array(record(entry)?.[name]).length > 0 ? array(record(entry)?.[name]) : [record(entry)?.[name]]) {
      const t = text(v);
      if (t !== undefined) values.push(t);
    }
    if (values.length > 0) return values;
    const v = variables.get(name);
    return v === undefined ? undefined : [v];
  };
  const expand = (value: string | undefined) => (value === undefined ? [] : expandShell(value, resolve));
  for (const image of expand(imageName(effective.image))) builder.image(image);
  for (const s of array(effective.services)) for (const image of expand(imageName(s))) builder.service(image);
  for (const key of ['before_script', 'script', 'after_script']) for (const line of scriptLines(effective[key], doc)) builder.script(line);
  const trigger = effective.trigger;
  const child = nonEmpty(trigger) ?? nonEmpty(record(trigger)?.project) ?? includeRefs(record(trigger)?.include)[0];
  if (child !== undefined) builder.use(`trigger:${child}`);
  triggersFromRules(effective.rules, triggers);
  triggersFromOnly(effective.only, triggers);
  return builder.build();
}

export function gitlabPipeline(file: string, value: unknown): CiPipeline {
  const doc = record(value) ?? {};
  const globals = variablesOf(doc.variables);
  const triggers = new Set<string>();
  triggersFromRules(record(doc.workflow)?.rules, triggers);
  const jobs: CiJob[] = [];
  const resolveExtends = extendsResolver(doc);
  for (const [id, raw] of Object.entries(doc)) {
    // Hidden keys (`.template`) are templates, not jobs.
    if (RESERVED.has(id) || id.startsWith('.') || !isRecord(raw)) continue;
    const job = resolveExtends(id);
    if (job) jobs.push(jobFacts(id, job, doc, globals, triggers));
  }
  return pipeline('gitlab-ci', file, { triggers: [...triggers], uses: includeRefs(doc.include), jobs: sortJobs(jobs) });
}
