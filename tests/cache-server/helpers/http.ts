/** A small HTTP client for protocol tests: exact control over headers and body, loopback only. */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export function put(baseUrl: string, hash: string, token: string, body: Buffer): Promise<HttpResult> {
  return request(`${baseUrl}/v1/cache/${hash}`, {
    method: 'PUT',
    headers: { ...bearer(token), 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
    body,
  });
}

export function get(baseUrl: string, hash: string, token: string): Promise<HttpResult> {
  return request(`${baseUrl}/v1/cache/${hash}`, { headers: bearer(token) });
}

/**
 * Sends a raw request line verbatim (no client-side path normalisation), e.g. `/v1/cache/../x`,
 * and returns the status code.
 */
export function rawStatus(baseUrl: string, method: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = [`${method} ${target} HTTP/1.1`, `Host: ${hostname}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('end', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`no HTTP status in ${JSON.stringify(text.slice(0, 80))}`));
    });
    socket.on('error', reject);
  });
}

/**
 * Starts a PUT declaring `declaredLength` bytes, sends only `sent` of them, then drops the
 * connection: what a runner killed mid-upload looks like to the server.
 */
export function truncatedPut(baseUrl: string, hash: string, token: string, declaredLength: number, sent: Buffer): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [`PUT /v1/cache/${hash} HTTP/1.1`, `Host: ${hostname}`, `Authorization: Bearer ${token}`, `Content-Length: ${declaredLength}`, '', ''].join('\r\n'),
      );
      socket.write(sent, () => {
        // Give the server a moment to start streaming into storage, then vanish.
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    socket.on('error', reject);
  });
}
