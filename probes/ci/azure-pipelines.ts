/**
 * Azure Pipelines (`azure-pipelines.yml`, `.azure-pipelines/**`): stages → jobs → steps (also the
 * single-job forms), deployment-job strategies, script steps, NodeTool/UseNode tasks, Npm tasks
 * turned into the command they run, containers (direct or via `resources.containers`), matrices.
 */
import { loadCatalog } from '../../tools/catalog';
import { array, entries, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { AZURE_MACRO, expandTemplate, GITHUB_EXPRESSION } from './expand';
import type { Resolver } from './expand';
import { JobBuilder, pipeline } from './model';
import type { CiJob, CiPipeline } from './model';

interface AzureCatalog {
  setupNode: { azureTasks: Array<{ task: string; version?: string; file?: string }> };
}

const SCRIPT_KEYS = ['script', 'bash', 'pwsh', 'powershell'];
const STRATEGY_PHASES = ['preDeploy', 'deploy', 'routeTraffic', 'postRouteTraffic'];

/** `name: value` pairs from the map form or the list form (`- name: x\n  value: y`) of `variables`. */
function variablesOf(value: unknown, into: Map<string, string>) {
  if (Array.isArray(value)) {
    for (const raw of value) {
      const r = record(raw);
      const name = nonEmpty(r?.name);
      const v = text(r?.value);
      if (name !== undefined && v !== undefined && !into.has(name)) into.set(name, v);
    }
    return;
  }
  for (const [k, v] of entries(value)) if (text(v) !== undefined && !into.has(k)) into.set(k, text(v)!);
}

function parameterDefaults(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(value)) {
    for (const raw of value) {
      const r = record(raw);
      const name = nonEmpty(r?.name);
      const d = text(r?.default);
      if (name !== undefined && d !== undefined) out.set(name, d);
    }
  } else for (const [k, v] of entries(value)) if (text(v) !== undefined) out.set(k, text(v)!);
  return out;
}

function taskName(task: string): string {
  return task.split('@')[0].trim();
}

/** Steps of a job, including the phases of a deployment job's strategy. */
function stepsOf(job: Json): unknown[] {
  const steps = [...array(job.steps)];
  const strategy = record(job.strategy);
  for (const [, s] of entries(strategy)) {
    const phases = record(s);
    if (!phases) continue;
    for (const phase of STRATEGY_PHASES) steps.push(...array(record(phases[phase])?.steps));
    for (const [, outcome] of entries(phases.on)) steps.push(...array(record(outcome)?.steps));
  }
  return steps;
}

export function azurePipeline(file: string, value: unknown): CiPipeline {
  const root = record(value) ?? {};
  const tasks = loadCatalog<AzureCatalog>('ci-systems').setupNode.azureTasks;
  const containers = new Map<string, string>();
  for (const raw of array(record(root.resources)?.containers)) {
    const c = record(raw);
    const alias = nonEmpty(c?.container);
    const image = nonEmpty(c?.image);
    if (alias !== undefined && image !== undefined) containers.set(alias, image);
  }
  const params = parameterDefaults(root.parameters);
  const uses = new Set<string>();
  const template = nonEmpty(record(root.extends)?.template);
  if (template !== undefined) uses.add(`template:${template}`);

  const jobs: CiJob[] = [];
  const ids = new Set<string>();
  const addJob = (stageName: string | undefined, raw: unknown, index: number, stageVars: Map<string, string>) => {
    const job = record(raw);
    if (!job) return;
    const jobTemplate = nonEmpty(job.template);
    const name = nonEmpty(job.job) ?? nonEmpty(job.deployment) ?? (jobTemplate !== undefined ? `template:${jobTemplate}` : `job${index + 1}`);
    let id = stageName ? `${stageName}/${name}` : name;
    for (let n = 2; ids.has(id); n++) id = `${stageName ? `${stageName}/` : ''}${name} (${n})`;
    ids.add(id);
    const builder = new JobBuilder(id, nonEmpty(job.displayName) ?? null);
    if (jobTemplate !== undefined) builder.use(`template:${jobTemplate}`);
    const vars = new Map<string, string>();
    variablesOf(job.variables, vars);
    for (const [k, v] of stageVars) if (!vars.has(k)) vars.set(k, v);
    const matrix = record(record(job.strategy)?.matrix);
    const resolveMacro: Resolver = (name) => {
      const values: string[] = [];
      for (const [, entry] of entries(matrix)) {
        const v = text(record(entry)?.[name]);
        if (v !== undefined) values.push(v);
      }
      if (values.length > 0) return values;
      const v = vars.get(name);
      return v === undefined ? undefined : [v];
    };
    const resolveTemplate: Resolver = (expr) => {
      const m = /^(parameters|variables)\.([\w-]+)$/.exec(expr) ?? /^(parameters|variables)\[\s*'([^']+)'\s*\]$/.exec(expr);
      if (!m) return undefined;
      const v = m[1] === 'parameters' ? params.get(m[2]) : vars.get(m[2]);
      return v === undefined ? undefined : [v];
    };
    const expand = (v: string | undefined) =>
      v === undefined ? [] : expandTemplate(v, GITHUB_EXPRESSION, resolveTemplate).flatMap((x) => expandTemplate(x, AZURE_MACRO, resolveMacro));
    const containerImage = (ref: unknown) => {
      const t = nonEmpty(ref) ?? nonEmpty(record(ref)?.image);
      return t === undefined ? undefined : (containers.get(t) ?? t);
    };
    for (const image of expand(containerImage(job.container))) builder.image(image);
    for (const [, s] of entries(job.services)) for (const image of expand(containerImage(s))) builder.service(image);
    for (const rawStep of stepsOf(job)) {
      const step = record(rawStep);
      if (!step) continue;
      for (const key of SCRIPT_KEYS) {
        const script = text(step[key]);
        if (script !== undefined) builder.script(script);
      }
      const stepTemplate = nonEmpty(step.template);
      if (stepTemplate !== undefined) builder.use(`template:${stepTemplate}`);
      const task = nonEmpty(step.task);
      if (task === undefined) continue;
      builder.use(`task:${task}`);
      const inputs = record(step.inputs) ?? {};
      const setup = tasks.find((t) => t.task.toLowerCase() === taskName(task).toLowerCase());
      if (setup?.version) for (const v of expand(text(inputs[setup.version]))) builder.nodeVersion(v);
      if (setup?.file) for (const f of expand(text(inputs[setup.file]))) builder.nodeVersionFile(f);
      if (taskName(task).toLowerCase() === 'npm') {
        // The Npm task runs `npm <command>`; `custom` takes the whole command line.
        const command = nonEmpty(inputs.command) ?? 'install';
        builder.command(command === 'custom' ? `npm ${nonEmpty(inputs.customCommand) ?? ''}`.trim() : `npm ${command}`);
      }
    }
    jobs.push(builder.build());
  };

  const rootVars = new Map<string, string>();
  variablesOf(root.variables, rootVars);
  const stages = array(root.stages);
  if (stages.length > 0) {
    stages.forEach((rawStage, si) => {
      const stage = record(rawStage);
      if (!stage) return;
      const stageTemplate = nonEmpty(stage.template);
      if (stageTemplate !== undefined) uses.add(`template:${stageTemplate}`);
      const stageName = nonEmpty(stage.stage) ?? (stageTemplate !== undefined ? `template:${stageTemplate}` : `stage${si + 1}`);
      const vars = new Map<string, string>();
      variablesOf(stage.variables, vars);
      for (const [k, v] of rootVars) if (!vars.has(k)) vars.set(k, v);
      array(stage.jobs).forEach((j, ji) => addJob(stageName, j, ji, vars));
    });
  } else if (root.jobs !== undefined) {
    array(root.jobs).forEach((j, ji) => addJob(undefined, j, ji, rootVars));
  } else if (root.steps !== undefined) {
    addJob(undefined, { ...root, job: 'job' }, 0, rootVars);
  }

  const triggers: string[] = [];
  const declared = (v: unknown) => v !== undefined && v !== null && text(v) !== 'none';
  if (declared(root.trigger)) triggers.push('push');
  if (declared(root.pr)) triggers.push('pull_request');
  if (array(root.schedules).length > 0) triggers.push('schedule');
  if (array(record(root.resources)?.pipelines).some((p) => record(p)?.trigger !== undefined)) triggers.push('pipeline');
  // Azure's top-level `name` is the run-number format, not a pipeline name.
  return pipeline('azure-pipelines', file, { triggers, uses: [...uses], jobs });
}
