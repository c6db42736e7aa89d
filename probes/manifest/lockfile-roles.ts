/**
 * What a lockfile is for, from where it sits (the folder rules of `tools/package-roles.ts`):
 * - `root`: the repository's own lockfile (top folder);
 * - `workspace`: beside a declared workspace member's package.json;
 * - `example`, `docs`, `tooling`: a support project's lockfile (kept in the inventory, marked);
 * - `fixture`, `test-app`: a test's sample project (`test/fixtures/x`, `e2e/y`, `benchmarks/z`):
 *   listed with its counts, kept out of the inventory, drift, native modules and risks;
 * - `nested`: any other folder (a separate project that is not a workspace member).
 * A fixture folder anywhere in the path decides first; otherwise the outermost matching folder,
 * so `docs/yarn.lock` is docs even when `docs` is a workspace member.
 */
import { posix } from 'node:path';
import { folderRole, type PackageRoleKind } from '../../tools/package-roles';

export type LockfileRole = PackageRoleKind;

const EXCLUDED: ReadonlySet<LockfileRole> = new Set(['fixture', 'test-app']);

export function isExcludedLockfileRole(role: LockfileRole): boolean {
  return EXCLUDED.has(role);
}

/** `memberDirs`: the folders of the declared workspace members (relative, `''` never among them). */
export function classifyLockfile(path: string, memberDirs: ReadonlySet<string>): { role: LockfileRole; reason: string } {
  const dir = posix.dirname(path);
  if (dir === '.') return { role: 'root', reason: 'repository root' };
  // A fixture folder anywhere decides first: `test/fixtures/app/package-lock.json` is a fixture.
  const parts = path.split('/');
  for (let i = 1; i < parts.length - 1; i++) {
    const inner = folderRole(parts.slice(i).join('/'));
    if (inner?.role === 'fixture') return { role: 'fixture', reason: `folder "${parts.slice(0, i).join('/')}/${inner.folder}"` };
  }
  const byFolder = folderRole(path);
  if (byFolder) return { role: byFolder.role, reason: `folder "${byFolder.folder}"` };
  if (memberDirs.has(dir)) return { role: 'workspace', reason: 'workspace member' };
  return { role: 'nested', reason: 'not a workspace member' };
}
