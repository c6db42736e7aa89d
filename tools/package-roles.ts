/**
 * What a package (or any file) in a repository is for: the product, or an example, docs site,
 * fixture, test app or tooling around it. Frameworks, lockfiles, test counts and bundlers are
 * facts about the product; the same facts found in `examples/*` or `test/fixtures/*` are listed
 * under their role and kept out of the repository-level summary.
 *
 * The rules are data (`catalogs/package-roles.yaml`): folder names and package-name shapes per
 * role. The outermost matching folder decides, then the package name; workspace membership alone
 * never makes an example a product package.
 */
import picomatch from 'picomatch';
import { loadCatalog } from './catalog';

export type SupportRole = 'fixture' | 'example' | 'docs' | 'test-app' | 'tooling';
/**
 * `root`: the repository's own package.json. `workspace`: a declared workspace member that no
 * folder or name marks otherwise (a product package). `nested`: any other package.json (listed,
 * never counted as the repository's).
 */
export type PackageRoleKind = 'root' | 'workspace' | SupportRole | 'nested';

export const PRODUCT_ROLES: ReadonlySet<PackageRoleKind> = new Set(['root', 'workspace']);

export interface RoleDecision {
  role: PackageRoleKind;
  /** Why, in a few words: `workspace member`, `folder "examples"`, `name "*-example"`, ... */
  reason: string;
}

interface RolesCatalog {
  roles: Record<SupportRole, { folders: string[]; names: string[] }>;
}

/** Catalog order is precedence order when one segment could mean two roles (it never does today). */
const ROLE_ORDER: readonly SupportRole[] = ['fixture', 'example', 'docs', 'test-app', 'tooling'];

interface CompiledRoles {
  folderRole: Map<string, SupportRole>;
  nameMatchers: Array<{ role: SupportRole; glob: string; test: (name: string) => boolean }>;
}

let compiled: CompiledRoles | undefined;

function compiledRoles(): CompiledRoles {
  if (compiled) return compiled;
  const catalog = loadCatalog<RolesCatalog>('package-roles');
  const folderRole = new Map<string, SupportRole>();
  const nameMatchers: CompiledRoles['nameMatchers'] = [];
  for (const role of ROLE_ORDER) {
    const spec = catalog.roles[role];
    if (!spec) continue;
    for (const folder of spec.folders) if (!folderRole.has(folder.toLowerCase())) folderRole.set(folder.toLowerCase(), role);
    for (const glob of spec.names) nameMatchers.push({ role, glob, test: picomatch(glob, { nocase: true, dot: true }) });
  }
  return (compiled = { folderRole, nameMatchers });
}

/**
 * The role the folders of `path` give it (relative, `/`-separated; the last segment is the file
 * itself and is not looked at). The outermost matching folder wins.
 */
export function folderRole(path: string): { role: SupportRole; folder: string } | undefined {
  const { folderRole: roles } = compiledRoles();
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const role = roles.get(parts[i].toLowerCase());
    if (role) return { role, folder: parts.slice(0, i + 1).join('/') };
  }
  return undefined;
}

/** The role a package name's shape gives it (`my-app-example`, `@scope/docs`), scope ignored. */
export function nameRole(name: string | undefined): { role: SupportRole; glob: string } | undefined {
  if (!name) return undefined;
  const bare = name.startsWith('@') && name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
  for (const m of compiledRoles().nameMatchers) if (m.test(bare)) return { role: m.role, glob: m.glob };
  return undefined;
}

export interface PackageFacts {
  /** Path of the package.json, relative to the repository root (`package.json` for the root). */
  path: string;
  /** Matched by the repository's declared workspaces (npm/yarn/pnpm/bun, lerna, ...). */
  isWorkspaceMember: boolean;
  name?: string;
}

export function classifyPackage(facts: PackageFacts): RoleDecision {
  if (facts.path === 'package.json') return { role: 'root', reason: 'repository root' };
  const byFolder = folderRole(facts.path);
  if (byFolder) return { role: byFolder.role, reason: `folder "${byFolder.folder}"` };
  const byName = nameRole(facts.name);
  if (byName) return { role: byName.role, reason: `name "${byName.glob}"` };
  if (facts.isWorkspaceMember) return { role: 'workspace', reason: 'workspace member' };
  return { role: 'nested', reason: 'not a workspace member' };
}

export function isProductRole(role: PackageRoleKind): boolean {
  return PRODUCT_ROLES.has(role);
}
