/** Workspaces monorepo: per-package gathers, `nx affected` gathers only what a commit touched. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createWorkspace, ranTasks, type TempWorkspace } from '../helpers/nx-workspace';

describe('npm workspaces monorepo', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createWorkspace('workspaces/npm-monorepo');
  });
  afterAll(() => ws?.dispose());

  it('gives every workspace package its own probe targets and gather, next to the repo project', () => {
    const projects = ws.nx(['show', 'projects', '--json']).output;
    const names = JSON.parse(projects.slice(projects.indexOf('['))) as string[];
    expect(names.sort()).toEqual(['@storefront/api', '@storefront/shared', '@storefront/web', 'repo']);
    const api = ws.project('@storefront/api');
    expect(api.root).toBe('packages/api');
    expect(api.targets.gather).toBeDefined();
    expect(api.targets['probe-language'].inputs).toContain('{projectRoot}/package.json');
  });

  it('run-many gathers everything, each scope into its own folder', () => {
    const run = ws.nx(['run-many', '-t', 'gather']);
    expect(run.status, run.output).toBe(0);
    const api = parse(ws.read('packages/api/.codegenie/context/repo-context.yaml'));
    expect(api.codegenie.scope).toEqual({ root: 'packages/api', kind: 'package' });
    expect(api.language.total_files).toBe(2);
    const repo = parse(ws.read('.codegenie/context/repo-context.yaml'));
    expect(repo.codegenie.scope).toEqual({ root: '.', kind: 'repository' });
    expect(repo.language.monorepo.tools).toContain('npm-workspaces');
    expect(repo.language.monorepo.is_monorepo).toBe(true);
  });

  it('nx affected gathers the touched package (and the repository), not the other packages', () => {
    ws.write('packages/web/src/index.ts', "export const name = 'web';\nexport const version = 2;\n");
    ws.commit('touch web');
    const run = ws.nx(['affected', '-t', 'gather', '--base=HEAD~1', '--head=HEAD']);
    expect(run.status, run.output).toBe(0);
    const gathers = ranTasks(run.output).filter((t) => t.endsWith(':gather'));
    expect(gathers).toEqual(['@storefront/web:gather', 'repo:gather']);
    expect(run.output).not.toContain('@storefront/api:');
    expect(run.output).not.toContain('@storefront/shared:');
  });
});
