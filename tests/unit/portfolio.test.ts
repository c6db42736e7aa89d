/**
 * The portfolio scheduler (`codegenie gather --repos`), with a deterministic in-test gather:
 * each fake repository finishes when the test says so, so ordering, the concurrency bound,
 * failure isolation, the exit code, the JSON shape and the plain log lines are asserted exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { GatherOutcome, GatherRequest } from '../../tools/gather-cli/contract';
import { formatSummaryTable, parseJobs, parseReposFile, runPortfolio, runReposCommand, type RepoEntry } from '../../tools/gather-cli/portfolio';

function sink(): PassThrough & { text(): string } {
  const chunks: Buffer[] = [];
  const s = new PassThrough() as PassThrough & { text(): string };
  s.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  s.text = () => Buffer.concat(chunks).toString('utf8');
  return s;
}

function entries(n: number): RepoEntry[] {
  return parseReposFile(Array.from({ length: n }, (_, i) => `repo-${i}`).join('\n'), '/base');
}

function outcome(req: GatherRequest, over: Partial<GatherOutcome> = {}): GatherOutcome {
  return {
    repository: req.path,
    rev: req.rev ?? null,
    status: 'ok',
    fast_path: false,
    seconds: 1.25,
    out: `${req.path}/state/context`,
    probes: { replayed: ['probe-a', 'probe-b'], recomputed: ['probe-c'] },
    errors: [],
    ...over,
  };
}

/** A gather whose calls complete only when the test releases them; records concurrency. */
function controlledGather(behaviour: (req: GatherRequest) => Partial<GatherOutcome> | Error | 'reject-string' = () => ({})) {
  const pending = new Map<string, () => void>();
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const waiters: Array<() => void> = [];
  const gatherOne = (req: GatherRequest) => {
    started.push(req.path);
    running++;
    peak = Math.max(peak, running);
    waiters.splice(0).forEach((w) => w());
    return new Promise<GatherOutcome>((resolveOutcome, reject) => {
      pending.set(req.path, () => {
        running--;
        const b = behaviour(req);
        if (b instanceof Error) reject(b);
        else if (b === 'reject-string') reject('plain string rejection');
        else resolveOutcome(outcome(req, b));
      });
    });
  };
  return {
    gatherOne,
    started,
    get peak() {
      return peak;
    },
    get running() {
      return running;
    },
    /** Waits until `n` calls have started. */
    async untilStarted(n: number) {
      while (started.length < n) await new Promise<void>((r) => waiters.push(r));
    },
    release(path: string) {
      const done = pending.get(path);
      if (!done) throw new Error(`${path} is not running`);
      pending.delete(path);
      done();
    },
    pendingPaths: () => [...pending.keys()],
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runPortfolio', () => {
  it('never runs more than --jobs at once, starts in list order, and keeps the summary in list order', async () => {
    const list = entries(7);
    const g = controlledGather();
    const stream = sink();
    const run = runPortfolio(list, { jobs: 3, gatherOne: g.gatherOne, stream, isTTY: false });
    await g.untilStarted(3);
    await tick();
    expect(g.started).toEqual(['/base/repo-0', '/base/repo-1', '/base/repo-2']);
    // Finish out of order: the next entry in the list takes the freed slot.
    g.release('/base/repo-2');
    await g.untilStarted(4);
    expect(g.started[3]).toBe('/base/repo-3');
    while (g.pendingPaths().length > 0) {
      expect(g.running).toBeLessThanOrEqual(3);
      g.release(g.pendingPaths().at(-1)!);
      await tick();
    }
    const result = await run;
    expect(g.peak).toBe(3);
    expect(g.started).toEqual(list.map((e) => e.path));
    expect(result.rows.map((r) => r.repository)).toEqual(list.map((e) => e.label));
    expect(result).toMatchObject({ ok: 7, failed: 0, stale: 0, exitCode: 0 });
  });

  it('runs one at a time with jobs 1', async () => {
    const g = controlledGather();
    const run = runPortfolio(entries(4), { jobs: 1, gatherOne: g.gatherOne, stream: sink(), isTTY: false });
    for (let i = 0; i < 4; i++) {
      await g.untilStarted(i + 1);
      await tick();
      expect(g.started.length).toBe(i + 1);
      g.release(`/base/repo-${i}`);
    }
    await run;
    expect(g.peak).toBe(1);
  });

  it('isolates failures: a failed outcome, a thrown error, a rejected string and a malformed outcome each fail only their repository', async () => {
    const list = entries(6);
    const gatherOne = async (req: GatherRequest): Promise<GatherOutcome> => {
      if (req.path.endsWith('repo-1')) return outcome(req, { status: 'failed', errors: ['lockfile is not valid YAML', 'second error'] });
      if (req.path.endsWith('repo-2')) throw new Error('spawn nx ENOENT\n    at stack line');
      if (req.path.endsWith('repo-3')) return Promise.reject('plain string rejection');
      if (req.path.endsWith('repo-4')) return { status: 'done' } as unknown as GatherOutcome;
      return outcome(req);
    };
    const out = sink();
    const result = await runPortfolio(list, { jobs: 2, gatherOne, stream: sink(), isTTY: false, out, json: true });
    expect(result).toMatchObject({ ok: 2, failed: 4, exitCode: 1 });
    const json = JSON.parse(out.text()) as { repositories: GatherOutcome[]; ok: number; failed: number };
    expect(Object.keys(json)).toEqual(['repositories', 'ok', 'failed']);
    expect(json.ok).toBe(2);
    expect(json.failed).toBe(4);
    expect(json.repositories.map((r) => [r.repository, r.status])).toEqual([
      ['/base/repo-0', 'ok'],
      ['/base/repo-1', 'failed'],
      ['/base/repo-2', 'failed'],
      ['/base/repo-3', 'failed'],
      ['/base/repo-4', 'failed'],
      ['/base/repo-5', 'ok'],
    ]);
    expect(json.repositories[1].errors).toEqual(['lockfile is not valid YAML', 'second error']);
    expect(json.repositories[2].errors).toEqual(['spawn nx ENOENT at stack line']);
    expect(json.repositories[3].errors).toEqual(['plain string rejection']);
    expect(json.repositories[4].errors).toEqual(['the gather returned no valid outcome']);
    // Every synthesized outcome still has the contract's shape.
    for (const r of json.repositories) {
      expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(['errors', 'fast_path', 'out', 'probes', 'repository', 'rev', 'seconds', 'status']));
      expect(r.probes.replayed).toBeInstanceOf(Array);
    }
    expect(result.rows[1].error).toBe('lockfile is not valid YAML (+1 more)');
  });

  it('writes the JSON summary with every outcome as returned, in list order, whatever the finishing order', async () => {
    const list = parseReposFile('a@v1\nb\nc\n', '/w');
    const g = controlledGather((req) => (req.path === '/w/b' ? { fast_path: true, probes: { replayed: ['x'], recomputed: [] }, remote_cache: 'off' } : {}));
    const out = sink();
    const run = runPortfolio(list, { jobs: 3, gatherOne: g.gatherOne, stream: sink(), isTTY: false, out, json: true });
    await g.untilStarted(3);
    g.release('/w/c');
    g.release('/w/b');
    g.release('/w/a');
    await run;
    const json = JSON.parse(out.text()) as { repositories: GatherOutcome[] };
    expect(json.repositories).toEqual([
      outcome({ path: '/w/a', rev: 'v1' }),
      outcome({ path: '/w/b' }, { fast_path: true, probes: { replayed: ['x'], recomputed: [] }, remote_cache: 'off' }),
      outcome({ path: '/w/c' }),
    ]);
  });

  it('passes the shared request fields and each entry rev to the gather', async () => {
    const seen: GatherRequest[] = [];
    const gatherOne = async (req: GatherRequest) => {
      seen.push(req);
      return outcome(req);
    };
    await runPortfolio(parseReposFile('x@abc123\ny\n', '/r'), { jobs: 1, gatherOne, stream: sink(), isTTY: false, request: { mode: 'force-refresh', stateDir: '/state', timeoutMs: 5000 } });
    expect(seen.map(({ signal: _s, ...rest }) => rest)).toEqual([
      { path: '/r/x', rev: 'abc123', mode: 'force-refresh', stateDir: '/state', timeoutMs: 5000 },
      { path: '/r/y', mode: 'force-refresh', stateDir: '/state', timeoutMs: 5000 },
    ]);
  });

  it('counts stale repositories as ok but exits 3 when none failed', async () => {
    const gatherOne = async (req: GatherRequest) => outcome(req, { status: req.path.endsWith('1') ? 'stale' : 'fresh', stale_probes: req.path.endsWith('1') ? ['probe-a'] : [] });
    const result = await runPortfolio(entries(3), { jobs: 2, gatherOne, stream: sink(), isTTY: false });
    expect(result).toMatchObject({ ok: 3, failed: 0, stale: 1, exitCode: 3 });
  });

  it('logs one plain line per start and per finish when not on a TTY', async () => {
    const gatherOne = async (req: GatherRequest) => (req.path.endsWith('bad') ? outcome(req, { status: 'failed', errors: ['not a directory'], probes: { replayed: [], recomputed: [] } }) : outcome(req));
    const stream = sink();
    await runPortfolio(parseReposFile('good\nbad\n', '/p'), { jobs: 1, gatherOne, stream, isTTY: false, now: () => 0 });
    expect(stream.text().split('\n')).toEqual([
      'start  good',
      'ok     good 1.3s (2 replayed, 1 recomputed) [1/2 done, 0 failed, 0 running, 1 waiting (jobs 1) 0:00 elapsed]',
      'start  bad',
      'failed bad 1.3s (0 replayed, 0 recomputed): not a directory [2/2 done, 1 failed, 0 running, 0 waiting (jobs 1) 0:00 elapsed]',
      '',
    ]);
    expect(stream.text()).not.toContain('\u001b[');
  });

  it('draws a live display on a TTY: running repositories, counts, elapsed', async () => {
    const stream = Object.assign(sink(), { isTTY: true, columns: 120, rows: 40 });
    const g = controlledGather();
    const run = runPortfolio(entries(3), { jobs: 2, gatherOne: g.gatherOne, stream, isTTY: true });
    await g.untilStarted(2);
    await tick();
    const live = stream.text();
    expect(live).toContain('0/3 done, 0 failed, 2 running, 1 waiting (jobs 2)');
    expect(live).toContain('… repo-0');
    expect(live).toContain('… repo-1');
    expect(live).toMatch(/\d+:\d\d elapsed/);
    g.release('/base/repo-0');
    await g.untilStarted(3);
    g.release('/base/repo-1');
    await tick();
    g.release('/base/repo-2');
    await run;
    const all = stream.text();
    expect(all).toContain('✔ ok     repo-0');
    expect(all).toContain('3/3 done, 0 failed, 0 running, 0 waiting');
    // log-update rewrites the frame with cursor movements: this is the live mode, not plain lines.
    expect(all).toContain('\u001b[');
  });

  it('falls back to plain lines on a terminal that reports no size (log-update would show nothing)', async () => {
    const stream = Object.assign(sink(), { isTTY: true, columns: 0, rows: 0 });
    await runPortfolio(entries(2), { jobs: 1, gatherOne: async (req) => outcome(req), stream, isTTY: true, now: () => 0 });
    expect(stream.text().split('\n').slice(0, 2)).toEqual(['start  repo-0', 'ok     repo-0 1.3s (2 replayed, 1 recomputed) [1/2 done, 0 failed, 0 running, 1 waiting (jobs 1) 0:00 elapsed]']);
  });

  it('stops starting repositories when aborted, passes the signal on, and reports the rest as not started', async () => {
    const controller = new AbortController();
    const g = controlledGather();
    const signals: Array<AbortSignal | undefined> = [];
    const gatherOne = (req: GatherRequest) => {
      signals.push(req.signal);
      return g.gatherOne(req);
    };
    const run = runPortfolio(entries(5), { jobs: 2, gatherOne, stream: sink(), isTTY: false, signal: controller.signal });
    await g.untilStarted(2);
    controller.abort();
    expect(signals.every((s) => s?.aborted)).toBe(true);
    g.release('/base/repo-0');
    g.release('/base/repo-1');
    const result = await run;
    expect(g.started.length).toBe(2);
    expect(result.failed).toBe(3);
    expect(result.rows.slice(2).map((r) => [r.status, r.error])).toEqual(Array(3).fill(['failed', 'not started: the run was aborted']));
    expect(result.exitCode).toBe(1);
  });

  it('keeps only short rows in memory for a long list and streams the JSON back from its spool', async () => {
    const n = 3000;
    const big = 'x'.repeat(2000);
    const gatherOne = async (req: GatherRequest) => outcome(req, { probes: { replayed: [big], recomputed: [] } });
    const out = sink();
    const result = await runPortfolio(entries(n), { jobs: 8, gatherOne, stream: new PassThrough().resume(), isTTY: false, out, json: true });
    // The rows hold counts, not the outcomes' lists.
    expect(JSON.stringify(result.rows).length).toBeLessThan(n * 200);
    const json = JSON.parse(out.text()) as { repositories: GatherOutcome[]; ok: number };
    expect(json.ok).toBe(n);
    expect(json.repositories[n - 1].probes.replayed[0]).toBe(big);
    expect(json.repositories.map((r) => r.repository)).toEqual(entries(n).map((e) => e.path));
  });
});

describe('formatSummaryTable', () => {
  it('pads columns and names the failing repository with its error', () => {
    const table = formatSummaryTable([
      { repository: 'fixtures/a', status: 'ok', seconds: 12.5, replayed: 10, recomputed: 3, error: '' },
      { repository: 'broken@v1', status: 'failed', seconds: 0.04, replayed: 0, recomputed: 0, error: 'unknown rev v1' },
    ]);
    expect(table.split('\n')).toEqual([
      'repository  status  seconds  replayed  recomputed  errors',
      '----------  ------  -------  --------  ----------  --------------',
      'fixtures/a  ok        12.50        10           3',
      'broken@v1   failed     0.04         0           0  unknown rev v1',
      '',
    ]);
  });
});

describe('runReposCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codegenie-repos-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the table and a totals line, resolving entries against the list folder; exit 1 when one failed', async () => {
    writeFileSync(join(dir, 'list.txt'), '# two\nalpha\nbroken@v9\n');
    const stdout = sink();
    const stderr = sink();
    const code = await runReposCommand({
      reposFile: join(dir, 'list.txt'),
      jobs: '2',
      gatherOne: async (req) => (req.rev === 'v9' ? outcome(req, { status: 'failed', errors: ['unknown rev v9'] }) : outcome(req)),
      stdout,
      stderr,
    });
    expect(code).toBe(1);
    const lines = stdout.text().split('\n');
    expect(lines[0]).toMatch(/^repository\s+status\s+seconds\s+replayed\s+recomputed\s+errors$/);
    expect(lines.find((l) => l.startsWith('alpha'))).toMatch(/^alpha\s+ok\s+1\.25\s+2\s+1$/);
    expect(lines.find((l) => l.startsWith('broken@v9'))).toMatch(/failed.*unknown rev v9$/);
    expect(stdout.text()).toMatch(/^1 ok, 1 failed of 2 in \d+:\d\d$/m);
    expect(stderr.text()).toContain('start  alpha');
  });

  it('exits 0 when all succeeded', async () => {
    writeFileSync(join(dir, 'ok.txt'), 'a\nb\n');
    expect(await runReposCommand({ reposFile: join(dir, 'ok.txt'), gatherOne: async (req) => outcome(req), stdout: sink(), stderr: sink() })).toBe(0);
  });

  it.each([
    ['a missing list', 'missing.txt', undefined, /--repos .*missing\.txt: no such file$/],
    ['a folder as the list', '.', undefined, /: is a directory, not a list$/],
    ['bad --jobs', 'ok.txt', '0', /--jobs must be a whole number from 1 to 9999, got "0"$/],
    ['an invalid line', 'bad.txt', undefined, /bad\.txt:2: '@' with no rev after it/],
  ])('usage error (exit 2, one line per problem, nothing gathered) for %s', async (_what, file, jobs, message) => {
    writeFileSync(join(dir, 'bad.txt'), 'fine\nbroken@\n');
    let calls = 0;
    const stderr = sink();
    const code = await runReposCommand({ reposFile: join(dir, file), jobs, gatherOne: async (req) => (calls++, outcome(req)), stdout: sink(), stderr });
    expect(code).toBe(2);
    expect(calls).toBe(0);
    const lines = stderr.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^codegenie gather: /);
    expect(lines[0]).toMatch(message);
  });

  it('parses --jobs', () => {
    expect(parseJobs('4')).toBe(4);
    expect(parseJobs(undefined)).toBeGreaterThanOrEqual(1);
    for (const bad of ['', 'x', '-1', '1.5', '0', '10000']) expect(() => parseJobs(bad)).toThrow(/--jobs/);
  });
});
