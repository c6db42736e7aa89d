/**
 * Container image references (`registry/repo:tag@sha256:…`) and what they say about pinning and
 * the Node.js version inside. Shared by the deployment probe and the ci probe; the image knowledge
 * (Node image names, codenames, floating tag words) is in `catalogs/deployment.yaml`.
 */
import { loadCatalog } from './catalog';

export type Pin = 'digest' | 'tag' | 'floating' | 'none' | 'unresolved';

export interface ImageRef {
  /** The reference as resolved (variables with known defaults substituted), trimmed. */
  ref: string;
  registry: string | null;
  repository: string;
  tag: string | null;
  digest: string | null;
  /** `digest`: pinned; `tag`: a fixed tag; `floating`: `latest`-like tag; `none`: no tag; `unresolved`: still holds a variable. */
  pin: Pin;
  pinned: boolean;
  /** For known Node images: the version the tag names (`20`, `20.11.1`, `lts`, `iron`). */
  node_version: string | null;
  node_major: number | null;
}

interface NodeImageEntry {
  repository?: string;
  repositoryPattern?: string;
  tagPattern?: string;
}

interface ImageCatalog {
  nodeImages: NodeImageEntry[];
  defaultNodeTagPattern: string;
  nodeCodenames: Record<string, number>;
  floatingTagWords: string[];
}

interface CompiledCatalog {
  byRepository: Map<string, RegExp>;
  byPattern: Array<{ repository: RegExp; tag: RegExp | null }>;
  defaultTag: RegExp;
  codenames: Map<string, number>;
  floating: Set<string>;
}

let compiled: CompiledCatalog | undefined;

function catalog(): CompiledCatalog {
  if (compiled) return compiled;
  const raw = loadCatalog<ImageCatalog>('deployment');
  const defaultTag = new RegExp(raw.defaultNodeTagPattern);
  const byRepository = new Map<string, RegExp>();
  const byPattern: CompiledCatalog['byPattern'] = [];
  for (const entry of raw.nodeImages) {
    const tag = entry.tagPattern ? new RegExp(entry.tagPattern) : defaultTag;
    if (entry.repository) byRepository.set(entry.repository, tag);
    if (entry.repositoryPattern) byPattern.push({ repository: new RegExp(entry.repositoryPattern), tag: entry.tagPattern ? tag : null });
  }
  compiled = {
    byRepository,
    byPattern,
    defaultTag,
    codenames: new Map(Object.entries(raw.nodeCodenames)),
    floating: new Set(raw.floatingTagWords),
  };
  return compiled;
}

/** Something still to substitute: `${X}`, `$X`, `${{ … }}`, `{{ … }}`, `<< … >>`, `$(x)`. */
const VARIABLE = /\$\{|\$[A-Za-z_(]|\{\{|<<\s*[\w.-]+\s*>>/;

export function hasVariable(value: string): boolean {
  return VARIABLE.test(value);
}

/** The Node major a version string names: `20`, `v20.11.1`, `20.x`, `iron`, `lts/iron`; null for `lts/*`, ranges, `latest`. */
export function nodeMajorOf(version: string): number | null {
  const v = version.trim().toLowerCase();
  const numeric = /^v?(\d+)(?:\.(?:\d+|x|\*)){0,2}$/.exec(v) ?? /^(\d+)\.x$/.exec(v);
  if (numeric) {
    const major = Number(numeric[1]);
    return Number.isSafeInteger(major) ? major : null;
  }
  const name = v.startsWith('lts/') ? v.slice(4) : v;
  return catalog().codenames.get(name) ?? null;
}

/** Drops the implicit Docker Hub parts so `docker.io/library/node` and `node` compare equal. */
function canonicalRepository(registry: string | null, repository: string): string {
  const hub = registry === null || registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io';
  if (!hub) return `${registry}/${repository}`;
  return repository.startsWith('library/') ? repository.slice('library/'.length) : repository;
}

function nodeVersionOf(canonical: string, tag: string | null): string | null {
  const c = catalog();
  let tagPattern = c.byRepository.get(canonical);
  if (!tagPattern) {
    for (const entry of c.byPattern) {
      const m = entry.repository.exec(canonical);
      if (!m) continue;
      if (m.groups?.version) return m.groups.version;
      tagPattern = entry.tag ?? c.defaultTag;
      break;
    }
  }
  if (!tagPattern || tag === null) return null;
  const m = tagPattern.exec(tag);
  const version = m?.groups?.version;
  if (!version || version === 'latest' || version === 'alpine' || version === 'slim') return null;
  return version;
}

function pinOf(tag: string | null, digest: string | null): Pin {
  if (digest) return 'digest';
  if (tag === null) return 'none';
  const words = tag.toLowerCase().split(/[-_]/);
  const floating = catalog().floating;
  return words.every((w) => floating.has(w)) ? 'floating' : 'tag';
}

/** Parses one image reference; never throws. Empty input gives an empty repository with pin `none`. */
export function parseImageRef(input: string): ImageRef {
  const ref = input.trim();
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1) || null;
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1) || null;
    rest = rest.slice(0, colon);
  }
  let registry: string | null = null;
  const firstSlash = rest.indexOf('/');
  if (firstSlash > 0) {
    const head = rest.slice(0, firstSlash);
    // Docker's own rule: the first component is a registry when it looks like a host.
    if (head.includes('.') || head.includes(':') || head === 'localhost') {
      registry = head;
      rest = rest.slice(firstSlash + 1);
    }
  }
  const repository = rest;
  if (hasVariable(ref)) {
    return { ref, registry, repository, tag, digest, pin: 'unresolved', pinned: false, node_version: null, node_major: null };
  }
  const node_version = nodeVersionOf(canonicalRepository(registry, repository), tag);
  const pin = pinOf(tag, digest);
  return {
    ref,
    registry,
    repository,
    tag,
    digest,
    pin,
    pinned: pin === 'digest',
    node_version,
    node_major: node_version === null ? null : nodeMajorOf(node_version),
  };
}
