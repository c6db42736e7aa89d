/**
 * Maps a raw request target to one of the server's routes, before anything touches storage.
 *
 * The raw `req.url` is inspected as sent: it is never URL-decoded or normalised first, so
 * `/v1/cache/../x`, `/v1/cache/%2e%2e%2fx` or `/v1/cache/a/b` reach the hash check verbatim and
 * are refused there instead of being resolved into some other path.
 */

/**
 * Nx 24 task hashes are unsigned 64-bit xxh3 values printed in decimal (at most 20 digits, e.g.
 * `7605966982687132813`). Only decimal digits are accepted, so a hash can never carry `.`, `/`,
 * `%` or `\`; the 64-digit ceiling leaves room for a wider hash without opening the alphabet.
 */
export const HASH_PATTERN = /^[0-9]{1,64}$/;

const CACHE_PREFIX = '/v1/cache/';

export type Route =
  | { kind: 'cache'; hash: string }
  | { kind: 'bad-hash' }
  | { kind: 'healthz' }
  | { kind: 'not-found' };

export function isValidHash(hash: string): boolean {
  return HASH_PATTERN.test(hash);
}

/** Routes a raw request target such as `/v1/cache/123?x=1`; the query string is ignored. */
export function routeRequest(rawTarget: string | undefined): Route {
  const target = rawTarget ?? '';
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  if (path === '/healthz') return { kind: 'healthz' };
  if (!path.startsWith(CACHE_PREFIX)) return { kind: 'not-found' };
  const hash = path.slice(CACHE_PREFIX.length);
  return isValidHash(hash) ? { kind: 'cache', hash } : { kind: 'bad-hash' };
}
