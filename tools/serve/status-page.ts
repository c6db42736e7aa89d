/** `GET /`: the status page, rendered on the server as one HTML document (no scripts, no build). */
import type { Service } from './service';
import { cacheHitRate } from './metrics';

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function age(ms: number | null, now: number): string {
  if (ms === null) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

export async function renderStatusPage(service: Service): Promise<string> {
  const { store } = service;
  const now = service.now();
  const [repos, counts, failed, flags, hit] = await Promise.all([store.listRepos(), store.counts(), store.listJobs({ state: 'failed', limit: 20 }), store.riskFlags(), cacheHitRate(service.metrics)]);
  const running = await store.listJobs({ state: 'running', limit: 50 });
  const rows: string[] = [];
  for (const repo of repos) {
    const last = await store.lastDone(repo.id);
    const repoFlags = flags.filter((f) => f.repo === repo.id);
    const seconds = last?.outcome?.seconds ?? (last?.started_at && last.finished_at ? (last.finished_at - last.started_at) / 1000 : null);
    rows.push(
      `<tr data-repo="${esc(repo.id)}"><td>${esc(repo.id)}</td><td>${esc(repo.branches.join(', '))}</td>` +
        `<td class="commit">${esc(last?.commit?.slice(0, 12) ?? '—')}</td><td>${esc(age(last?.finished_at ?? null, now))}</td>` +
        `<td>${seconds === null ? '—' : esc(seconds.toFixed(2))}</td><td class="replayed">${esc(last?.outcome?.probes.replayed.length ?? '—')}</td>` +
        `<td class="recomputed">${esc(last?.outcome?.probes.recomputed.length ?? '—')}</td>` +
        `<td class="flags">${repoFlags.length === 0 ? '' : repoFlags.map((f) => `<span class="flag" title="${esc(f.detail)}">${esc(f.advisory)}</span>`).join(' ')}</td></tr>`,
    );
  }
  const jobRow = (j: { id: number; repo: string; rev: string; reason: string; attempts: number; last_error: string | null }): string =>
    `<tr><td>${j.id}</td><td>${esc(j.repo)}</td><td class="commit">${esc(j.rev.slice(0, 12))}</td><td>${esc(j.reason)}</td><td>${j.attempts}</td><td>${esc(j.last_error ?? '')}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>codegenie serve</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.commit{font-family:monospace}.flag{background:#fdd;padding:0 4px;border-radius:3px}dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px}</style>
</head><body>
<h1>codegenie serve</h1>
<dl id="summary">
<dt>Watched repositories</dt><dd id="repo-count">${repos.length}</dd>
<dt>Queue depth</dt><dd id="queue-depth">${counts.queued}</dd>
<dt>Running</dt><dd id="running-count">${counts.running}</dd>
<dt>Done</dt><dd id="done-count">${counts.done}</dd>
<dt>Failed</dt><dd id="failed-count">${counts.failed}</dd>
<dt>Events accepted</dt><dd id="event-count">${counts.events}</dd>
<dt>Cache hit rate</dt><dd id="cache-hit-rate">${hit === null ? '—' : `${(hit * 100).toFixed(1)} %`}</dd>
<dt>Store</dt><dd>${esc(store.kind)}</dd>
</dl>
<h2>Repositories</h2>
<table id="repos"><thead><tr><th>Repository</th><th>Branches</th><th>Last commit</th><th>Age</th><th>Seconds</th><th>Replayed</th><th>Recomputed</th><th>Risk flags</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<h2>Running jobs</h2>
<table id="running"><thead><tr><th>Job</th><th>Repository</th><th>Rev</th><th>Reason</th><th>Attempt</th><th></th></tr></thead><tbody>${running.map(jobRow).join('\n')}</tbody></table>
<h2>Failed jobs</h2>
<table id="failed"><thead><tr><th>Job</th><th>Repository</th><th>Rev</th><th>Reason</th><th>Attempts</th><th>Error</th></tr></thead><tbody>${failed.map(jobRow).join('\n')}</tbody></table>
</body></html>
`;
}
