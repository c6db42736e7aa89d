/**
 * Property tests for the parsers of untrusted webhook input: the size-limited body reader, the
 * signature check and the payload → trigger decision. Whatever arrives, they answer (never throw
 * past their contract) and only a well-formed, signed event for a watched branch becomes a job.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyError, readBody, readJson } from '../../tools/serve/http/body';
import type { RepoEntry } from '../../tools/serve/queue/types';
import { decideWebhook, PR_ACTIONS } from '../../tools/serve/triggers/github-webhook';
import { ROOT } from './helpers/serve-harness';

// The signature check imports the ESM-only @octokit/webhooks-methods natively, which vitest's
// module runner cannot do; the built module, loaded by Node's own require, is the real thing.
const { verifySignature } = createRequire(__filename)(join(ROOT, 'dist', 'tools', 'serve', 'triggers', 'github-webhook.js')) as typeof import('../../tools/serve/triggers/github-webhook');

function request(chunks: Uint8Array[], contentLength?: number): IncomingMessage {
  const stream = Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false }) as unknown as IncomingMessage;
  (stream as { headers: Record<string, string> }).headers = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
  return stream;
}

const sign = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const REPOS: RepoEntry[] = [
  { id: 'app', source: 'https://github.com/acme/app.git', mirror: '/m/app.git', managed: true, branches: ['main', 'release/1'], cron: null, github: 'acme/app', added_at: 0 },
  { id: 'lib', source: '/srv/lib', mirror: '/srv/lib/.git', managed: false, branches: ['trunk'], cron: null, github: null, added_at: 0 },
];
const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
const fullName = fc.constantFrom('acme/app', 'ACME/App', 'acme/other', 'someone/lib');
const branch = fc.constantFrom('main', 'release/1', 'trunk', 'dev', '');

describe('webhook input parsing (properties)', () => {
  it('readBody returns exactly the bytes sent, however chunked, up to the limit, and refuses anything over it with 413', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }), fc.integer({ min: 0, max: 400 }), fc.boolean(), async (chunks, limit, declare) => {
        const total = chunks.reduce((n, c) => n + c.length, 0);
        const read = readBody(request(chunks, declare ? total : undefined), limit);
        if (total > limit) {
          const err = await read.then(() => undefined, (e: unknown) => e);
          expect(err).toBeInstanceOf(BodyError);
          expect((err as BodyError).status).toBe(413);
        } else {
          expect(Buffer.compare(await read, Buffer.concat(chunks.map((c) => Buffer.from(c))))).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('readJson parses any JSON document and answers 400 (never another error) for bytes that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'), fc.string(), fc.uint8Array().map((b) => Buffer.from(b).toString('latin1'))), async (text) => {
        const bytes = Buffer.from(text, 'utf8');
        const result = await readJson(request([bytes]), 1 << 20).then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        let expected: { ok: true; v: unknown } | { ok: false };
        try {
          expected = { ok: true, v: bytes.length === 0 ? {} : JSON.parse(bytes.toString('utf8')) };
        } catch {
          expected = { ok: false };
        }
        if (expected.ok) expect(result).toEqual(expected);
        else {
          expect(result.ok).toBe(false);
          expect((result as { e: BodyError }).e).toBeInstanceOf(BodyError);
          expect((result as { e: BodyError }).e.status).toBe(400);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('verifySignature accepts the HMAC of the exact body and nothing else', async () => {
    // An empty body is never a delivery: refused even with its own HMAC (the library requires a payload).
    expect(await verifySignature('s', '', sign('s', ''))).toBe(false);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string(), fc.integer({ min: 0, max: 63 }), async (secret, body, junk, at) => {
        const good = sign(secret, body);
        expect(await verifySignature(secret, body, good)).toBe(true);
        // One hex digit changed anywhere in the digest.
        const digits = good.slice('sha256='.length).split('');
        digits[at] = digits[at] === '0' ? '1' : '0';
        expect(await verifySignature(secret, body, `sha256=${digits.join('')}`)).toBe(false);
        expect(await verifySignature(`${secret}x`, body, good)).toBe(false);
        expect(await verifySignature(secret, `${body} `, good)).toBe(false);
        expect(await verifySignature(secret, body, undefined)).toBe(false);
        if (junk !== good) expect(await verifySignature(secret, body, junk)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('decideWebhook never throws on arbitrary bodies and only schedules watched repositories at a full sha', () => {
    fc.assert(
      fc.property(fc.constantFrom('push', 'pull_request', 'issues', 'ping', ''), fc.oneof(fc.jsonValue(), fc.anything()), (event, body) => {
        const decision = decideWebhook(event, 'd-1', body, REPOS);
        if (decision.kind === 'event') {
          expect(REPOS.map((r) => r.id)).toContain(decision.event.repo);
          expect(decision.event.rev).toMatch(/^[0-9a-f]{40}$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('decideWebhook on push and pull_request shapes matches the rules: watched repository, watched branch, live head', () => {
    const push = fc.record({ ref: fc.oneof(branch.map((b) => `refs/heads/${b}`), fc.constant('refs/tags/v1')), after: fc.oneof(sha, fc.constant('0'.repeat(40)), fc.string()), deleted: fc.boolean(), repository: fc.record({ full_name: fullName }) });
    const pr = fc.record({ action: fc.constantFrom('opened', 'synchronize', 'reopened', 'closed', 'edited'), number: fc.nat(), sha: fc.oneof(sha, fc.string()), repository: fc.record({ full_name: fullName }) });
    fc.assert(
      fc.property(push, (p) => {
        const d = decideWebhook('push', 'd', p, REPOS);
        const watched = p.repository.full_name.toLowerCase() === 'acme/app';
        const branchOk = ['refs/heads/main', 'refs/heads/release/1'].includes(p.ref);
        const live = !p.deleted && /^[0-9a-f]{40}$/.test(p.after) && !/^0{40}$/.test(p.after);
        expect(d.kind).toBe(watched && branchOk && live ? 'event' : 'ignored');
        if (d.kind === 'event') expect(d.event).toMatchObject({ repo: 'app', rev: p.after, reason: 'push', delivery: 'd' });
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(pr, (p) => {
        const d = decideWebhook('pull_request', 'd', { action: p.action, repository: p.repository, pull_request: { number: p.number, head: { sha: p.sha } } }, REPOS);
        const ok = PR_ACTIONS.has(p.action) && p.repository.full_name.toLowerCase() === 'acme/app' && /^[0-9a-f]{40}$/.test(p.sha);
        expect(d.kind).toBe(ok ? 'event' : 'ignored');
        if (d.kind === 'event') expect(d.event).toMatchObject({ repo: 'app', rev: p.sha, reason: 'pull_request', detail: `#${p.number} ${p.action}` });
      }),
      { numRuns: 500 },
    );
  });
});
