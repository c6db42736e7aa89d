import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASH_PATTERN, isValidHash, routeRequest } from '../../tools/cache-server/routes';

describe('routeRequest', () => {
  it('routes Nx task hashes (decimal u64 values) and health checks', () => {
    expect(routeRequest('/v1/cache/7605966982687132813')).toEqual({ kind: 'cache', hash: '7605966982687132813' });
    expect(routeRequest('/v1/cache/18446744073709551615?x=1')).toEqual({ kind: 'cache', hash: '18446744073709551615' });
    expect(routeRequest('/healthz')).toEqual({ kind: 'healthz' });
    expect(routeRequest('/healthz?probe=1')).toEqual({ kind: 'healthz' });
  });

  it('never decodes or normalises before checking the hash', () => {
    for (const target of ['/v1/cache/../1', '/v1/cache/%2e%2e%2f1', '/v1/cache/%31', '/v1/cache/1%2F2', '/v1/cache/1/', '/v1/cache/ 1', '/v1/cache/１']) {
      expect(routeRequest(target)).toEqual({ kind: 'bad-hash' });
    }
  });

  it('answers not-found for anything outside the API', () => {
    for (const target of ['/', '/v1/cache', '/v1//cache/1', '/V1/cache/1', '/v2/cache/1', '', undefined, '/v1/%63ache/1']) {
      expect(routeRequest(target)).toEqual({ kind: 'not-found' });
    }
  });

  it('routes a target to a cache hash only when it is plain digits, whatever else the target holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (suffix) => {
        const route = routeRequest(`/v1/cache/${suffix}`);
        if (route.kind === 'cache') {
          expect(route.hash).toMatch(/^[0-9]+$/);
          expect(route.hash).not.toContain('.');
          expect(`/v1/cache/${route.hash}`).toBe(`/v1/cache/${suffix.split('?')[0]}`);
        } else {
          expect(route.kind).toBe('bad-hash');
          expect(isValidHash(suffix.split('?')[0])).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every decimal string up to 64 digits and nothing longer', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,80}$/), (digits) => {
        expect(isValidHash(digits)).toBe(digits.length <= 64);
        expect(HASH_PATTERN.test(digits)).toBe(digits.length <= 64);
      }),
    );
  });
});
