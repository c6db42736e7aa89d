/**
 * As a new user would: the packed tarball installed into a fresh repository with nx, the init
 * generator applied (what `nx add codegenie` runs), then `nx run repo:gather`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT, TempWorkspace } from '../helpers/nx-workspace';

const NX_VERSION = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'nx', 'package.json'), 'utf8')).version as string;

describe('installing the packed tarball into a fresh repository', () => {
  let packDir: string;
  let ws: TempWorkspace;
  let tarball: string;

  beforeAll(() => {
    packDir = mkdtempSync(join(tmpdir(), 'codegenie-pack-'));
    // dist/ is already built by the test command; packing must not rebuild it.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: PROJECT_ROOT, encoding: 'utf8' }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(packDir, packed[0].filename);
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('executors.json');
    expect(files).toContain('catalogs/languages.yaml');
    expect(files).toContain('schemas/repo-context.schema.json');
    expect(files.some((f) => f.endsWith('.test.js') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);

    ws = new TempWorkspace(mkdtempSync(join(tmpdir(), 'codegenie-fresh-')));
    ws.write('package.json', `${JSON.stringify({ name: 'fresh-app', version: '1.0.0', private: true, main: 'index.js' }, null, 2)}\n`);
    ws.write('index.js', "console.log('hello');\n");
    ws.write('nx.json', '{}\n');
    ws.write('.gitignore', 'node_modules\n.nx/\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--save-dev', `nx@${NX_VERSION}`, tarball], {
      cwd: ws.root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    ws.git('init', '-q', '-b', 'main');
    ws.commit('fresh app');
  }, 300_000);

  afterAll(() => {
    ws?.dispose();
    rmSync(packDir, { recursive: true, force: true });
  });

  it('init registers the plugin and ignores .codegenie/, idempotently', () => {
    const first = ws.nx(['g', 'codegenie:init', '--no-interactive']);
    expect(first.status, first.output).toBe(0);
    expect(JSON.parse(ws.read('nx.json')).plugins).toEqual(['codegenie']);
    expect(ws.read('.gitignore')).toMatch(/^\.codegenie\/$/m);
    ws.commit('add codegenie');
    const second = ws.nx(['g', 'codegenie:init', '--no-interactive']);
    expect(second.status, second.output).toBe(0);
    expect(ws.git('status', '--porcelain')).toBe('');
  });

  it('nx run repo:gather writes the context from the installed copy', () => {
    const run = ws.nx(['run', 'repo:gather']);
    expect(run.status, run.output).toBe(0);
    const context = parse(ws.read('.codegenie/context/repo-context.yaml'));
    expect(context.codegenie.scope.kind).toBe('repository');
    expect(context.language.primary_language).toBe('JavaScript');
    expect(JSON.parse(ws.read('.codegenie/context/views.json')).confidence_summary.overall).toBeDefined();
    const again = ws.nx(['run', 'repo:gather']);
    expect(again.output).toMatch(/Nx read the output from the cache instead of running the command for (\d+) out of \1 tasks/);
  });
});
