/** Kustomize: resources, components and the `images:` overrides of each kustomization file. */
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { array, nonEmpty, record, text } from '../../tools/yaml-values';
import { sortedUnique } from './sorted';

export interface KustomizeImage {
  name: string;
  new_name: string | null;
  new_tag: string | null;
  digest: string | null;
  /** The image the override produces (null when the entry overrides nothing). */
  image: ImageRef | null;
}

export interface KustomizationFacts {
  namespace: string | null;
  resources: string[];
  components: string[];
  images: KustomizeImage[];
  helm_charts: Array<{ name: string; version: string | null; repo: string | null }>;
}

function strings(value: unknown): string[] {
  return sortedUnique(array(value).map((v) => text(v)?.trim()).filter((v): v is string => !!v));
}

export function kustomizationFacts(doc: unknown): KustomizationFacts {
  const k = record(doc) ?? {};
  const images: KustomizeImage[] = [];
  for (const raw of array(k.images)) {
    const entry = record(raw);
    const name = nonEmpty(entry?.name);
    if (!entry || name === undefined) continue;
    const newName = nonEmpty(entry.newName) ?? null;
    const newTag = nonEmpty(entry.newTag) ?? null;
    const digest = nonEmpty(entry.digest) ?? null;
    const overrides = newName !== null || newTag !== null || digest !== null;
    // Kustomize keeps the original tag when only newName is set; we do not know it, so the ref has none.
    const ref = `${newName ?? name}${newTag !== null ? `:${newTag}` : ''}${digest !== null ? `@${digest}` : ''}`;
    images.push({ name, new_name: newName, new_tag: newTag, digest, image: overrides ? parseImageRef(ref) : null });
  }
  images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const helmCharts: KustomizationFacts['helm_charts'] = [];
  for (const raw of array(k.helmCharts)) {
    const chart = record(raw);
    const name = nonEmpty(chart?.name);
    if (!chart || name === undefined) continue;
    helmCharts.push({ name, version: nonEmpty(chart.version) ?? null, repo: nonEmpty(chart.repo) ?? null });
  }
  helmCharts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    namespace: nonEmpty(k.namespace) ?? null,
    // `bases` is the older spelling of `resources`.
    resources: sortedUnique([...strings(k.resources), ...strings(k.bases)]),
    components: strings(k.components),
    images,
    helm_charts: helmCharts,
  };
}
