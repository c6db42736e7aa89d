/**
 * Nx's self-hosted remote cache API (OpenAPI "Nx custom remote cache specification", Nx ≥ 20.8)
 * over Node's `http` module:
 *
 *   PUT /v1/cache/{hash}  body: the task's tar archive, Content-Length required
 *       200 stored · 401 missing/invalid token · 403 read-only token (or the artifact could not
 *       be stored) · 409 an entry already exists, it is never overwritten
 *   GET /v1/cache/{hash}  200 the archive · 401 missing/invalid token · 404 no such entry
 *
 * plus, outside the spec: 400 a hash outside Nx's alphabet, 411 no Content-Length, 413 a body over
 * the size limit, and `GET /healthz` (no token needed).
 *
 * How Nx 24 reacts shapes the fault handling here: on PUT it accepts 200, and takes 403 and 409
 * as "not stored" without failing; on GET it takes 404 as a miss; every other status (and 401
 * with a non-`text/plain` body) fails the task. So storage faults degrade to 404 (read) and 403
 * (write) instead of 5xx, and all error bodies are exactly `text/plain`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { describeError, silentLogger, type AccessLogEntry, type Logger } from './log';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import { routeRequest } from './routes';
import { IncompleteUploadError, type CacheStorage } from './storage';
import type { Authorizer, Role } from './tokens';


export interface CacheServerOptions {
  storage: CacheStorage;
  authorizer: Authorizer;
  /** PUT bodies above this many bytes are refused with 413 before any byte is read. */
  maxBodyBytes?: number;
  log?: Logger;
}

export interface RunningCacheServer {
  /** e.g. `http://127.0.0.1:43123` */
  readonly url: string;
  readonly server: Server;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes. */
  shutdown(graceMs?: number): Promise<void>;
}

function reply(res: ServerResponse, status: number, message: string, closeConnection = false): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(message, 'utf8');
  // Exactly `text/plain`: Nx only shows a 401 body to the user when the type matches verbatim.
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': body.length,
    ...(closeConnection ? { Connection: 'close' } : {}),
  });
  res.end(body);
}

/** Reads and drops the rest of a request body, so the client sees our answer on a reusable connection. */
function discardBody(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.destroyed) return resolve();
    req.once('end', () => resolve());
    req.once('close', () => resolve());
    req.once('error', () => resolve());
    req.resume();
  });
}

function loggablePath(rawTarget: string | undefined): string {
  const path = (rawTarget ?? '').split('?')[0];
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** The access-log fields a request handler fills in as it goes. */
export type RequestLogFields = Omit<AccessLogEntry, 'event' | 'method' | 'status' | 'duration_ms'>;

export function createCacheRequestHandler(
  options: CacheServerOptions,
): (req: IncomingMessage, res: ServerResponse, entry: RequestLogFields) => Promise<void> {
  const { storage, authorizer } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  async function handleGet(hash: string, res: ServerResponse, entry: RequestLogFields): Promise<void> {
    let found;
    try {
      found = await storage.get(hash);
    } catch (err) {
      // Unreadable storage is a miss for the client: Nx rebuilds the task instead of failing.
      entry.outcome = 'storage-error';
      entry.error = describeError(err);
      return reply(res, 404, 'The record was not found');
    }
    if (!found) {
      entry.outcome = 'miss';
      return reply(res, 404, 'The record was not found');
    }
    entry.size = found.size;
    entry.outcome = 'hit';
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': found.size });
    // A client that has read the whole body (Content-Length) may close its socket before the
    // source stream's end reaches the response; `pipeline` then reports a premature close. The
    // bytes handed over tell whether the client got everything.
    let sent = 0;
    found.stream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    try {
      await pipeline(found.stream, res);
    } catch (err) {
      if (sent < found.size) {
        entry.outcome = 'aborted';
        entry.error = describeError(err);
      }
    }
  }

  async function handlePut(hash: string, role: Role, req: IncomingMessage, res: ServerResponse, entry: RequestLogFields): Promise<void> {
    if (role === 'read-only') {
      entry.outcome = 'read-only';
      await discardBody(req);
      return reply(res, 403, 'Access forbidden: this token is read-only');
    }
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined) {
      entry.outcome = 'no-length';
      return reply(res, 411, 'Content-Length is required', true);
    }
    const length = Number(lengthHeader);
    if (!/^[0-9]+$/.test(lengthHeader) || !Number.isSafeInteger(length)) {
      entry.outcome = 'bad-length';
      return reply(res, 400, 'Invalid Content-Length', true);
    }
    entry.size = length;
    if (length > maxBodyBytes) {
      entry.outcome = 'too-large';
      return reply(res, 413, `Artifact of ${length} bytes exceeds this server's limit of ${maxBodyBytes} bytes`, true);
    }
    try {
      if (await storage.has(hash)) {
        entry.outcome = 'exists';
        await discardBody(req);
        return reply(res, 409, 'Cannot override an existing record');
      }
      const outcome = await storage.put(hash, req, length);
      entry.outcome = outcome;
      if (outcome === 'exists') return reply(res, 409, 'Cannot override an existing record');
      return reply(res, 200, 'Successfully uploaded the output');
    } catch (err) {
      if (err instanceof IncompleteUploadError) {
        entry.outcome = 'incomplete';
        entry.error = describeError(err);
        return reply(res, 400, 'The request body ended before Content-Length bytes', true);
      }
      // A storage fault must not fail the client's build: 403 is Nx's "not stored, carry on".
      entry.outcome = 'storage-error';
      entry.error = describeError(err);
      await discardBody(req);
      return reply(res, 403, 'The cache server could not store this artifact; it was not cached');
    }
  }

  return async function handle(req, res, entry) {
    const route = routeRequest(req.url);
    if (route.kind === 'healthz') {
      entry.path = '/healthz';
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return reply(res, 405, 'Method not allowed');
      }
      const ok = await storage.healthy().catch(() => false);
      const body = JSON.stringify({ status: ok ? 'ok' : 'storage-unavailable' });
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (route.kind === 'not-found') {
      entry.path = loggablePath(req.url);
      return reply(res, 404, 'Not found', !req.complete);
    }
    if (route.kind === 'bad-hash') {
      entry.path = loggablePath(req.url);
      entry.outcome = 'bad-hash';
      return reply(res, 400, 'Invalid cache hash: Nx task hashes are decimal digits', !req.complete);
    }
    entry.hash = route.hash;
    if (req.method !== 'GET' && req.method !== 'PUT') {
      res.setHeader('Allow', 'GET, PUT');
      return reply(res, 405, 'Method not allowed', !req.complete);
    }
    const auth = authorizer.authorize(req.headers.authorization);
    if (auth.kind !== 'ok') {
      entry.outcome = auth.kind === 'missing' ? 'no-token' : 'bad-token';
      // No point reading an unauthenticated body: answer and close.
      return reply(res, 401, auth.kind === 'missing' ? 'Missing bearer token' : 'Invalid bearer token', !req.complete);
    }
    entry.role = auth.role;
    if (req.method === 'GET') await handleGet(route.hash, res, entry);
    else await handlePut(route.hash, auth.role, req, res, entry);
  };
}

export async function startCacheServer(options: CacheServerOptions & { port: number; host: string }): Promise<RunningCacheServer> {
  const log = options.log ?? silentLogger;
  const handle = createCacheRequestHandler(options);
  let shuttingDown = false;
  const open = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? '';
    const entry: RequestLogFields = {};
    if (shuttingDown) res.setHeader('Connection', 'close');
    open.add(res);
    const responseClosed = new Promise<void>((resolve) =>
      res.once('close', () => {
        open.delete(res);
        resolve();
      }),
    );
    const handled = handle(req, res, entry).catch((err: unknown) => {
      entry.outcome = 'internal-error';
      entry.error = describeError(err);
      if (!res.headersSent) reply(res, 500, 'Internal cache server error', true);
      else res.destroy();
    });
    // One line per request, once both the handler and the response are done, so the line carries
    // the final outcome even when the client vanished first.
    void Promise.all([handled, responseClosed]).then(() => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      log({ event: 'request', method, ...entry, status: res.statusCode, duration_ms: Math.round(durationMs * 10) / 10 });
      // While draining, a connection that just went idle is closed right away.
      if (shuttingDown) setImmediate(() => server.closeIdleConnections());
    });
  });

  // Idle keep-alive connections outlive the client's pool timeout (reqwest, Nx's HTTP client,
  // drops idle connections after 90 s), so the client closes first. Otherwise a request sent just
  // as the server closes an idle connection fails, and Nx 24 fails the run on any request error.
  server.keepAliveTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('cache server: unexpected listen address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    server,
    async shutdown(graceMs = 30_000) {
      shuttingDown = true;
      // In-flight requests finish, but their clients are told not to reuse the connection.
      for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      await closed;
      clearTimeout(force);
    },
  };
}
