/**
 * Operations: graceful shutdown on SIGTERM (real processes), configuration layering
 * (defaults < YAML < environment < flags), and `codegenie serve repos add|list|remove` as a CLI.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../tools/serve/config';
import { api, CLI, FAKE_GATHER, gatherLog, makeRepo, startService, tempDir, waitFor } from './helpers/serve-harness';

const run = promisify(execFile);

describe('SIGTERM: stop taking jobs, finish or release running ones', () => {
  it('lets a running gather finish within the grace period and starts nothing else', async () => {
    const dir = tempDir('term-finish');
    const logFile = join(dir, 'gathers.log');
    makeRepo(join(dir, 'a'), 1);
    makeRepo(join(dir, 'b'), 1);
    const svc = await startService(['--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--workers', '1', '--poll-ms', '50', '--shutdown-grace-ms', '20000'], {
      FAKE_GATHER_LOG: logFile,
      FAKE_GATHER_MS: '1500',
    });
    for (const r of ['a', 'b']) expect((await api(svc.url, 'POST', '/repos', { source: join(dir, r) })).status).toBe(201);
    const a = (await api(svc.url, 'POST', '/gather', { repo: 'a' })).body.job;
    await waitFor('the gather of a to start', async () => gatherLog(logFile).some((l) => l.phase === 'start'));
    const b = (await api(svc.url, 'POST', '/gather', { repo: 'b' })).body.job;
    expect(await svc.stop('SIGTERM')).toBe(0);
    const lines = gatherLog(logFile);
    expect(lines.filter((l) => l.phase === 'done').map((l) => l.path)).toEqual([join(dir, 'a', '.git')]);
    expect(lines.some((l) => l.path === join(dir, 'b', '.git'))).toBe(false);
    expect(svc.logs().map((l) => l.event)).toEqual(expect.arrayContaining(['shutdown', 'job-done', 'stopped']));

    // After a restart the finished job stays done and the untouched one runs.
    const again = await startService(['--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--poll-ms', '50'], { FAKE_GATHER_LOG: logFile, FAKE_GATHER_MS: '20' });
    try {
      expect((await api(again.url, 'GET', `/jobs/${a}`)).body).toMatchObject({ state: 'done', attempts: 1 });
      await waitFor('job b to finish', async () => (await api(again.url, 'GET', `/jobs/${b}`)).body.state === 'done');
    } finally {
      await again.stop();
    }
  });

  it('aborts a gather that outlasts the grace period and gives its job back without counting the attempt', async () => {
    const dir = tempDir('term-release');
    const logFile = join(dir, 'gathers.log');
    makeRepo(join(dir, 'a'), 1);
    const args = ['--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--poll-ms', '50'];
    const svc = await startService([...args, '--shutdown-grace-ms', '200'], { FAKE_GATHER_LOG: logFile, FAKE_GATHER_MS: '60000' });
    expect((await api(svc.url, 'POST', '/repos', { source: join(dir, 'a') })).status).toBe(201);
    const job = (await api(svc.url, 'POST', '/gather', { repo: 'a' })).body.job;
    await waitFor('the gather to start', async () => gatherLog(logFile).some((l) => l.phase === 'start'));
    expect(await svc.stop('SIGTERM')).toBe(0);
    expect(svc.logs().find((l) => l.event === 'job-released')).toMatchObject({ job_id: job, repo: 'a' });
    expect(gatherLog(logFile).some((l) => l.phase === 'done')).toBe(false);

    const again = await startService(args, { FAKE_GATHER_LOG: logFile, FAKE_GATHER_MS: '20' });
    try {
      const done = await waitFor('the released job to run again', async () => {
        const j = (await api(again.url, 'GET', `/jobs/${job}`)).body;
        return j.state === 'done' ? j : undefined;
      });
      expect(done.attempts).toBe(1);
      expect(done.last_error).toBeNull();
    } finally {
      await again.stop();
    }
  });
});

describe('configuration: defaults < --config YAML < environment < flags', () => {
  it('layers each source over the previous one and keeps the secret off the command line', () => {
    const dir = tempDir('config');
    const file = join(dir, 'serve.yaml');
    writeFileSync(
      file,
      ['port: 1111', 'workers: 3', 'webhook_secret: from-file', 'cron: "0 4 * * *"', 'lease_ms: 9000', `state_dir: ${join(dir, 'from-file')}`, 'repositories:', '  - /srv/a', '  - { source: /srv/b, id: bee, branches: [trunk] }', ''].join('\n'),
    );
    const base = { CODEGENIE_HOME: join(dir, 'home') };
    expect(loadConfig({}, base)).toMatchObject({ port: 7420, workers: 1, stateDir: join(dir, 'home', 'serve'), webhookSecret: undefined, database: undefined });
    expect(loadConfig({ config: file }, base)).toMatchObject({ port: 1111, workers: 3, webhookSecret: 'from-file', cron: '0 4 * * *', leaseMs: 9000, stateDir: join(dir, 'from-file'), repositories: [{ source: '/srv/a' }, { source: '/srv/b', id: 'bee', branches: ['trunk'] }] });
    const env = { ...base, CODEGENIE_SERVE_CONFIG: file, CODEGENIE_SERVE_WORKERS: '4', CODEGENIE_WEBHOOK_SECRET: 'from-env', CODEGENIE_SERVE_DATABASE: 'postgres://q@127.0.0.1:1/x' };
    expect(loadConfig({}, env)).toMatchObject({ port: 1111, workers: 4, webhookSecret: 'from-env', database: 'postgres://q@127.0.0.1:1/x' });
    expect(loadConfig({ workers: '5', port: '0', 'lease-ms': '100' }, env)).toMatchObject({ port: 0, workers: 5, leaseMs: 100, webhookSecret: 'from-env' });
  });

  it('refuses bad values with the place they came from', () => {
    const dir = tempDir('config-bad');
    const bad = (yaml: string): string => {
      const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, yaml);
      return file;
    };
    expect(() => loadConfig({ config: bad('workers: many\n') }, {})).toThrow(/workers: expected a non-negative integer/);
    expect(() => loadConfig({ config: bad('wrokers: 2\n') }, {})).toThrow(/unknown key wrokers/);
    expect(() => loadConfig({ config: bad('- a\n- b\n') }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ config: join(dir, 'missing.yaml') }, {})).toThrow(/cannot read the config file/);
    expect(() => loadConfig({}, { CODEGENIE_SERVE_PORT: '-1' })).toThrow(/CODEGENIE_SERVE_PORT/);
    expect(() => loadConfig({ workers: '0' }, {})).toThrow(/at least 1/);
    expect(() => loadConfig({ cron: 'every day' }, {})).toThrow(/cron/);
  });
});

describe('codegenie serve repos add|list|remove', () => {
  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    run(process.execPath, [CLI, 'serve', 'repos', ...args], { encoding: 'utf8' }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('edits the registry in the state directory and through a running service', async () => {
    const dir = tempDir('repos-cli');
    makeRepo(join(dir, 'alpha'), 1);
    makeRepo(join(dir, 'beta'), 1, 'trunk');
    const state = ['--state-dir', join(dir, 'state')];
    const added = await cli(['add', join(dir, 'alpha'), ...state]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 'alpha', branches: ['main'], managed: false, mirror: join(dir, 'alpha', '.git') });
    expect((await cli(['add', join(dir, 'beta'), '--id', 'b', '--branch', 'trunk', '--branch', 'next', '--cron', '5 1 * * *', ...state])).code).toBe(0);
    const again = await cli(['add', join(dir, 'alpha'), ...state]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already watched/);
    expect((await cli(['add', join(dir, 'nowhere'), ...state])).code).toBe(1);
    expect((await cli(['list', ...state])).stdout).toBe(`alpha\tmain\t${join(dir, 'alpha')}\nb\tnext,trunk\t${join(dir, 'beta')}\n`);
    expect((await cli(['remove', 'alpha', ...state])).code).toBe(0);
    expect((await cli(['remove', 'alpha', ...state])).code).toBe(1);
    expect((await cli(['list', ...state])).stdout).toBe(`b\tnext,trunk\t${join(dir, 'beta')}\n`);
    expect((await cli(['frobnicate', ...state])).code).toBe(2);

    // --url goes through a running service on the same store.
    const svc = await startService([...state, '--gather-module', FAKE_GATHER]);
    try {
      expect((await cli(['add', join(dir, 'alpha'), '--url', svc.url])).code).toBe(0);
      const listed = JSON.parse((await cli(['list', '--url', svc.url])).stdout);
      expect(listed.repositories.map((r: { id: string }) => r.id)).toEqual(['alpha', 'b']);
      expect((await cli(['remove', 'b', '--url', svc.url])).code).toBe(0);
      expect((await api(svc.url, 'GET', '/repos')).body.repositories.map((r: { id: string }) => r.id)).toEqual(['alpha']);
    } finally {
      await svc.stop();
    }
  });
});
