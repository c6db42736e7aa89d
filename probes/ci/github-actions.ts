/** GitHub Actions workflows (`.github/workflows/*.yml`): triggers, jobs, setup-node versions and matrices, containers, run commands. */
import { loadCatalog } from '../../tools/catalog';
import { array, at, entries, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { expandTemplate, GITHUB_EXPRESSION } from './expand';
import type { Resolver } from './expand';
import { JobBuilder, pipeline, sortJobs } from './model';
import type { CiPipeline } from './model';

interface SetupNodeCatalog {
  setupNode: { githubActions: Array<{ uses: string; version?: string; file?: string }> };
}

/** The action name of a `uses:` reference, lower-cased, without `@ref` (`actions/setup-node`). */
function actionName(uses: string): string {
  const at = uses.indexOf('@');
  return (at < 0 ? uses : uses.slice(0, at)).trim().toLowerCase();
}

/** Values a matrix gives `path` (`node`, `node-version`, `versions.node`): from its lists and its `include` entries. */
export function matrixValues(matrix: unknown, path: readonly string[]): string[] | undefined {
  const m = record(matrix);
  if (!m || path.length === 0) return undefined;
  const [head, ...rest] = path;
  const values: string[] = [];
  const take = (v: unknown) => {
    let node = v;
    for (const key of rest) node = record(node)?.[key];
    const t = text(node);
    if (t !== undefined) values.push(t);
  };
  if (head !== 'include' && head !== 'exclude') for (const v of array(m[head])) take(v);
  for (const inc of array(m.include)) {
    const entry = record(inc);
    if (entry && Object.prototype.hasOwnProperty.call(entry, head)) take(entry[head]);
  }
  return values.length > 0 ? values : undefined;
}

/** `matrix.node`, `matrix['node-version']`, `env.NODE`, `inputs.node` → [scope, ...path]. */
function expressionPath(expression: string): string[] | undefined {
  if (!/^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\])*$/.test(expression)) return undefined;
  const parts: string[] = [];
  for (const m of expression.matchAll(/([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]/g)) parts.push(m[1] ?? m[2] ?? m[3]);
  return parts;
}

function envValue(envs: readonly unknown[], name: string): string | undefined {
  for (const env of envs) {
    const v = text(record(env)?.[name]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function inputDefault(on: unknown, name: string): string | undefined {
  for (const event of ['workflow_call', 'workflow_dispatch']) {
    const v = text(at(on, event, 'inputs', name, 'default'));
    if (v !== undefined) return v;
  }
  return undefined;
}

function resolver(matrix: unknown, envs: readonly unknown[], on: unknown): Resolver {
  return (expression) => {
    const path = expressionPath(expression);
    if (!path || path.length < 2) return undefined;
    const [scope, ...rest] = path;
    if (scope === 'matrix') return matrixValues(matrix, rest);
    if (scope === 'env' && rest.length === 1) {
      const v = envValue(envs, rest[0]);
      // An env value may itself be an expression (`NODE: ${{ matrix.node }}`); one level is followed.
      return v === undefined ? undefined : expandTemplate(v, GITHUB_EXPRESSION, resolver(matrix, [], on));
    }
    if (scope === 'inputs' && rest.length === 1) {
      const v = inputDefault(on, rest[0]);
      return v === undefined ? undefined : [v];
    }
    return undefined;
  };
}

function triggersOf(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map((t) => text(t)).filter((t): t is string => t !== undefined);
  return entries(on).map(([k]) => k);
}

function imageOf(value: unknown): string | undefined {
  return nonEmpty(value) ?? nonEmpty(record(value)?.image);
}

function jobFacts(id: string, job: Json, workflow: Json, on: unknown, setupNode: SetupNodeCatalog['setupNode']['githubActions']) {
  const builder = new JobBuilder(id, nonEmpty(job.name) ?? null);
  const matrix = at(job, 'strategy', 'matrix');
  const expand = (value: string | undefined, envs: readonly unknown[]) =>
    value === undefined ? [] : expandTemplate(value, GITHUB_EXPRESSION, resolver(matrix, envs, on));
  const jobEnvs = [job.env, workflow.env];
  // A job that calls a reusable workflow has no steps of its own.
  builder.use(nonEmpty(job.uses));
  for (const image of expand(imageOf(job.container), jobEnvs)) builder.image(image);
  for (const [, service] of entries(job.services)) for (const image of expand(imageOf(service), jobEnvs)) builder.service(image);
  for (const raw of array(job.steps)) {
    const step = record(raw);
    if (!step) continue;
    const envs = [step.env, ...jobEnvs];
    const uses = nonEmpty(step.uses);
    if (uses !== undefined) {
      builder.use(uses);
      if (uses.startsWith('docker://')) for (const image of expand(uses.slice('docker://'.length), envs)) builder.image(image);
      const setup = setupNode.find((s) => s.uses === actionName(uses));
      const withInputs = record(step.with);
      if (setup && withInputs) {
        if (setup.version) for (const v of expand(text(withInputs[setup.version]), envs)) builder.nodeVersion(v);
        if (setup.file) for (const f of expand(text(withInputs[setup.file]), envs)) builder.nodeVersionFile(f);
      }
    }
    const run = text(step.run);
    if (run !== undefined) builder.script(run);
  }
  return builder.build();
}

export function githubWorkflow(file: string, doc: unknown): CiPipeline {
  const workflow = record(doc) ?? {};
  // YAML 1.1 readers turn `on` into `true`; the shared parser reads YAML 1.2, but accept both.
  const on = workflow.on ?? workflow.true;
  const setupNode = loadCatalog<SetupNodeCatalog>('ci-systems').setupNode.githubActions;
  const jobs = entries(workflow.jobs)
    .map(([id, raw]) => [id, record(raw)] as const)
    .filter((pair): pair is readonly [string, Json] => pair[1] !== undefined)
    .map(([id, job]) => jobFacts(id, job, workflow, on, setupNode));
  return pipeline('github-actions', file, { name: nonEmpty(workflow.name) ?? null, triggers: triggersOf(on), jobs: sortJobs(jobs) });
}
