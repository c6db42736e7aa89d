// Bench (run by hand, never asserted): signed GitHub `push` webhooks on loopback against a real
// `codegenie serve` process. 100 local bare mirrors with real commits (git fast-import), 1,000
// events spread evenly over 10 s (event k pushes commit k/100 of repository k%100), then the
// queue drains. Reports: every event accounted for (accepted = stored = attached to a done job),
// the coalesced gather count, webhook answer time (median, p95), the service's peak RSS (VmHWM),
// gathers per minute while draining. The gather is tests/serve/helpers/fake-gather.cjs (it sleeps
// FAKE_GATHER_MS and writes the artifacts), so gathers/minute measures the service, not a gather.
// Needs `npm run build`. Each run is bounded: sending takes --seconds, draining at most --drain-s.
//
// usage: node bench/serve/webhook-load.mjs [--workers 1,2] [--runs 3] [--events 1000] [--repos 100]
//          [--seconds 10] [--gather-ms 100] [--database postgres://...] [--drain-s 300]
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..');
const { values: opt } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2' },
    runs: { type: 'string', default: '3' },
    events: { type: 'string', default: '1000' },
    repos: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    'gather-ms': { type: 'string', default: '100' },
    database: { type: 'string' },
    'drain-s': { type: 'string', default: '300' },
  },
});
const EVENTS = Number(opt.events);
const REPOS = Number(opt.repos);
const COMMITS = Math.ceil(EVENTS / REPOS);
const SECRET = 'bench-secret';
const dir = mkdtempSync(join(tmpdir(), 'serve-load-'));

/** A bare repository with `n` real commits (one fast-import process), returns the shas oldest first. */
function bareRepo(path, name, n) {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', path]);
  let stream = '';
  for (let i = 0; i < n; i++) {
    const content = JSON.stringify({ name, version: `1.0.${i}` });
    stream += `commit refs/heads/main\nmark :${i + 1}\ncommitter bench <b@example.com> ${1700000000 + i} +0000\ndata ${`c${i}`.length}\nc${i}\n`;
    if (i > 0) stream += `from :${i}\n`;
    stream += `M 100644 inline package.json\ndata ${Buffer.byteLength(content)}\n${content}\n\n`;
  }
  execFileSync('git', ['--git-dir', path, 'fast-import', '--quiet'], { input: stream, encoding: 'utf8' });
  return execFileSync('git', ['--git-dir', path, 'rev-list', '--reverse', 'main'], { encoding: 'utf8' }).trim().split('\n');
}

const t0 = Date.now();
const repos = [];
for (let r = 0; r < REPOS; r++) repos.push({ id: `r${r}`, path: join(dir, 'mirrors', `r${r}.git`), shas: bareRepo(join(dir, 'mirrors', `r${r}.git`), `r${r}`, COMMITS) });
console.error(`created ${REPOS} bare mirrors x ${COMMITS} commits in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);

function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startService(workers, stateDir) {
  const args = [join(root, 'dist/tools/cli.js'), 'serve', '--port', '0', '--state-dir', stateDir, '--workers', String(workers), '--poll-ms', '50', '--gather-module', join(root, 'tests/serve/helpers/fake-gather.cjs')];
  if (opt.database) args.push('--database', opt.database);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, CODEGENIE_WEBHOOK_SECRET: SECRET, FAKE_GATHER_MS: opt['gather-ms'] } });
  const url = await new Promise((ok, fail) => {
    child.stdout.once('data', (d) => ok(String(d).split('\n')[0]));
    child.once('exit', (code) => fail(new Error(`service exited ${code}`)));
  });
  return { child, url };
}

async function resetDatabase() {
  if (!opt.database) return;
  // A run starts from an empty shared queue: the bench owns this database.
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: opt.database });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS codegenie_events, codegenie_jobs, codegenie_repos, codegenie_risk_flags');
  await client.end();
}

async function oneRun(workers, run) {
  await resetDatabase();
  const stateDir = join(dir, `state-w${workers}-${run}`);
  mkdirSync(stateDir, { recursive: true });
  const { child, url } = await startService(workers, stateDir);
  try {
    for (const r of repos) {
      const res = await fetch(`${url}/repos`, { method: 'POST', body: JSON.stringify({ source: r.path, id: r.id, github: `bench/${r.id}` }) });
      if (res.status !== 201) throw new Error(`register ${r.id}: ${res.status} ${await res.text()}`);
    }
    const spacing = (Number(opt.seconds) * 1000) / EVENTS;
    const answers = [];
    const statuses = new Map();
    const start = performance.now();
    const inflight = [];
    for (let k = 0; k < EVENTS; k++) {
      const due = start + k * spacing;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const repo = repos[k % REPOS];
      const body = JSON.stringify({ ref: 'refs/heads/main', after: repo.shas[Math.floor(k / REPOS)], repository: { full_name: `bench/${repo.id}` }, pusher: { name: 'bench' } });
      const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
      inflight.push(
        (async () => {
          const t = performance.now();
          let status;
          try {
            const res = await fetch(`${url}/webhooks/github`, { method: 'POST', headers, body });
            await res.arrayBuffer();
            status = res.status;
            answers.push(performance.now() - t);
          } catch (err) {
            // Not answered (e.g. a keep-alive socket closed under the request): not accepted, counted apart.
            status = `transport error: ${err.cause?.code ?? err.message}`;
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        })(),
      );
    }
    await Promise.all(inflight);
    const sendSeconds = (performance.now() - start) / 1000;
    const drainDeadline = Date.now() + Number(opt['drain-s']) * 1000;
    let counts;
    for (;;) {
      counts = (await (await fetch(`${url}/jobs?limit=1`)).json()).counts;
      if ((counts.queued === 0 && counts.running === 0) || Date.now() > drainDeadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const drainedAfter = (performance.now() - start) / 1000;
    const rss = peakRssMb(child.pid);
    const events = (await (await fetch(`${url}/events`)).json()).events;
    const jobs = (await (await fetch(`${url}/jobs?limit=100000`)).json()).jobs;
    const jobState = new Map(jobs.map((j) => [j.id, j]));
    const accepted = statuses.get(202) ?? 0;
    const unaccounted = events.filter((e) => jobState.get(e.job)?.state !== 'done').length;
    const done = jobs.filter((j) => j.state === 'done');
    const firstStart = Math.min(...done.map((j) => j.started_at));
    const lastFinish = Math.max(...done.map((j) => j.finished_at));
    answers.sort((a, b) => a - b);
    return {
      workers,
      run,
      sent: EVENTS,
      statuses: Object.fromEntries(statuses),
      stored_events: events.length,
      // Accepted (202) but not stored, or stored but its job not done: both must be 0.
      events_not_on_a_done_job: unaccounted + Math.max(0, accepted - events.length),
      gathers: done.length,
      failed: counts.failed,
      drained: counts.queued === 0 && counts.running === 0,
      send_s: Number(sendSeconds.toFixed(2)),
      drained_after_s: Number(drainedAfter.toFixed(2)),
      answer_median_ms: Number(quantile(answers, 0.5).toFixed(2)),
      answer_p95_ms: Number(quantile(answers, 0.95).toFixed(2)),
      answer_max_ms: Number(answers[answers.length - 1].toFixed(2)),
      peak_rss_mb: Number(rss.toFixed(1)),
      // Other work on the machine skews every figure: the 1-minute load average at the end of the run.
      load_1m: Number(loadavg()[0].toFixed(2)),
      gathers_per_minute: Number(((done.length / Math.max(1, lastFinish - firstStart)) * 60_000).toFixed(1)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const results = [];
for (const workers of opt.workers.split(',').map(Number)) {
  for (let run = 1; run <= Number(opt.runs); run++) {
    const r = await oneRun(workers, run);
    console.log(JSON.stringify(r));
    results.push(r);
  }
}
const summary = {};
for (const workers of new Set(results.map((r) => r.workers))) {
  const rs = results.filter((r) => r.workers === workers);
  summary[`workers_${workers}`] = {
    runs: rs.length,
    store: opt.database ? 'postgres' : 'sqlite',
    gather: `fake (FAKE_GATHER_MS=${opt['gather-ms']})`,
    all_accepted_events_gathered: rs.every((r) => r.events_not_on_a_done_job === 0 && r.statuses[202] === r.stored_events),
    not_accepted: rs.map((r) => r.sent - (r.statuses[202] ?? 0)),
    median_gathers: median(rs.map((r) => r.gathers)),
    median_answer_median_ms: median(rs.map((r) => r.answer_median_ms)),
    median_answer_p95_ms: median(rs.map((r) => r.answer_p95_ms)),
    max_answer_p95_ms: Math.max(...rs.map((r) => r.answer_p95_ms)),
    median_peak_rss_mb: median(rs.map((r) => r.peak_rss_mb)),
    median_gathers_per_minute: median(rs.map((r) => r.gathers_per_minute)),
    median_drained_after_s: median(rs.map((r) => r.drained_after_s)),
    load_1m: rs.map((r) => r.load_1m),
  };
}
console.log(JSON.stringify({ summary }, null, 2));
rmSync(dir, { recursive: true, force: true });
