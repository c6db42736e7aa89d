/**
 * Bitbucket Pipelines (`bitbucket-pipelines.yml`): one pipeline per entry of `pipelines`
 * (`default`, `branches/<glob>`, `pull-requests/<glob>`, `tags/<glob>`, `custom/<name>`), its
 * steps (also inside `parallel` and `stage`) as jobs, images, services and pipes.
 */
import { array, entries, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { JobBuilder, pipeline } from './model';
import type { CiJob, CiPipeline } from './model';

const TRIGGER_OF: Record<string, string> = { default: 'push', branches: 'push', 'pull-requests': 'pull_request', tags: 'tag', custom: 'manual' };

function imageName(value: unknown): string | undefined {
  return nonEmpty(value) ?? nonEmpty(record(value)?.name);
}

function stepsIn(items: unknown, depth = 0): Json[] {
  const out: Json[] = [];
  if (depth > 5) return out;
  for (const raw of array(items)) {
    const item = record(raw);
    if (!item) continue;
    const step = record(item.step);
    if (step) out.push(step);
    const parallel = item.parallel;
    if (parallel !== undefined) out.push(...stepsIn(Array.isArray(parallel) ? parallel : record(parallel)?.steps, depth + 1));
    const stage = record(item.stage);
    if (stage) out.push(...stepsIn(stage.steps, depth + 1));
  }
  return out;
}

export function bitbucketPipelines(file: string, value: unknown): CiPipeline[] {
  const root = record(value) ?? {};
  const defaultImage = imageName(root.image);
  const serviceImages = new Map<string, string>();
  for (const [name, raw] of entries(record(root.definitions)?.services)) {
    const image = imageName(record(raw)?.image);
    if (image !== undefined) serviceImages.set(name, image);
  }
  const out: CiPipeline[] = [];
  const build = (pipelineName: string, trigger: string, items: unknown) => {
    const jobs: CiJob[] = stepsIn(items).map((step, i) => {
      const builder = new JobBuilder(`step${i + 1}`, nonEmpty(step.name) ?? null);
      builder.image(imageName(step.image) ?? defaultImage);
      for (const s of array(step.services)) {
        const name = nonEmpty(s);
        // `docker` is Bitbucket's built-in Docker-in-Docker service, not an image of yours.
        if (name !== undefined) builder.service(serviceImages.get(name) ?? (name === 'docker' ? undefined : name));
      }
      for (const line of array(step.script)) {
        const cmd = text(line);
        if (cmd !== undefined) builder.script(cmd);
        const pipe = nonEmpty(record(line)?.pipe);
        if (pipe !== undefined) builder.use(`pipe:${pipe}`);
      }
      for (const line of array(step['after-script'])) builder.script(text(line));
      return builder.build();
    });
    out.push(pipeline('bitbucket-pipelines', file, { name: pipelineName, triggers: [trigger], jobs }));
  };
  for (const [key, body] of entries(root.pipelines)) {
    const trigger = TRIGGER_OF[key] ?? key;
    if (key === 'default') build('default', trigger, body);
    else for (const [pattern, items] of entries(body)) build(`${key}/${pattern}`, trigger, Array.isArray(items) ? items : record(items)?.steps);
  }
  return out.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
}
