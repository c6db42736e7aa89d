/**
 * A new advisory in the store re-runs only the vulnerabilities probe (and the gather that merges
 * it), with real Nx: the store's content hash reaches that probe's fingerprint input alone.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, PROJECT_ROOT, cachedTasks, createWorkspace, executedTasks, type TempWorkspace } from '../helpers/nx-workspace';

const GHSA = join(FIXTURES, 'advisories', 'ghsa');
const HANDLEBARS = 'GHSA-2cf5-4w76-r9qv.json';

function cli(args: string[], env: Record<string, string>): string {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'tools', 'cli.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe('advisory import → nx run repo:gather', () => {
  let ws: TempWorkspace;
  let state: string;
  let batch: string;
  let env: Record<string, string>;
  let tasks: string[];

  beforeAll(() => {
    ws = createWorkspace('workspaces/vulnerable-app');
    state = mkdtempSync(join(tmpdir(), 'codegenie-state-'));
    batch = mkdtempSync(join(tmpdir(), 'codegenie-osv-'));
    for (const f of readdirSync(GHSA)) if (f !== HANDLEBARS) cpSync(join(GHSA, f), join(batch, f));
    env = { CODEGENIE_HOME: state };
    expect(cli(['advisories', 'import', batch], env)).toMatch(/^imported 30 records: 30 added/);
    tasks = ws.codegenieTasks('repo', env);
  });
  afterAll(() => {
    ws?.dispose();
    rmSync(state, { recursive: true, force: true });
    rmSync(batch, { recursive: true, force: true });
  });

  it('reports the hits, the risk flag and the fix skill', () => {
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    const raw = JSON.parse(ws.read('.codegenie/context/raw/vulnerabilities.json'));
    expect(raw.slice.vulnerabilities.map((v: { id: string; package: string }) => `${v.id} ${v.package}`)).toEqual(['GHSA-2q6w-rxf3-4wc9 codify', 'GHSA-22h7-7wwg-qmgg @hapi/hoek']);
    const views = JSON.parse(ws.read('.codegenie/context/views.json'));
    expect(views.risk_flags.find((f: { id: string }) => f.id === 'known-vulnerabilities')).toMatchObject({ severity: 'high', evidence: ['GHSA-22h7-7wwg-qmgg', 'GHSA-2q6w-rxf3-4wc9'] });
    expect(views.available_skills.find((s: { id: string }) => s.id === 'vulnerability-fix-upgrade')).toMatchObject({ evidence: ['GHSA-22h7-7wwg-qmgg'] });
    expect(ws.read('.codegenie/context/repo-context.yaml')).not.toContain(state);
  });

  it('replays everything when the store did not change (re-importing the same records included)', () => {
    expect(cli(['advisories', 'import', batch], env)).toMatch(/0 added, 0 updated, 30 unchanged/);
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    expect(executedTasks(run.output, tasks)).toEqual([]);
  });

  it('re-runs only the vulnerabilities probe and the gather after a new advisory is imported', () => {
    expect(cli(['advisories', 'import', join(GHSA, HANDLEBARS)], env)).toMatch(/1 added/);
    const run = ws.nx(['run', 'repo:gather'], env);
    expect(run.status, run.output).toBe(0);
    expect(executedTasks(run.output, tasks)).toEqual(['repo:gather', 'repo:probe-vulnerabilities']);
    expect(cachedTasks(run.output)).toContain('repo:probe-manifest');
    const raw = JSON.parse(ws.read('.codegenie/context/raw/vulnerabilities.json'));
    expect(raw.slice.vulnerabilities.find((v: { package: string }) => v.package === 'handlebars')).toMatchObject({ id: 'GHSA-2cf5-4w76-r9qv', dev_only: true, fixed_versions: ['4.5.2'] });
  });
});
