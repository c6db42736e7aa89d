/**
 * Request bodies with a size limit: refused (413) from Content-Length before reading, or as soon as
 * the stream passes it. The refusal is answered only once the client has finished sending (up to
 * DRAIN_LIMIT more bytes, discarded): an HTTP client that gets its answer while still writing the
 * body may put that half-written keep-alive socket back in its pool, and its next request on it then
 * fails with "other side closed". Past DRAIN_LIMIT the socket is destroyed instead.
 */
import type { IncomingMessage } from 'node:http';

const DRAIN_LIMIT = 4 * 1024 * 1024;

export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function refuseAfterDrain(req: IncomingMessage, limit: number, reject: (err: Error) => void): void {
  const refusal = new BodyError(413, `body over the ${limit}-byte limit`);
  let drained = 0;
  req.removeAllListeners('data');
  req.removeAllListeners('end');
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.destroy();
  });
  req.once('end', () => reject(refusal));
  req.once('close', () => reject(refusal));
  req.resume();
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      refuseAfterDrain(req, limit, reject);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        refuseAfterDrain(req, limit, reject);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const buf = await readBody(req, limit);
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'body is not JSON');
  }
}
