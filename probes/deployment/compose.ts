/** Compose files (`docker-compose*.yml`, `compose*.yaml`): services, their images, build contexts and ports. */
import { substitute } from './dockerfile';
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { entries, nonEmpty, list, record, text } from '../../tools/yaml-values';

export interface ComposeService {
  name: string;
  image: ImageRef | null;
  build: { context: string; dockerfile: string | null; target: string | null } | null;
  ports: string[];
}

const NO_VARIABLES = new Map<string, string | undefined>();

/** Compose interpolation with no environment: `${TAG:-latest}` gives `latest`, `${TAG}` stays as written. */
function interpolate(value: string): string {
  return substitute(value.replace(/\$\$/g, '\u0000'), NO_VARIABLES, '\u0001').value.replace(/\u0000/g, '$');
}

function portOf(value: unknown): string | undefined {
  const short = text(value);
  if (short !== undefined) return interpolate(short.trim());
  const long = record(value);
  if (!long) return undefined;
  const target = text(long.target);
  if (target === undefined) return undefined;
  const published = text(long.published);
  const host = text(long.host_ip);
  const protocol = text(long.protocol);
  const left = published === undefined ? '' : `${host ? `${host}:` : ''}${published}:`;
  return interpolate(`${left}${target}${protocol ? `/${protocol}` : ''}`);
}

function buildOf(value: unknown): ComposeService['build'] {
  const short = nonEmpty(value);
  if (short !== undefined) return { context: interpolate(short), dockerfile: null, target: null };
  const b = record(value);
  if (!b) return null;
  const dockerfile = nonEmpty(b.dockerfile);
  const target = nonEmpty(b.target);
  return {
    context: interpolate(nonEmpty(b.context) ?? '.'),
    dockerfile: dockerfile === undefined ? null : interpolate(dockerfile),
    target: target === undefined ? null : interpolate(target),
  };
}

/** The services of one compose document (also the legacy v1 layout, where services sit at the top level). */
export function composeServices(doc: unknown): ComposeService[] {
  const root = record(doc);
  if (!root) return [];
  const legacy = root.services === undefined && root.version === undefined;
  const serviceMap = legacy ? root : root.services;
  const out: ComposeService[] = [];
  for (const [name, raw] of entries(serviceMap)) {
    const service = record(raw);
    if (!service) continue;
    if (legacy && service.image === undefined && service.build === undefined) continue;
    const image = nonEmpty(service.image);
    const ports = new Set<string>();
    for (const p of list(service.ports)) {
      const port = portOf(p);
      if (port) ports.add(port);
    }
    out.push({
      name,
      image: image === undefined ? null : parseImageRef(interpolate(image)),
      build: service.build === undefined ? null : buildOf(service.build),
      ports: [...ports].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
