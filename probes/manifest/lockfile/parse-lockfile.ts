/** Picks the parser for a lockfile from its file name (and, for `yarn.lock`, its header). */
import { posix } from 'node:path';
import { parseBunLockfile } from './bun';
import { parseNpmLockfile } from './npm';
import { parsePnpmLockfile } from './pnpm';
import type { LockfileKind, PackageManagerName, ParsedLockfile } from './types';
import { parseYarnBerryLockfile } from './yarn-berry';
import { parseYarnClassicLockfile, YARN_V1_HEADER } from './yarn-classic';

/** Text lockfiles the probe parses, by file name. `bun.lockb` is binary and only listed. */
export const LOCKFILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'] as const;
export const BINARY_LOCKFILE_NAMES = ['bun.lockb'] as const;

export const PACKAGE_MANAGER_OF: Record<LockfileKind, PackageManagerName> = {
  npm: 'npm',
  pnpm: 'pnpm',
  'yarn-classic': 'yarn',
  'yarn-berry': 'yarn',
  bun: 'bun',
};

export function isLockfilePath(path: string): boolean {
  return (LOCKFILE_NAMES as readonly string[]).includes(posix.basename(path));
}

export function isBinaryLockfilePath(path: string): boolean {
  return (BINARY_LOCKFILE_NAMES as readonly string[]).includes(posix.basename(path));
}

/** Parses `text` as the lockfile at `path`; undefined when the name is not a known lockfile. */
export function parseLockfile(path: string, raw: string): ParsedLockfile | undefined {
  // The coordinator already drops a BOM; callers that do not still get the same answer.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  switch (posix.basename(path)) {
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return parseNpmLockfile(path, text);
    case 'pnpm-lock.yaml':
      return parsePnpmLockfile(path, text);
    case 'yarn.lock':
      return YARN_V1_HEADER.test(text) ? parseYarnClassicLockfile(path, text) : parseYarnBerryLockfile(path, text);
    case 'bun.lock':
      return parseBunLockfile(path, text);
    default:
      return undefined;
  }
}
