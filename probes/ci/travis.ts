/** Travis CI (`.travis.yml`): the default job and every `jobs.include`/`matrix.include` entry, with their phases' commands and `node_js` versions. */
import { array, list, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { JobBuilder, pipeline } from './model';
import type { CiJob, CiPipeline } from './model';

/** Travis phases in the order they run. */
const PHASES = ['before_install', 'install', 'before_script', 'script', 'before_cache', 'after_success', 'after_failure', 'before_deploy', 'after_deploy', 'after_script'];

function jobFacts(id: string, name: string | null, job: Json): CiJob {
  const builder = new JobBuilder(id, name);
  for (const v of list(job.node_js)) builder.nodeVersion(text(v));
  for (const phase of PHASES) {
    if (phase === 'before_deploy') {
      // Deploy providers sit between before_deploy and after_deploy.
      for (const line of list(job.before_deploy)) builder.script(text(line));
      for (const d of list(job.deploy)) {
        const provider = nonEmpty(record(d)?.provider);
        if (provider !== undefined) builder.use(`deploy:${provider}`);
        for (const line of list(record(d)?.script)) builder.script(text(line));
      }
      continue;
    }
    for (const line of list(job[phase])) builder.script(text(line));
  }
  return builder.build();
}

export function travisConfig(file: string, value: unknown): CiPipeline {
  const root = record(value) ?? {};
  const includes = [...array(record(root.jobs)?.include), ...array(record(root.matrix)?.include)];
  const jobs: CiJob[] = [jobFacts('default', null, root)];
  includes.forEach((raw, i) => {
    const entry = record(raw);
    if (!entry) return;
    // An include inherits the top-level configuration and overrides what it sets.
    const merged: Json = { ...root, ...entry };
    const name = nonEmpty(entry.name) ?? null;
    const stage = nonEmpty(entry.stage);
    jobs.push(jobFacts(`include${i + 1}`, name ?? (stage !== undefined ? stage : null), merged));
  });
  const uses = array(root.import).map((i) => nonEmpty(i) ?? nonEmpty(record(i)?.source)).filter((s): s is string => s !== undefined);
  return pipeline('travis', file, { uses, jobs });
}
