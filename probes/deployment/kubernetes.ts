/** Plain Kubernetes manifests: workload kinds and the images of their containers and init containers. */
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { array, at, nonEmpty, record } from '../../tools/yaml-values';

export interface WorkloadContainer {
  name: string | null;
  init: boolean;
  image: ImageRef | null;
}

export interface Workload {
  kind: string;
  name: string | null;
  namespace: string | null;
  containers: WorkloadContainer[];
}

export interface ManifestFacts {
  workloads: Workload[];
  /** Count of documents per `kind` (all kinds, workloads included). */
  kinds: Record<string, number>;
}

/** Nested `List` objects are followed this deep at most. */
const MAX_LIST_DEPTH = 5;

function containersOf(podSpec: unknown): WorkloadContainer[] {
  const out: WorkloadContainer[] = [];
  for (const [key, init] of [['initContainers', true], ['containers', false]] as const) {
    for (const raw of array(at(podSpec, key))) {
      const c = record(raw);
      if (!c) continue;
      const image = nonEmpty(c.image);
      out.push({ name: nonEmpty(c.name) ?? null, init, image: image === undefined ? null : parseImageRef(image) });
    }
  }
  return out.sort((a, b) => Number(b.init) - Number(a.init) || ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
}

/** Facts of the documents of one manifest file. */
export function manifestFacts(docs: readonly unknown[], workloadKinds: Readonly<Record<string, string[]>>): ManifestFacts {
  const workloads: Workload[] = [];
  const kinds: Record<string, number> = {};
  const queue: Array<[unknown, number]> = docs.map((d) => [d, 0]);
  while (queue.length > 0) {
    const [doc, depth] = queue.shift()!;
    const obj = record(doc);
    const kind = nonEmpty(obj?.kind);
    if (!obj || kind === undefined) continue;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kind.endsWith('List') && depth < MAX_LIST_DEPTH) {
      for (const item of array(obj.items)) queue.push([item, depth + 1]);
      continue;
    }
    const specPath = Object.prototype.hasOwnProperty.call(workloadKinds, kind) ? workloadKinds[kind] : undefined;
    if (!specPath) continue;
    workloads.push({
      kind,
      name: nonEmpty(at(obj, 'metadata', 'name')) ?? null,
      namespace: nonEmpty(at(obj, 'metadata', 'namespace')) ?? null,
      containers: containersOf(at(obj, ...specPath)),
    });
  }
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { workloads, kinds: sortedKinds };
}
