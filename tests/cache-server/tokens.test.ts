import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mergeTokenLists,
  OPEN_ACCESS,
  parseTokensFile,
  TokenConfigError,
  TokenRegistry,
  tokensFromEnv,
} from '../../tools/cache-server/tokens';

const registry = new TokenRegistry({ readWrite: ['rw-alpha-0001', 'rw-beta-0002'], readOnly: ['ro-gamma-0003'] });

describe('TokenRegistry', () => {
  it('maps a bearer token to its role', () => {
    expect(registry.authorize('Bearer rw-alpha-0001')).toEqual({ kind: 'ok', role: 'read-write' });
    expect(registry.authorize('Bearer rw-beta-0002')).toEqual({ kind: 'ok', role: 'read-write' });
    expect(registry.authorize('bearer ro-gamma-0003')).toEqual({ kind: 'ok', role: 'read-only' });
  });

  it('tells a missing token from a wrong one', () => {
    expect(registry.authorize(undefined)).toEqual({ kind: 'missing' });
    expect(registry.authorize('')).toEqual({ kind: 'missing' });
    expect(registry.authorize('Basic rw-alpha-0001')).toEqual({ kind: 'missing' });
    expect(registry.authorize('Bearer ')).toEqual({ kind: 'missing' });
    expect(registry.authorize('Bearer rw-alpha-000')).toEqual({ kind: 'invalid' });
    expect(registry.authorize('Bearer rw-alpha-00011')).toEqual({ kind: 'invalid' });
    expect(registry.authorize('Bearer RW-ALPHA-0001')).toEqual({ kind: 'invalid' });
  });

  it('counts tokens per role and refuses a token configured with both roles', () => {
    expect([registry.readWriteCount, registry.readOnlyCount, registry.size]).toEqual([2, 1, 3]);
    expect(() => new TokenRegistry({ readWrite: ['same-token'], readOnly: ['same-token'] })).toThrow(TokenConfigError);
  });

  it('refuses tokens that cannot travel in a header, without quoting them', () => {
    for (const bad of ['has space', 'comma,inside', 'tab\there', 'é-accent', 'new\nline']) {
      try {
        new TokenRegistry({ readWrite: [bad], readOnly: [] });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(TokenConfigError);
        expect((err as Error).message).not.toContain(bad);
      }
    }
  });

  it('grants nothing to any header that is not exactly a configured token', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (header) => {
        const result = registry.authorize(header);
        if (result.kind === 'ok') {
          expect(header).toMatch(/^bearer +(rw-alpha-0001|rw-beta-0002|ro-gamma-0003) *$/i);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('OPEN_ACCESS grants read-write to everyone', () => {
    expect(OPEN_ACCESS.authorize(undefined)).toEqual({ kind: 'ok', role: 'read-write' });
  });
});

describe('token sources', () => {
  it('reads comma-separated lists from the environment', () => {
    expect(tokensFromEnv({ CODEGENIE_CACHE_RW_TOKENS: ' a1 ,b2,, ', CODEGENIE_CACHE_RO_TOKENS: 'c3' })).toEqual({
      readWrite: ['a1', 'b2'],
      readOnly: ['c3'],
    });
    expect(tokensFromEnv({})).toEqual({ readWrite: [], readOnly: [] });
  });

  it('reads a JSON tokens file', () => {
    expect(parseTokensFile('{"rw": ["a1", " b2 "], "ro": ["c3"]}')).toEqual({ readWrite: ['a1', 'b2'], readOnly: ['c3'] });
    expect(parseTokensFile('\uFEFF{"ro": ["c3"]}')).toEqual({ readWrite: [], readOnly: ['c3'] });
  });

  it('reads a line-based tokens file with comments and CRLF', () => {
    expect(parseTokensFile('# ci tokens\r\nrw:a1\r\n\r\n  ro: c3  \r\nrw:b2\n')).toEqual({ readWrite: ['a1', 'b2'], readOnly: ['c3'] });
  });

  it('reports malformed files without echoing their content', () => {
    const secret = 'super-secret-token-value';
    for (const text of [`{"rw": "${secret}"}`, `{"${secret}": []}`, `{"rw": [1]}`, `[ "${secret}" ]`, `{ ${secret}`, `admin:${secret}`, 'rw:']) {
      try {
        parseTokensFile(text);
        expect.unreachable(text);
      } catch (err) {
        expect(err).toBeInstanceOf(TokenConfigError);
        expect((err as Error).message).not.toContain(secret);
      }
    }
  });

  it('never throws anything but TokenConfigError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json().map((j) => j)), (text) => {
        try {
          const lists = parseTokensFile(text);
          expect(Array.isArray(lists.readWrite) && Array.isArray(lists.readOnly)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(TokenConfigError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('merges sources', () => {
    expect(mergeTokenLists({ readWrite: ['a'], readOnly: [] }, { readWrite: ['b'], readOnly: ['c'] })).toEqual({ readWrite: ['a', 'b'], readOnly: ['c'] });
  });
});
