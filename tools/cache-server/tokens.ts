/**
 * Bearer tokens: read-write tokens may store artifacts, read-only tokens may only fetch them
 * (give those to untrusted runners, e.g. pull requests from forks, so they can never poison the
 * cache). Tokens come from the environment and/or a file; they are kept only as SHA-256 digests
 * and never appear in a log line or an error message.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type Role = 'read-write' | 'read-only';

export type AuthResult = { kind: 'ok'; role: Role } | { kind: 'missing' } | { kind: 'invalid' };

/** A client is either checked against tokens, or (`--no-auth`) every request gets read-write. */
export interface Authorizer {
  authorize(authorizationHeader: string | undefined): AuthResult;
}

export interface TokenLists {
  readWrite: string[];
  readOnly: string[];
}

/** A configuration mistake in a token source. The message never quotes a token. */
export class TokenConfigError extends Error {
  override name = 'TokenConfigError';
}

export const RW_TOKENS_ENV = 'CODEGENIE_CACHE_RW_TOKENS';
export const RO_TOKENS_ENV = 'CODEGENIE_CACHE_RO_TOKENS';

// A token travels in an HTTP header: visible ASCII only, no spaces or commas (the env separator).
const TOKEN_PATTERN = /^[\x21-\x2b\x2d-\x7e]+$/;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function checkToken(token: string, where: string): string {
  if (!TOKEN_PATTERN.test(token)) {
    throw new TokenConfigError(`${where}: a token may only contain visible ASCII characters other than ',' (length ${token.length})`);
  }
  return token;
}

export class TokenRegistry implements Authorizer {
  private readonly entries: ReadonlyArray<{ digest: Buffer; role: Role }>;
  readonly readWriteCount: number;
  readonly readOnlyCount: number;

  constructor(lists: TokenLists) {
    const readWrite = new Set(lists.readWrite.map((t) => checkToken(t, 'read-write token')));
    const readOnly = new Set(lists.readOnly.map((t) => checkToken(t, 'read-only token')));
    for (const token of readOnly) {
      // Which role would win is a guess either way; refuse the ambiguity instead.
      if (readWrite.has(token)) throw new TokenConfigError('the same token is configured as both read-write and read-only');
    }
    this.entries = [
      ...[...readWrite].map((t) => ({ digest: digest(t), role: 'read-write' as const })),
      ...[...readOnly].map((t) => ({ digest: digest(t), role: 'read-only' as const })),
    ];
    this.readWriteCount = readWrite.size;
    this.readOnlyCount = readOnly.size;
  }

  get size(): number {
    return this.entries.length;
  }

  authorize(authorizationHeader: string | undefined): AuthResult {
    const match = /^Bearer +(\S+) *$/i.exec(authorizationHeader ?? '');
    if (!match) return { kind: 'missing' };
    // Equal-length digests make timingSafeEqual applicable, and every entry is compared (no early
    // exit), so the response time says nothing about which token, or how much of one, matched.
    const presented = digest(match[1]);
    let role: Role | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.digest)) role = entry.role;
    }
    return role ? { kind: 'ok', role } : { kind: 'invalid' };
  }
}

/** `--no-auth`: anyone who can reach the server may read and write. */
export const OPEN_ACCESS: Authorizer = {
  authorize: () => ({ kind: 'ok', role: 'read-write' }),
};

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Reads `CODEGENIE_CACHE_RW_TOKENS` / `CODEGENIE_CACHE_RO_TOKENS` (comma-separated). */
export function tokensFromEnv(env: NodeJS.ProcessEnv): TokenLists {
  return { readWrite: splitList(env[RW_TOKENS_ENV]), readOnly: splitList(env[RO_TOKENS_ENV]) };
}

function stringArray(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TokenConfigError(`tokens file: "${key}" must be an array of strings`);
  }
  return (value as string[]).map((t) => t.trim()).filter((t) => t.length > 0);
}

/**
 * Parses a tokens file: either JSON `{"rw": [...], "ro": [...]}` or lines `rw:<token>` /
 * `ro:<token>` (blank lines and `#` comments ignored). Throws only TokenConfigError.
 */
export function parseTokensFile(text: string): TokenLists {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new TokenConfigError('tokens file: invalid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TokenConfigError('tokens file: expected a JSON object with "rw" and/or "ro" arrays');
    }
    const record = parsed as Record<string, unknown>;
    // Key names are not quoted back: a misplaced token could be sitting in one.
    const unknownKeys = Object.keys(record).filter((k) => k !== 'rw' && k !== 'ro');
    if (unknownKeys.length > 0) throw new TokenConfigError(`tokens file: ${unknownKeys.length} unknown key(s); only "rw" and "ro" are allowed`);
    return { readWrite: stringArray(record.rw, 'rw'), readOnly: stringArray(record.ro, 'ro') };
  }
  const lists: TokenLists = { readWrite: [], readOnly: [] };
  body.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(rw|ro):(.*)$/.exec(line);
    const token = match?.[2].trim() ?? '';
    if (!match || token === '') throw new TokenConfigError(`tokens file line ${index + 1}: expected rw:<token> or ro:<token>`);
    (match[1] === 'rw' ? lists.readWrite : lists.readOnly).push(token);
  });
  return lists;
}

export function mergeTokenLists(...lists: TokenLists[]): TokenLists {
  return {
    readWrite: lists.flatMap((l) => l.readWrite),
    readOnly: lists.flatMap((l) => l.readOnly),
  };
}
