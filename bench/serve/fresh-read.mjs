// Bench (run by hand, never asserted): the zero-change "ensure fresh, then read" answer of
// GET /repos/:id/context?mode=fresh-on-trigger once the head is gathered. Needs `npm run build`.
// usage: node bench/serve/fresh-read.mjs [requests=300]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const n = Number(process.argv[2] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'serve-bench-'));
const repo = join(dir, 'repo');
execFileSync('git', ['init', '-q', '-b', 'main', repo]);
writeFileSync(join(repo, 'package.json'), '{"name":"bench"}');
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@e', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@e' };
execFileSync('git', ['-C', repo, 'add', '.'], { env });
execFileSync('git', ['-C', repo, 'commit', '-qm', 'c'], { env });
const child = spawn(process.execPath, [join(root, 'dist/tools/cli.js'), 'serve', '--port', '0', '--state-dir', join(dir, 'state'), '--gather-module', join(root, 'tests/serve/helpers/fake-gather.cjs')], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, FAKE_GATHER_MS: '10' } });
const url = await new Promise((r) => child.stdout.once('data', (d) => r(String(d).split('\n')[0])));
await fetch(`${url}/repos`, { method: 'POST', body: JSON.stringify({ source: repo, id: 'r' }) });
await fetch(`${url}/gather`, { method: 'POST', body: JSON.stringify({ repo: 'r', wait: 30 }) });
const times = [];
for (let i = 0; i < n; i++) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${url}/repos/r/context?mode=fresh-on-trigger`);
  await res.arrayBuffer();
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log(JSON.stringify({ requests: n, median_ms: q(0.5), p95_ms: q(0.95), max_ms: q(1) }));
child.kill('SIGTERM');
