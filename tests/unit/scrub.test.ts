import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REDACTED, scrub } from '../../tools/scrub';

describe('scrubber', () => {
  const root = '/srv/builds/acme/repo';

  it.each([
    ['npm token', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789AB'],
    ['fine-grained GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['Slack token', 'xoxb-123456789012-abcdefghijkl'],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----'],
  ])('redacts a %s anywhere in a string', (_, secret) => {
    const { value, count } = scrub({ note: `before ${secret} after` });
    expect(value.note).toBe(`before ${REDACTED} after`);
    expect(count).toBe(1);
  });

  it('redacts credentials in URLs but keeps the host', () => {
    expect(scrub({ u: 'git+https://bob:s3cr3t@github.com/x/y.git' }).value.u).toBe(`git+https://${REDACTED}@github.com/x/y.git`);
  });

  it('redacts values of secret-looking keys unless they only reference a secret', () => {
    const { value } = scrub({ env: { NPM_TOKEN: '${{ secrets.NPM_TOKEN }}', DB_PASSWORD: 'hunter2', api_key: 'k-123', PORT: '3000' } });
    expect(value.env).toEqual({ NPM_TOKEN: '${{ secrets.NPM_TOKEN }}', DB_PASSWORD: REDACTED, api_key: REDACTED, PORT: '3000' });
  });

  it('replaces the workspace root and home folders, keeps container paths', () => {
    const { value } = scrub(
      { a: `${root}/src/a.ts failed`, b: '/home/alice/.npmrc', c: 'WORKDIR /usr/src/app', d: `${root}-other/x` },
      { workspaceRoot: root },
    );
    expect(value).toEqual({ a: './src/a.ts failed', b: '<host-path>/.npmrc', c: 'WORKDIR /usr/src/app', d: `${root}-other/x` });
  });

  it('the cheap gate never lets through what the full pattern set would catch', () => {
    const fragment = fc.constantFrom(
      'npm_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789AB', 'AKIAIOSFODNN7EXAMPLE',
      'xoxb-123456789012-abcdefghijkl', 'https://u:p@h/x', '_authToken=abcdefgh12', 'Bearer abcdefghijkl', '/home/bob/x',
      'C:\\Users\\bob\\x', `${root}/a`, 'AIzaSyA1234567890123456789012345678901', 'sk_live_1234567890abcdef', ' ', '=', '/',
    );
    const text = fc.array(fc.oneof(fragment, fc.string({ maxLength: 6 })), { maxLength: 6 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const gated = scrub({ s }, { workspaceRoot: root }).value.s;
        const full = scrub({ s }, { workspaceRoot: root, exhaustive: true }).value.s;
        expect(gated).toBe(full);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves content hashes alone, even when their base64 looks like a token', () => {
    const integrity = 'sha512-AKIAIOSFODNN7EXAMPLE+xoxb/abcdefghijkl==';
    expect(scrub({ integrity, checksum: '10c0/' + 'ab'.repeat(64) }).value).toEqual({ integrity, checksum: '10c0/' + 'ab'.repeat(64) });
  });

  it('is idempotent and never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = scrub(v, { workspaceRoot: root }).value;
        expect(scrub(once, { workspaceRoot: root }).value).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});
