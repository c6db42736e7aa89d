/**
 * A CycloneDX 1.6 document of the locked inventory, built with @cyclonedx/cyclonedx-library from
 * the manifest slice: one component per locked package and version (deduplicated across
 * lockfiles), its npm purl (packageurl-js), scope (optional for dev-only packages, required for
 * the rest, absent where the lockfile does not record dev flags), hashes decoded from the
 * lockfile's `integrity`, workspace packages as components of their own, the repository's root
 * package as `metadata.component`. The dependency graph holds the edges the inventory records:
 * from the root and each workspace package to the locked packages they declare directly.
 *
 * Deterministic bytes: lists sorted by the library's normalizer, no timestamp unless asked, and
 * a serial number derived from the document's own content.
 */
import { createHash } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { byCodeUnit, isRecord } from '../parse';

export interface SbomOptions {
  /** Name of the tool and its version, written to metadata.tools. */
  toolVersion: string;
  /** The repository's display name when the root package.json has none (e.g. its folder name). */
  repositoryName: string;
  /** ISO timestamp; absent unless the user asks (`--timestamp`). */
  timestamp?: Date;
}

interface Locked {
  name: string;
  version: string;
  source?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  direct?: boolean;
}

const SRI_ALGORITHMS: Record<string, Enums.HashAlgorithm> = {
  sha1: Enums.HashAlgorithm['SHA-1'],
  sha256: Enums.HashAlgorithm['SHA-256'],
  sha384: Enums.HashAlgorithm['SHA-384'],
  sha512: Enums.HashAlgorithm['SHA-512'],
};

/**
 * Hashes from an SRI `integrity` string (npm, pnpm, yarn classic, bun). Yarn berry's `checksum`
 * hashes Yarn's own zip of the package, not the published tarball, so it is not a hash of the
 * component and is not reported.
 */
export function integrityHashes(integrity: string | undefined): Array<[Enums.HashAlgorithm, string]> {
  if (!integrity) return [];
  const out: Array<[Enums.HashAlgorithm, string]> = [];
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/.exec(part);
    if (!m) continue;
    const hex = Buffer.from(m[2], 'base64').toString('hex');
    const expected = { sha1: 40, sha256: 64, sha384: 96, sha512: 128 }[m[1] as 'sha1'];
    if (hex.length === expected) out.push([SRI_ALGORITHMS[m[1]], hex]);
  }
  return out;
}

/** npm scope as CycloneDX `group`, the bare name as `name` (as the CycloneDX npm tooling does). */
function groupAndName(name: string): { group?: string; name: string } {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0 ? { group: name.slice(0, slash), name: name.slice(slash + 1) } : { name };
}

export function npmPurl(name: string, version: string | undefined, qualifiers?: Record<string, string>): PackageURL {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash > 0 ? name.slice(0, slash) : undefined;
  const bare = slash > 0 ? name.slice(slash + 1) : name;
  return new PackageURL('npm', namespace, bare, version, qualifiers, undefined);
}

/**
 * Registry and tarball packages have a published version; a git dependency with a SemVer version
 * is kept too (its purl carries the source as `vcs_url`). file:/link: entries are local folders,
 * not packages of their own (workspace packages are added from the manifest summaries).
 */
function isPublished(p: Locked): boolean {
  if (p.source === 'git') return /^\d+\.\d+\.\d+/.test(p.version);
  return p.source === undefined || p.source === 'registry' || p.source === 'tarball';
}

export function buildBom(manifestSlice: Record<string, unknown>, options: SbomOptions): Models.Bom {
  const bom = new Models.Bom();
  const tool = new Models.Component(Enums.ComponentType.Application, 'codegenie', { version: options.toolVersion });
  bom.metadata.tools.components.add(tool);
  if (options.timestamp) bom.metadata.timestamp = options.timestamp;

  const summaries = (Array.isArray(manifestSlice.packages) ? manifestSlice.packages : []).filter(isRecord);
  const root = summaries.find((p) => p.role === 'root');
  const rootName = typeof root?.name === 'string' ? root.name : options.repositoryName;
  const rootVersion = typeof root?.version === 'string' ? root.version : undefined;
  const rootGn = groupAndName(rootName);
  const rootComponent = new Models.Component(Enums.ComponentType.Application, rootGn.name, { group: rootGn.group, version: rootVersion, bomRef: 'root' });
  if (typeof root?.name === 'string') rootComponent.purl = npmPurl(root.name, rootVersion);
  bom.metadata.component = rootComponent;

  // Workspace packages: their own components, referenced by path.
  const workspaces = new Map<string, Models.Component>();
  // Every package.json the inventory covers besides the root: workspace members, pnpm importers,
  // and the roots of nested lockfiles (examples with a lockfile of their own).
  for (const ws of summaries.filter((p) => p.role !== 'root' && p.readable !== false && typeof p.name === 'string')) {
    const version = typeof ws.version === 'string' ? ws.version : undefined;
    const gn = groupAndName(ws.name as string);
    const c = new Models.Component(Enums.ComponentType.Library, gn.name, { group: gn.group, version, bomRef: `workspace:${String(ws.dir ?? ws.path)}`, purl: npmPurl(ws.name as string, version) });
    if (workspaces.has(`${ws.name as string}@${version ?? ''}`)) continue;
    bom.components.add(c);
    workspaces.set(`${ws.name as string}@${version ?? ''}`, c);
  }

  const workspacePurls = new Set([...workspaces.values()].map((c) => c.purl?.toString() ?? ''));
  const byPurl = new Map<string, { component: Models.Component; dev: boolean | undefined; direct: boolean }>();
  const lockfiles = (Array.isArray(manifestSlice.lockfiles) ? manifestSlice.lockfiles : []).filter(isRecord);
  for (const lockfile of lockfiles) {
    const recordsDev = Array.isArray(lockfile.flags_recorded) && lockfile.flags_recorded.includes('dev');
    for (const p of (Array.isArray(lockfile.packages) ? lockfile.packages : []).filter(isRecord) as unknown as Locked[]) {
      if (!isPublished(p)) continue;
      const purl = npmPurl(p.name, p.version, p.source === 'git' && p.resolved ? { vcs_url: p.resolved } : undefined);
      // The workspace package itself (same name and version) is already a component.
      if (workspacePurls.has(purl.toString())) continue;
      const key = purl.toString();
      const dev = recordsDev ? p.dev === true : undefined;
      const seen = byPurl.get(key);
      if (seen) {
        // dev-only only when every lockfile says so
        if (seen.dev === true && dev !== true) seen.dev = dev;
        seen.direct ||= p.direct === true;
        for (const [alg, hex] of integrityHashes(p.integrity)) if (!seen.component.hashes.has(alg)) seen.component.hashes.set(alg, hex);
        continue;
      }
      const hashes = new Models.HashDictionary(integrityHashes(p.integrity));
      const gn = groupAndName(p.name);
      const component = new Models.Component(Enums.ComponentType.Library, gn.name, { group: gn.group, version: p.version, purl, hashes, bomRef: key });
      byPurl.set(key, { component, dev, direct: p.direct === true });
    }
  }
  for (const { component, dev, direct } of [...byPurl.values()].sort((a, b) => byCodeUnit(a.component.bomRef.value ?? '', b.component.bomRef.value ?? ''))) {
    if (dev !== undefined) component.scope = dev ? Enums.ComponentScope.Optional : Enums.ComponentScope.Required;
    bom.components.add(component);
    if (direct) rootComponent.dependencies.add(component.bomRef);
  }
  for (const c of workspaces.values()) rootComponent.dependencies.add(c.bomRef);
  return bom;
}

const SPEC = Spec.Spec1dot6;

/** The JSON text, lists sorted, with a serial number derived from the content itself. */
export function serializeBom(bom: Models.Bom): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(SPEC));
  bom.serialNumber = undefined;
  const body = serializer.serialize(bom, { sortLists: true, space: 2 });
  const digest = createHash('sha256').update(body).digest('hex');
  // A name-based UUID (version 5 layout) from the digest: same inventory, same serial number.
  const variant = ((parseInt(digest[16], 16) & 0x3) | 0x8).toString(16);
  bom.serialNumber = `urn:uuid:${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}
