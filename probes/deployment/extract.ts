/** The deployment probe: how the repository ships (containers, charts, manifests, PaaS descriptors). */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit, parseJson, parseYaml, parseYamlDocuments } from '../../tools/parse';
import type { YamlDocumentOptions } from '../../tools/parse';
import type { ProbeContext, ProbeIssue, ProbeResult } from '../../tools/probe-api';
import { composeServices } from './compose';
import { analyzeDockerfile } from './dockerfile';
import { chartFacts, valuesImages } from './helm';
import { nodeMajorOf } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { kustomizationFacts } from './kustomize';
import { manifestFacts } from './kubernetes';
import { appEngineFacts, flyFacts, netlifyFacts, procfileFacts, serverlessFacts, vercelFacts } from './paas';
import type { PaasFacts } from './paas';
import { readFiles } from '../../tools/read-files';
import { sortIssues } from '../../tools/issue-order';
import { terraformFacts } from './terraform';

export interface DeploymentCatalog {
  formats: Record<'dockerfile' | 'compose' | 'helm-chart' | 'helm-values' | 'kustomization' | 'kubernetes' | 'terraform', string[]>;
  notFormats: Record<string, string[]>;
  paas: Array<{ file: string; platform: PaasFacts['platform']; format: 'json' | 'toml' | 'procfile' | 'yaml'; generic?: boolean }>;
  workloadKinds: Record<string, string[]>;
  helmImageKeys: string[];
}

type Format = keyof DeploymentCatalog['formats'] | 'paas';

const GLOB = { dot: true } as const;

/** Versions written as floats (`version: 1.10`) keep their digits; a compose or chart file is its first document. */
export const DEPLOYMENT_YAML: YamlDocumentOptions = { floatsAsText: true, firstDocumentOnly: true };

function matcher(globs: readonly string[] | undefined): (path: string) => boolean {
  return globs && globs.length > 0 ? picomatch(globs as string[], GLOB) : () => false;
}

interface Matchers {
  is: Record<keyof DeploymentCatalog['formats'], (p: string) => boolean>;
  notDockerfile: (p: string) => boolean;
  paasNames: Set<string>;
  genericNames: Set<string>;
}

/** Compiled once per catalog object (globs compile in about a millisecond; runs should not pay it). */
const compiledMatchers = new WeakMap<DeploymentCatalog, Matchers>();

function matchersFor(catalog: DeploymentCatalog): Matchers {
  let m = compiledMatchers.get(catalog);
  if (!m) {
    m = {
      is: Object.fromEntries(Object.entries(catalog.formats).map(([k, globs]) => [k, matcher(globs)])) as Matchers['is'],
      notDockerfile: matcher(catalog.notFormats.dockerfile),
      paasNames: new Set(catalog.paas.map((p) => p.file)),
      genericNames: new Set(catalog.paas.filter((p) => p.generic).map((p) => p.file)),
    };
    compiledMatchers.set(catalog, m);
  }
  return m;
}

/** Which format each file is; one format per file, the most specific first. */
export function classifyFiles(files: readonly string[], catalog: DeploymentCatalog): Map<Format, string[]> {
  const { is, notDockerfile, paasNames, genericNames } = matchersFor(catalog);
  const chartDirs = new Set(files.filter((f) => is['helm-chart'](f)).map((f) => posix.dirname(f)));
  const insideChart = (f: string) => {
    for (let dir = posix.dirname(f); ; dir = posix.dirname(dir)) {
      if (chartDirs.has(dir)) return true;
      if (dir === '.' || dir === '/' || dir === '') return false;
    }
  };
  const out = new Map<Format, string[]>();
  const add = (format: Format, file: string) => (out.get(format) ?? out.set(format, []).get(format)!).push(file);
  for (const file of files) {
    const base = posix.basename(file);
    if (is.dockerfile(file) && !notDockerfile(file)) add('dockerfile', file);
    else if (is['helm-chart'](file)) add('helm-chart', file);
    else if (is['helm-values'](file) && chartDirs.has(posix.dirname(file))) add('helm-values', file);
    else if (is.kustomization(file)) add('kustomization', file);
    else if (is.compose(file)) add('compose', file);
    else if (paasNames.has(base) && !(genericNames.has(base) && is.kubernetes(file))) add('paas', file);
    else if (is.terraform(file)) add('terraform', file);
    // Anything inside a chart (templates, CRDs, stray values files) belongs to Helm, never rendered.
    else if (is.kubernetes(file) && !insideChart(file)) add('kubernetes', file);
  }
  for (const list of out.values()) list.sort(byCodeUnit);
  return out;
}

class Collector {
  readonly errors: ProbeIssue[] = [];
  readonly warnings: ProbeIssue[] = [];
  private readonly images = new Map<string, { image: ImageRef; files: Set<string> }>();
  readonly nodeMajors = new Set<number>();

  image(file: string, image: ImageRef | null | undefined) {
    if (!image || image.ref === '') return;
    const entry = this.images.get(image.ref) ?? this.images.set(image.ref, { image, files: new Set() }).get(image.ref)!;
    entry.files.add(file);
    if (image.node_major !== null) this.nodeMajors.add(image.node_major);
  }

  imageSummary() {
    return [...this.images.values()]
      .sort((a, b) => byCodeUnit(a.image.ref, b.image.ref))
      .map(({ image, files }) => ({
        ref: image.ref,
        pin: image.pin,
        pinned: image.pinned,
        node_version: image.node_version,
        node_major: image.node_major,
        files: [...files].sort(byCodeUnit),
      }));
  }
}

export async function extractDeployment(ctx: ProbeContext): Promise<ProbeResult> {
  const catalog = loadCatalog<DeploymentCatalog>('deployment');
  const imageKeys = catalog.helmImageKeys.map((p) => new RegExp(p));
  const terraformOn = ctx.options.terraform === true;
  const byFormat = classifyFiles(ctx.files, catalog);
  const toRead = [...byFormat.entries()].filter(([format]) => format !== 'terraform' || terraformOn).flatMap(([, files]) => files);
  const texts = await readFiles(ctx, toRead.sort(byCodeUnit));
  const c = new Collector();
  const textOf = (file: string): string | undefined => {
    const r = texts.get(file);
    if (!r) return undefined;
    if (!r.ok) {
      c.errors.push(r.issue);
      return undefined;
    }
    return r.text;
  };
  const yamlDoc = (file: string) => {
    const t = textOf(file);
    if (t === undefined) return undefined;
    const parsed = parseYaml(file, t, DEPLOYMENT_YAML);
    if (!parsed.ok) {
      c.errors.push(parsed.issue);
      return undefined;
    }
    c.warnings.push(...parsed.warnings);
    return parsed.value;
  };

  const dockerfiles = [];
  for (const file of byFormat.get('dockerfile') ?? []) {
    const t = textOf(file);
    if (t === undefined) continue;
    const facts = analyzeDockerfile(t);
    if (facts.stages.length === 0) c.warnings.push({ code: 'no-from', file, message: `${file}: no FROM instruction` });
    if (facts.instructions_before_from > 0) {
      c.warnings.push({ code: 'instruction-before-from', file, message: `${file}: ${facts.instructions_before_from} instruction(s) other than ARG before the first FROM` });
    }
    for (const s of facts.stages) {
      if (s.from.kind === 'image') c.image(file, { ...s.from, ref: s.from.image, pin: s.from.pin ?? 'none', pinned: s.from.pinned === true });
    }
    for (const m of facts.node_majors) c.nodeMajors.add(m);
    const { instructions_before_from: _ignored, ...rest } = facts;
    dockerfiles.push({ file, ...rest });
  }

  const compose = [];
  for (const file of byFormat.get('compose') ?? []) {
    const doc = yamlDoc(file);
    if (doc === undefined) continue;
    const services = composeServices(doc);
    for (const s of services) c.image(file, s.image);
    compose.push({ file, services });
  }

  const valuesByDir = new Map<string, string[]>();
  for (const file of byFormat.get('helm-values') ?? []) {
    const dir = posix.dirname(file);
    (valuesByDir.get(dir) ?? valuesByDir.set(dir, []).get(dir)!).push(file);
  }
  const helm = [];
  for (const file of byFormat.get('helm-chart') ?? []) {
    const dir = posix.dirname(file);
    const doc = yamlDoc(file);
    const chart = chartFacts(doc ?? null);
    const values = [];
    for (const valuesFile of valuesByDir.get(dir) ?? []) {
      const v = yamlDoc(valuesFile);
      if (v === undefined) continue;
      const images = valuesImages(v, imageKeys);
      for (const i of images) c.image(valuesFile, i);
      values.push({ file: valuesFile, images });
    }
    helm.push({ file, dir: dir === '.' ? '' : dir, parsed: doc !== undefined, ...chart, values });
  }

  const kustomize = [];
  for (const file of byFormat.get('kustomization') ?? []) {
    const doc = yamlDoc(file);
    if (doc === undefined) continue;
    const facts = kustomizationFacts(doc);
    for (const i of facts.images) c.image(file, i.image);
    kustomize.push({ file, ...facts });
  }

  const workloads = [];
  const kinds: Record<string, number> = {};
  const manifestFiles: string[] = [];
  const templated: string[] = [];
  for (const file of byFormat.get('kubernetes') ?? []) {
    const t = textOf(file);
    if (t === undefined) continue;
    const parsed = parseYamlDocuments(file, t, { floatsAsText: true });
    if (!parsed.ok) {
      // Template sources (Helm-style `{{ }}` outside a chart, ytt, …) are not manifests to read.
      if (t.includes('{{')) {
        templated.push(file);
        c.warnings.push({ code: 'templated-yaml', file, message: `${file}: templated YAML is not rendered; skipped` });
      } else c.errors.push(parsed.issue);
      continue;
    }
    c.warnings.push(...parsed.warnings);
    const facts = manifestFacts(parsed.value, catalog.workloadKinds);
    if (Object.keys(facts.kinds).length === 0) continue;
    manifestFiles.push(file);
    for (const [kind, n] of Object.entries(facts.kinds)) kinds[kind] = (kinds[kind] ?? 0) + n;
    for (const w of facts.workloads) {
      for (const container of w.containers) c.image(file, container.image);
      workloads.push({ file, ...w });
    }
  }

  const paas: PaasFacts[] = [];
  const platformOf = new Map(catalog.paas.map((p) => [p.file, p]));
  for (const file of byFormat.get('paas') ?? []) {
    const entry = platformOf.get(posix.basename(file))!;
    let facts: PaasFacts | undefined;
    if (entry.format === 'json') {
      const t = textOf(file);
      if (t === undefined) continue;
      const parsed = parseJson(file, t);
      if (!parsed.ok) {
        c.errors.push(parsed.issue);
        continue;
      }
      facts = vercelFacts(file, parsed.value);
    } else if (entry.format === 'toml' || entry.format === 'procfile') {
      const t = textOf(file);
      if (t === undefined) continue;
      if (entry.format === 'procfile') facts = procfileFacts(file, t);
      else {
        const read = entry.platform === 'fly' ? flyFacts(file, t) : netlifyFacts(file, t);
        if (read.unreadable > 0) c.warnings.push({ code: 'toml-unread-lines', file, message: `${file}: ${read.unreadable} line(s) not understood` });
        facts = read.facts;
      }
    } else {
      const doc = yamlDoc(file);
      if (doc === undefined) continue;
      facts = entry.platform === 'app-engine' ? appEngineFacts(file, doc) : serverlessFacts(file, doc);
    }
    if (!facts) continue;
    if (facts.platform === 'fly') c.image(file, facts.image);
    if ((facts.platform === 'app-engine' || facts.platform === 'serverless') && facts.node_major !== null) c.nodeMajors.add(facts.node_major);
    if (facts.platform === 'netlify' && facts.node_version !== null) {
      const major = nodeMajorOf(facts.node_version);
      if (major !== null) c.nodeMajors.add(major);
    }
    paas.push(facts);
  }
  paas.sort((a, b) => byCodeUnit(a.file, b.file) || byCodeUnit(a.platform, b.platform));

  const tfFiles = byFormat.get('terraform') ?? [];
  let terraform: Record<string, unknown> = { status: 'skipped', file_count: tfFiles.length };
  if (terraformOn) {
    const resourceTypes = new Map<string, number>();
    const modules = [];
    const tfImages = new Set<string>();
    for (const file of tfFiles) {
      const t = textOf(file);
      if (t === undefined) continue;
      const facts = terraformFacts(t);
      for (const [type, n] of Object.entries(facts.resource_types)) resourceTypes.set(type, (resourceTypes.get(type) ?? 0) + n);
      for (const m of facts.modules) modules.push({ file, ...m });
      for (const i of facts.images) {
        c.image(file, i);
        tfImages.add(i.ref);
      }
    }
    terraform = {
      status: 'parsed',
      file_count: tfFiles.length,
      // Resource blocks per type, over all files.
      resource_types: Object.fromEntries([...resourceTypes].sort(([a], [b]) => byCodeUnit(a, b))),
      modules,
      images: [...tfImages].sort(byCodeUnit),
    };
  }

  const detected = new Set<string>();
  if (dockerfiles.length > 0) detected.add('docker');
  if (compose.length > 0) detected.add('compose');
  if (helm.length > 0) detected.add('helm');
  if (kustomize.length > 0) detected.add('kustomize');
  if (manifestFiles.length > 0) detected.add('kubernetes');
  if (tfFiles.length > 0) detected.add('terraform');
  for (const p of paas) detected.add(p.platform);

  return {
    slice: {
      detected: [...detected].sort(byCodeUnit),
      dockerfiles,
      compose,
      helm,
      kustomize,
      kubernetes: {
        files: manifestFiles,
        templated_files: templated,
        kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => byCodeUnit(a, b))),
        workloads,
      },
      paas,
      terraform,
      images: c.imageSummary(),
      node_majors: [...c.nodeMajors].sort((a, b) => a - b),
    },
    errors: sortIssues(c.errors),
    warnings: sortIssues(c.warnings),
  };
}
