/**
 * An Nx workspace with project.json projects and a root package.json project: codegenie adds its
 * targets without renaming or breaking what other plugins define, and `nx graph` shows the DAG.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createWorkspace, type TempWorkspace } from '../helpers/nx-workspace';

describe('Nx workspace with project.json projects', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createWorkspace('workspaces/nx-integrated');
  });
  afterAll(() => ws?.dispose());

  it('keeps every existing project name and target, and adds codegenie targets beside them', () => {
    const out = ws.nx(['show', 'projects', '--json']).output;
    expect((JSON.parse(out.slice(out.indexOf('['))) as string[]).sort()).toEqual(['acme-platform', 'api-app', 'repo', 'util']);
    const api = ws.project('api-app');
    expect(api.root).toBe('apps/api');
    expect(api.targets.build).toMatchObject({ executor: 'nx:run-commands' });
    expect(Object.keys(api.targets)).toEqual(expect.arrayContaining(['build', 'gather', 'file-index', 'probe-language']));
    // The root package.json project is untouched: no codegenie targets on it.
    expect(Object.keys(ws.project('acme-platform').targets).some((t) => t.startsWith('probe-'))).toBe(false);
    expect(ws.nx(['run', 'api-app:build']).status).toBe(0);
  });

  it('gathers a project.json project in its own scope', () => {
    const run = ws.nx(['run', 'api-app:gather']);
    expect(run.status, run.output).toBe(0);
    const ctx = parse(ws.read('apps/api/.codegenie/context/repo-context.yaml'));
    expect(ctx.codegenie.scope.root).toBe('apps/api');
    expect(ctx.language.languages).toEqual({ JSON: 1, TypeScript: 1 });
  });

  it('nx graph shows the probe DAG: gather depends on every probe, paths-only probes on the file index', () => {
    const run = ws.nx(['graph', '--targets=gather', '--projects=repo', '--file=graph.json']);
    expect(run.status, run.output).toBe(0);
    const graph = JSON.parse(ws.read('graph.json'));
    // Nx 24 writes edges as `{ id }` objects.
    const deps: Record<string, string[]> = Object.fromEntries(
      Object.entries(graph.tasks.dependencies as Record<string, Array<string | { id: string }>>).map(([k, v]) => [k, v.map((e) => (typeof e === 'string' ? e : e.id))]),
    );
    expect(deps['repo:gather']).toEqual(expect.arrayContaining(['repo:file-index', 'repo:probe-language']));
    expect(deps['repo:probe-language']).toEqual(['repo:file-index']);
  });
});
