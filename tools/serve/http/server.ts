/**
 * The service's HTTP API (node:http, no framework):
 *   GET  /                          status page (HTML)
 *   GET  /healthz, /readyz          liveness; readiness (503 while draining)
 *   GET  /metrics                   Prometheus text format
 *   GET  /repos                     watched repositories   POST /repos {source, id?, branches?, cron?, github?}
 *   DELETE /repos/:id
 *   GET  /repos/:id/context?mode=&view=&wait=   freshness API
 *   POST /gather {repo, rev?, mode?, wait?}      manual trigger
 *   GET  /jobs?state=&repo=, GET /jobs/:id
 *   POST /webhooks/github           GitHub push / pull_request
 *   POST /advisories {advisory, since?, affected?}   CVE feed event
 * Every request gets an id (X-Request-Id, echoed) that its log line carries.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readContext } from '../context-read';
import { FRESHNESS_MODES, type FreshnessMode } from '../gather-port';
import type { JobState } from '../queue/types';
import { addRepository, RegistryError, removeRepository } from '../registry';
import type { Service } from '../service';
import { renderStatusPage } from '../status-page';
import { decideWebhook, verifySignature } from '../triggers/github-webhook';
import { BodyError, readBody, readJson } from './body';

export interface HttpOptions {
  service: Service;
  webhookSecret: string | undefined;
  maxBodyBytes: number;
  host: string;
  port: number;
  /** Called after the registry changes (the cron trigger rebuilds its timers). */
  onRegistryChange?: () => Promise<void>;
}

export interface RunningHttp {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function parseMode(value: string | null | undefined): FreshnessMode | undefined {
  if (value === null || value === undefined) return 'fresh-on-trigger';
  return (FRESHNESS_MODES as readonly string[]).includes(value) ? (value as FreshnessMode) : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function createHandler(opts: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { service } = opts;
  const log = service.opts.log;

  async function webhook(req: IncomingMessage, res: ServerResponse, entry: Record<string, unknown>): Promise<void> {
    const source = 'github';
    if (!opts.webhookSecret) return send(res, 503, { error: 'no webhook secret configured' });
    const body = await readBody(req, opts.maxBodyBytes);
    const payload = body.toString('utf8');
    if (!(await verifySignature(opts.webhookSecret, payload, header(req, 'x-hub-signature-256')))) {
      service.metrics.events.inc({ source, outcome: 'refused' });
      entry.outcome = 'bad-signature';
      return send(res, 401, { error: 'signature missing or invalid' });
    }
    const delivery = header(req, 'x-github-delivery');
    const eventName = header(req, 'x-github-event') ?? '';
    entry.delivery = delivery;
    entry.github_event = eventName;
    if (!delivery) return send(res, 400, { error: 'X-GitHub-Delivery is missing' });
    if (await service.store.hasDelivery(delivery)) {
      service.metrics.events.inc({ source, outcome: 'duplicate' });
      entry.outcome = 'duplicate';
      return send(res, 409, { error: 'delivery already accepted', delivery });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    const decision = decideWebhook(eventName, delivery, parsed, await service.store.listRepos());
    if (decision.kind === 'ignored') {
      service.metrics.events.inc({ source, outcome: 'ignored' });
      entry.outcome = `ignored: ${decision.why}`;
      return send(res, 202, { status: 'ignored', reason: decision.why });
    }
    const result = await service.submit(decision.event);
    if (result.event === null) {
      entry.outcome = 'duplicate';
      return send(res, 409, { error: 'delivery already accepted', delivery });
    }
    entry.outcome = result.coalesced ? 'coalesced' : 'queued';
    entry.job_id = result.job;
    send(res, 202, { status: 'queued', event: result.event, job: result.job, coalesced: result.coalesced, repo: decision.event.repo, rev: decision.event.rev });
  }

  async function route(req: IncomingMessage, res: ServerResponse, entry: Record<string, unknown>): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/healthz') return send(res, 200, { status: 'ok' });
    if (method === 'GET' && path === '/readyz') {
      return service.draining ? send(res, 503, { status: 'draining' }) : send(res, 200, { status: 'ready', store: service.store.kind, gather: service.opts.gatherKind, workers: service.opts.workers });
    }
    if (method === 'GET' && path === '/metrics') return send(res, 200, await service.metrics.registry.metrics(), service.metrics.registry.contentType);
    if (method === 'GET' && path === '/') return send(res, 200, await renderStatusPage(service), 'text/html; charset=utf-8');
    if (method === 'POST' && path === '/webhooks/github') return webhook(req, res, entry);
    if (path === '/repos' && method === 'GET') return send(res, 200, { repositories: await service.store.listRepos() });
    if (path === '/repos' && method === 'POST') {
      const body = (await readJson(req, opts.maxBodyBytes)) as Record<string, unknown>;
      try {
        const repo = await addRepository(service.store, service.opts.stateDir, body as never, service.now());
        await opts.onRegistryChange?.();
        return send(res, 201, repo);
      } catch (err) {
        if (err instanceof RegistryError) return send(res, 400, { error: err.message });
        throw err;
      }
    }
    const repoMatch = /^\/repos\/([^/]+)(\/context)?$/.exec(path);
    if (repoMatch) {
      const id = decodeURIComponent(repoMatch[1]);
      if (method === 'DELETE' && !repoMatch[2]) {
        const removed = await removeRepository(service.store, id);
        await opts.onRegistryChange?.();
        return send(res, removed ? 200 : 404, removed ? { removed: id } : { error: `repository ${id} is not watched` });
      }
      if (method === 'GET' && repoMatch[2]) {
        const mode = parseMode(url.searchParams.get('mode'));
        if (!mode) return send(res, 400, { error: `mode must be one of ${FRESHNESS_MODES.join(', ')}` });
        const wait = Number(url.searchParams.get('wait') ?? 600);
        const answer = await readContext(service, id, mode, url.searchParams.get('view') ?? undefined, Math.max(0, wait) * 1000);
        return send(res, answer.status, answer.body);
      }
      if (method === 'GET') {
        const repo = await service.store.getRepo(id);
        return repo ? send(res, 200, { ...repo, last: (await service.store.lastDone(id)) ?? null, risk_flags: await service.store.riskFlags(id) }) : send(res, 404, { error: `repository ${id} is not watched` });
      }
    }
    if (method === 'POST' && path === '/gather') {
      const body = (await readJson(req, opts.maxBodyBytes)) as { repo?: unknown; rev?: unknown; mode?: unknown; wait?: unknown };
      if (typeof body.repo !== 'string') return send(res, 400, { error: 'repo is required' });
      const repo = await service.store.getRepo(body.repo);
      if (!repo) return send(res, 404, { error: `repository ${body.repo} is not watched` });
      const mode = parseMode(typeof body.mode === 'string' ? body.mode : undefined);
      if (!mode) return send(res, 400, { error: `mode must be one of ${FRESHNESS_MODES.join(', ')}` });
      if (mode === 'cached-only') {
        const answer = await readContext(service, repo.id, mode, undefined, 0);
        return send(res, answer.status, answer.body);
      }
      const rev = typeof body.rev === 'string' && body.rev !== '' ? body.rev : `refs/heads/${repo.branches[0]}`;
      const result = await service.submit({ repo: repo.id, rev, reason: 'manual', mode });
      entry.job_id = result.job;
      if (typeof body.wait === 'number' && body.wait > 0) {
        const job = await service.waitForJob(result.job!, body.wait * 1000);
        return send(res, job?.state === 'done' ? 200 : job?.state === 'failed' ? 502 : 202, { event: result.event, job });
      }
      return send(res, 202, { status: 'queued', event: result.event, job: result.job, coalesced: result.coalesced });
    }
    if (method === 'GET' && path === '/jobs') {
      const state = url.searchParams.get('state') as JobState | null;
      return send(res, 200, { jobs: await service.store.listJobs({ state: state ?? undefined, repo: url.searchParams.get('repo') ?? undefined, limit: Number(url.searchParams.get('limit') ?? 100) }), counts: await service.store.counts() });
    }
    const jobMatch = /^\/jobs\/(\d+)$/.exec(path);
    if (method === 'GET' && jobMatch) {
      const job = await service.store.getJob(Number(jobMatch[1]));
      return job ? send(res, 200, job) : send(res, 404, { error: 'no such job' });
    }
    if (method === 'GET' && path === '/events') return send(res, 200, { events: await service.store.eventJobs() });
    if (method === 'POST' && path === '/advisories') {
      const body = (await readJson(req, opts.maxBodyBytes)) as { advisory?: unknown; since?: unknown; affected?: unknown };
      if (typeof body.advisory !== 'string') return send(res, 400, { error: 'advisory (an id) is required' });
      try {
        const scheduled = await service.onAdvisory(body.advisory, typeof body.since === 'string' ? body.since : new Date(0).toISOString(), Array.isArray(body.affected) ? (body.affected as { repo: string }[]) : undefined);
        return send(res, 202, { advisory: body.advisory, scheduled });
      } catch (err) {
        return send(res, 501, { error: (err as Error).message });
      }
    }
    send(res, 404, { error: 'not found' });
  }

  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = header(req, 'x-request-id')?.slice(0, 100) ?? randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const entry: Record<string, unknown> = {};
    route(req, res, entry)
      .catch((err: unknown) => {
        if (err instanceof BodyError) {
          entry.outcome = 'body-refused';
          if (!res.headersSent) {
            res.setHeader('Connection', 'close');
            send(res, err.status, { error: err.message });
          }
          return;
        }
        entry.error = (err as Error).message;
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      })
      .finally(() => {
        const path = (req.url ?? '').split('?')[0];
        if (path === '/healthz' || path === '/metrics') return;
        log({ event: 'request', request_id: requestId, method: req.method, path: path.slice(0, 200), status: res.statusCode, duration_ms: Number(process.hrtime.bigint() - started) / 1e6, ...entry });
      });
  };
}

export function startHttp(opts: HttpOptions): Promise<RunningHttp> {
  const server = createServer(createHandler(opts));
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        url: `http://${host}:${port}`,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
