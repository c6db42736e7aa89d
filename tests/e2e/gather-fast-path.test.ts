/**
 * The zero-change fast path must never answer for a changed tree. One real gather (Nx) records the
 * tree; then fast-check applies random changes — a tracked edit, a new untracked file that is not
 * ignored, a deletion, `chmod +x` (also with core.fileMode=false, where git status cannot see it) —
 * and both entries must refuse the fast path: the POSIX bin (asked with CODEGENIE_FAST_PATH_ONLY,
 * exit 75 = not answerable) and the TypeScript side (`--mode cached-only`, which never runs Nx and
 * reports `fast_path`). After each change is undone, the fast path applies again. An ignored new
 * file does not matter (it is not part of the gathered tree) and keeps the fast path.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, PROJECT_ROOT } from '../helpers/nx-workspace';

const BIN = join(PROJECT_ROOT, 'bin', 'codegenie');
const CLI = join(PROJECT_ROOT, 'dist', 'tools', 'cli.js');
const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };

describe('the zero-change fast path', () => {
  let root: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  let tracked: string[];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'codegenie-fast-'));
    repo = join(root, 'repo');
    cpSync(join(FIXTURES, 'workspaces', 'npm-monorepo'), repo, { recursive: true });
    writeFileSync(join(repo, '.gitignore'), 'ignored-*\n');
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    tracked = git('ls-files').trim().split('\n');
    env = { ...process.env, CODEGENIE_HOME: join(root, 'state'), NX_DAEMON: 'false', CI: 'true' };
    const first = spawnSync(process.execPath, [CLI, 'gather', repo, '--json'], { env, encoding: 'utf8', timeout: 240_000 });
    expect(first.status, first.stderr).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const binAnswers = (): boolean => {
    const r = spawnSync(BIN, ['gather', repo, '--json'], { env: { ...env, CODEGENIE_FAST_PATH_ONLY: '1' }, encoding: 'utf8' });
    if (r.status === 0) expect(JSON.parse(r.stdout)).toMatchObject({ repository: repo, status: 'ok', fast_path: true });
    else expect(r.status).toBe(75);
    return r.status === 0;
  };
  const tsAnswers = (): boolean => {
    const r = spawnSync(process.execPath, [CLI, 'gather', repo, '--mode', 'cached-only', '--json'], { env, encoding: 'utf8' });
    return JSON.parse(r.stdout).fast_path === true;
  };

  it('answers for the tree it recorded', () => {
    expect(binAnswers()).toBe(true);
    expect(tsAnswers()).toBe(true);
  });

  type Change =
    | { kind: 'edit'; file: number; text: string }
    | { kind: 'add'; name: string; text: string }
    | { kind: 'delete'; file: number }
    | { kind: 'chmod'; file: number; fileModeOff: boolean };

  const change: fc.Arbitrary<Change> = fc.oneof(
    fc.record({ kind: fc.constant('edit' as const), file: fc.nat(), text: fc.string({ minLength: 1 }) }),
    fc.record({ kind: fc.constant('add' as const), name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}(\.[a-z]{1,3})?$/), text: fc.string() }),
    fc.record({ kind: fc.constant('delete' as const), file: fc.nat() }),
    fc.record({ kind: fc.constant('chmod' as const), file: fc.nat(), fileModeOff: fc.boolean() }),
  );

  it('never answers for a changed tree', async () => {
    await fc.assert(
      fc.property(change, (c) => {
        let undo: () => void;
        if (c.kind === 'edit') {
          const f = tracked[c.file % tracked.length];
          writeFileSync(join(repo, f), `${c.text}\n`, { flag: 'a' });
          undo = () => git('checkout', '--', f);
        } else if (c.kind === 'add') {
          const f = `new-${c.name}`;
          writeFileSync(join(repo, f), c.text);
          undo = () => unlinkSync(join(repo, f));
        } else if (c.kind === 'delete') {
          const f = tracked[c.file % tracked.length];
          unlinkSync(join(repo, f));
          undo = () => git('checkout', '--', f);
        } else {
          const f = tracked[c.file % tracked.length];
          const mode = statSync(join(repo, f)).mode;
          if (c.fileModeOff) git('config', 'core.fileMode', 'false');
          chmodSync(join(repo, f), mode | 0o111);
          undo = () => {
            chmodSync(join(repo, f), mode);
            git('config', 'core.fileMode', 'true');
          };
        }
        try {
          expect(binAnswers(), JSON.stringify(c)).toBe(false);
          expect(tsAnswers(), JSON.stringify(c)).toBe(false);
        } finally {
          undo();
        }
        expect(binAnswers(), `after undoing ${JSON.stringify(c)}`).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('an ignored new file is not part of the tree: the fast path still answers', () => {
    writeFileSync(join(repo, 'ignored-notes.txt'), 'x');
    try {
      expect(binAnswers()).toBe(true);
      expect(tsAnswers()).toBe(true);
    } finally {
      unlinkSync(join(repo, 'ignored-notes.txt'));
    }
  });
});
