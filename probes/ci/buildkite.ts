/** Buildkite (`.buildkite/pipeline.yml` and friends): command steps (also in groups), plugins (the docker plugins' images), trigger steps. */
import { array, entries, list, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { expandShell } from './expand';
import type { Resolver } from './expand';
import { JobBuilder, pipeline } from './model';
import type { CiJob, CiPipeline } from './model';

/** Plugins whose `image` option is the container the step runs in. */
const DOCKER_PLUGINS = new Set(['docker', 'docker-compose', 'ecr']);

function pluginBase(name: string): string {
  const hash = name.indexOf('#');
  const bare = hash < 0 ? name : name.slice(0, hash);
  return bare.split('/').pop()!.replace(/-buildkite-plugin$/, '').toLowerCase();
}

function stepsIn(items: unknown, depth = 0): Array<Json | string> {
  const out: Array<Json | string> = [];
  if (depth > 5) return out;
  for (const raw of array(items)) {
    const s = record(raw);
    if (s && s.group !== undefined && s.steps !== undefined) out.push(...stepsIn(s.steps, depth + 1));
    else if (s) out.push(s);
  }
  return out;
}

export function buildkitePipeline(file: string, value: unknown): CiPipeline {
  // A pipeline file may be just the list of steps.
  const root = Array.isArray(value) ? { steps: value } : (record(value) ?? {});
  const env = new Map<string, string>();
  for (const [k, v] of entries(root.env)) if (text(v) !== undefined) env.set(k, text(v)!);
  const jobs: CiJob[] = [];
  const ids = new Set<string>();
  stepsIn(root.steps).forEach((raw, i) => {
    if (typeof raw === 'string') return;
    const step = raw;
    const trigger = nonEmpty(step.trigger);
    const commands = [...list(step.command), ...list(step.commands)].map((c) => text(c)).filter((c): c is string => c !== undefined);
    const plugins: Array<[string, unknown]> = [];
    // Plugins come as a list (`- docker#v5: {…}` or a bare name) or, in older files, as a mapping.
    for (const p of Array.isArray(step.plugins) ? step.plugins : [step.plugins]) {
      const bare = nonEmpty(p);
      if (bare !== undefined) plugins.push([bare, {}]);
      else plugins.push(...entries(p));
    }
    if (trigger === undefined && commands.length === 0 && plugins.length === 0) return;
    const label = nonEmpty(step.label) ?? nonEmpty(step.name) ?? null;
    let id = nonEmpty(step.key) ?? nonEmpty(step.id) ?? `step${i + 1}`;
    for (let n = 2; ids.has(id); n++) id = `${id} (${n})`;
    ids.add(id);
    const builder = new JobBuilder(id, label);
    const stepEnv = new Map(env);
    for (const [k, v] of entries(step.env)) if (text(v) !== undefined) stepEnv.set(k, text(v)!);
    const resolve: Resolver = (name) => (stepEnv.has(name) ? [stepEnv.get(name)!] : undefined);
    if (trigger !== undefined) builder.use(`trigger:${trigger}`);
    for (const [name, options] of plugins) {
      builder.use(name);
      const image = nonEmpty(record(options)?.image);
      if (image !== undefined && DOCKER_PLUGINS.has(pluginBase(name))) for (const v of expandShell(image, resolve)) builder.image(v);
    }
    for (const c of commands) builder.script(c);
    jobs.push(builder.build());
  });
  return pipeline('buildkite', file, { jobs });
}
