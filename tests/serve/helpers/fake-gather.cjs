// A real gather function for service tests on a branch without `codegenie gather`: it takes the
// contract's request, sleeps FAKE_GATHER_MS (honouring the abort signal), writes the artifacts a
// gather writes, and logs start/done lines to FAKE_GATHER_LOG. Revs matching FAKE_GATHER_FAIL fail.
// With FAKE_GATHER_GATE set, a gather also waits until that file exists: a test holds a gather
// "running" for exactly as long as it needs, whatever the machine's load.
const { appendFileSync, existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function record(line) {
  if (process.env.FAKE_GATHER_LOG) appendFileSync(process.env.FAKE_GATHER_LOG, `${JSON.stringify({ ...line, pid: process.pid, t: Date.now() })}\n`);
}

exports.gatherRepository = async function gatherRepository(req) {
  const started = Date.now();
  record({ phase: 'start', path: req.path, rev: req.rev, mode: req.mode });
  const ms = Number(process.env.FAKE_GATHER_MS ?? 50);
  await new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    req.signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
  });
  const gate = process.env.FAKE_GATHER_GATE;
  while (gate && !existsSync(gate)) {
    if (req.signal?.aborted) throw new Error('aborted');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const fail = process.env.FAKE_GATHER_FAIL;
  if (fail && new RegExp(fail).test(req.rev ?? '')) {
    record({ phase: 'fail', path: req.path, rev: req.rev });
    return { repository: req.path, rev: req.rev ?? null, status: 'failed', fast_path: false, seconds: (Date.now() - started) / 1000, out: '', probes: { replayed: [], recomputed: [] }, errors: [`injected failure for ${req.rev}`] };
  }
  const out = join(req.stateDir, 'out', req.rev);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'repo-context.yaml'), `commit: ${req.rev}\n`);
  writeFileSync(join(out, 'views.json'), JSON.stringify({ risk_flags: [{ id: 'example', rev: req.rev }], summary: { rev: req.rev } }));
  record({ phase: 'done', path: req.path, rev: req.rev, mode: req.mode });
  return { repository: req.path, rev: req.rev ?? null, status: 'ok', fast_path: false, seconds: (Date.now() - started) / 1000, out, probes: { replayed: ['a:gather', 'b:gather'], recomputed: ['c:gather'] }, errors: [] };
};
