/** Helm charts: `Chart.yaml` metadata and the image blocks of the values files beside it. Templates are never rendered. */
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { array, nonEmpty, record } from '../../tools/yaml-values';

export interface ChartDependency {
  name: string;
  version: string | null;
  repository: string | null;
  alias: string | null;
  condition: string | null;
}

export interface ChartFacts {
  api_version: string | null;
  name: string | null;
  version: string | null;
  app_version: string | null;
  type: string | null;
  dependencies: ChartDependency[];
}

export function chartFacts(doc: unknown): ChartFacts {
  const chart = record(doc) ?? {};
  const dependencies: ChartDependency[] = [];
  for (const raw of array(chart.dependencies)) {
    const dep = record(raw);
    const name = nonEmpty(dep?.name);
    if (!dep || name === undefined) continue;
    dependencies.push({
      name,
      version: nonEmpty(dep.version) ?? null,
      repository: nonEmpty(dep.repository) ?? null,
      alias: nonEmpty(dep.alias) ?? null,
      condition: nonEmpty(dep.condition) ?? null,
    });
  }
  dependencies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.alias ?? '') < (b.alias ?? '') ? -1 : 1));
  return {
    api_version: nonEmpty(chart.apiVersion) ?? null,
    name: nonEmpty(chart.name) ?? null,
    version: nonEmpty(chart.version) ?? null,
    app_version: nonEmpty(chart.appVersion) ?? null,
    type: nonEmpty(chart.type) ?? null,
    dependencies,
  };
}

export interface ValuesImage extends ImageRef {
  /** Dotted key path of the block in the values file (`image`, `api.sidecar.image`). */
  path: string;
}

/** Nodes visited per values file at most; values files are small, this only bounds hostile ones. */
const MAX_NODES = 100_000;

function fromBlock(block: Record<string, unknown>): ImageRef | undefined {
  const repository = nonEmpty(block.repository) ?? nonEmpty(block.name);
  if (repository === undefined) return undefined;
  const registry = nonEmpty(block.registry);
  const tag = nonEmpty(block.tag);
  const digest = nonEmpty(block.digest) ?? nonEmpty(block.sha);
  const digestPart = digest === undefined ? '' : `@${digest.includes(':') ? digest : `sha256:${digest}`}`;
  return parseImageRef(`${registry ? `${registry}/` : ''}${repository}${tag === undefined ? '' : `:${tag}`}${digestPart}`);
}

/**
 * Image blocks anywhere in a values tree: a mapping under an image-like key with a `repository`
 * (or `name`), a mapping with `repository` plus `tag`/`digest` under any key, or a string under
 * an image-like key.
 */
export function valuesImages(doc: unknown, imageKeys: readonly RegExp[]): ValuesImage[] {
  const out: ValuesImage[] = [];
  const stack: Array<[unknown, string]> = [[doc, '']];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const [node, path] = stack.pop()!;
    visited++;
    const map = record(node);
    if (!map) {
      if (Array.isArray(node)) node.forEach((child, i) => stack.push([child, `${path}[${i}]`]));
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const imageKey = imageKeys.some((re) => re.test(key));
      const block = record(value);
      if (block) {
        const looksLikeBlock = imageKey || (typeof block.repository === 'string' && (block.tag !== undefined || block.digest !== undefined));
        const ref = looksLikeBlock ? fromBlock(block) : undefined;
        if (ref) {
          out.push({ path: childPath, ...ref });
          continue;
        }
        stack.push([value, childPath]);
      } else if (imageKey && typeof value === 'string') {
        const ref = value.trim();
        if (ref !== '') out.push({ path: childPath, ...parseImageRef(ref) });
      } else if (Array.isArray(value)) {
        stack.push([value, childPath]);
      }
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
