/**
 * CircleCI (`.circleci/config.yml`): one pipeline per workflow, with the jobs it invokes resolved
 * against their definitions; `<< parameters.x >>` / `<< matrix.x >>` expanded from the invocation,
 * its matrix and the parameter defaults; docker images; orbs recorded as they are declared.
 */
import { loadCatalog } from '../../tools/catalog';
import { array, entries, list, nonEmpty, record, text } from '../../tools/yaml-values';
import type { Json } from '../../tools/yaml-values';
import { CIRCLECI_EXPRESSION, expandTemplate } from './expand';
import type { Resolver } from './expand';
import { JobBuilder, pipeline } from './model';
import type { CiJob, CiPipeline } from './model';

interface CircleCatalog {
  setupNode: { circleciNodeOrb: string; circleciNodeOrbParams: string[] };
}

/** Keys of a workflow job invocation that are not parameters. */
const INVOCATION_KEYS = new Set(['requires', 'name', 'context', 'filters', 'matrix', 'type', 'pre-steps', 'post-steps', 'serial-group', 'override-with']);

interface Invocation {
  job: string;
  id: string;
  params: Json;
  matrix: Json;
}

function invocations(workflow: Json): Invocation[] {
  const out: Invocation[] = [];
  for (const raw of array(workflow.jobs)) {
    const name = nonEmpty(raw);
    if (name !== undefined) {
      out.push({ job: name, id: name, params: {}, matrix: {} });
      continue;
    }
    for (const [job, body] of entries(raw)) {
      const b = record(body) ?? {};
      const params: Json = {};
      for (const [k, v] of Object.entries(b)) if (!INVOCATION_KEYS.has(k)) params[k] = v;
      out.push({ job, id: nonEmpty(b.name) ?? job, params, matrix: record(record(b.matrix)?.parameters) ?? {} });
    }
  }
  return out;
}

function resolver(root: Json, jobDef: Json | undefined, inv: Invocation): Resolver {
  return (expression) => {
    const parts = expression.split('.');
    if (parts[0] === 'pipeline' && parts[1] === 'parameters' && parts.length === 3) {
      const v = text(record(record(root.parameters)?.[parts[2]])?.default);
      return v === undefined ? undefined : [v];
    }
    if ((parts[0] === 'parameters' || parts[0] === 'matrix') && parts.length === 2) {
      const name = parts[1];
      const values: string[] = [];
      for (const v of list(inv.matrix[name])) if (text(v) !== undefined) values.push(text(v)!);
      if (values.length === 0 && text(inv.params[name]) !== undefined) values.push(text(inv.params[name])!);
      if (values.length === 0) {
        const d = text(record(record(jobDef?.parameters)?.[name])?.default);
        if (d !== undefined) values.push(d);
      }
      return values.length > 0 ? values : undefined;
    }
    return undefined;
  };
}

/** The orb alias (`node`) of a reference like `node/install`, and whether that orb is CircleCI's node orb. */
function isNodeOrbRef(ref: string, orbs: Json, nodeOrb: string): boolean {
  const slash = ref.indexOf('/');
  if (slash <= 0) return false;
  const source = nonEmpty(orbs[ref.slice(0, slash)]);
  return source !== undefined && source.split('@')[0] === nodeOrb;
}

function jobFacts(root: Json, inv: Invocation, catalog: CircleCatalog['setupNode']): CiJob {
  const jobs = record(root.jobs) ?? {};
  const orbs = record(root.orbs) ?? {};
  const def = record(jobs[inv.job]);
  const builder = new JobBuilder(inv.id, inv.id !== inv.job ? inv.job : null);
  const resolve = resolver(root, def, inv);
  const expand = (value: unknown) => {
    const t = text(value);
    return t === undefined ? [] : expandTemplate(t, CIRCLECI_EXPRESSION, resolve);
  };
  const nodeParams = (ref: string, params: Json) => {
    if (!isNodeOrbRef(ref, orbs, catalog.circleciNodeOrb)) return;
    for (const p of catalog.circleciNodeOrbParams) for (const v of expand(params[p])) builder.nodeVersion(v);
  };
  if (!def) {
    // An orb job (`node/test`): recorded as used, with the Node version its parameters name.
    builder.use(inv.job);
    nodeParams(inv.job, inv.params);
    if (isNodeOrbRef(inv.job, orbs, catalog.circleciNodeOrb)) {
      for (const p of catalog.circleciNodeOrbParams) for (const v of list(inv.matrix[p])) builder.nodeVersion(text(v));
    }
    return builder.build();
  }
  const dockerImages = (docker: unknown) => {
    array(docker).forEach((entry, i) => {
      for (const image of expand(record(entry)?.image)) {
        // The first image is where steps run; the others are services.
        if (i === 0) builder.image(image);
        else builder.service(image);
      }
    });
  };
  dockerImages(def.docker);
  const executor = nonEmpty(def.executor) ?? nonEmpty(record(def.executor)?.name);
  if (executor !== undefined) {
    const named = record(record(root.executors)?.[executor]);
    if (named) dockerImages(named.docker);
    else {
      builder.use(executor);
      nodeParams(executor, record(def.executor) ?? {});
    }
  }
  const walkSteps = (steps: unknown, depth: number) => {
    if (depth > 10) return;
    for (const raw of array(steps)) {
      const name = nonEmpty(raw);
      if (name !== undefined) {
        if (name.includes('/')) builder.use(name);
        continue;
      }
      for (const [key, body] of entries(raw)) {
        if (key === 'run') {
          // Commands are kept as written, like every other system's (parameters are not expanded).
          builder.script(text(body) ?? text(record(body)?.command));
        } else if (key === 'when' || key === 'unless') {
          walkSteps(record(body)?.steps, depth + 1);
        } else if (key.includes('/')) {
          builder.use(key);
          nodeParams(key, record(body) ?? {});
        }
      }
    }
  };
  walkSteps(def.steps, 0);
  return builder.build();
}

export function circleciConfig(file: string, doc: unknown): CiPipeline[] {
  const root = record(doc) ?? {};
  const catalog = loadCatalog<CircleCatalog>('ci-systems').setupNode;
  const orbUses = entries(root.orbs).map(([alias, source]) => nonEmpty(source) ?? alias);
  const workflows = entries(root.workflows).filter(([name, wf]) => name !== 'version' && record(wf) !== undefined);
  if (workflows.length === 0) {
    // Without workflows CircleCI runs the job named `build`.
    const jobNames = entries(root.jobs).map(([id]) => id);
    const run = jobNames.includes('build') ? ['build'] : jobNames;
    const jobs = run.map((job) => jobFacts(root, { job, id: job, params: {}, matrix: {} }, catalog));
    return [pipeline('circleci', file, { uses: orbUses, jobs })];
  }
  return workflows.map(([name, raw]) => {
    const wf = record(raw)!;
    const triggers = array(wf.triggers).flatMap((t) => entries(t).map(([k]) => k));
    const byId = new Map<string, CiJob>();
    for (const inv of invocations(wf)) if (!byId.has(inv.id)) byId.set(inv.id, jobFacts(root, inv, catalog));
    // Workflow jobs keep the order they are listed in (it is roughly the order they run).
    return pipeline('circleci', file, { name, triggers, uses: orbUses, jobs: [...byId.values()] });
  });
}
