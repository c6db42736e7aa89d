/** The ci probe: which CI systems a repository uses and, for every pipeline, what it runs. */
import picomatch from 'picomatch';
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit, parseYaml } from '../../tools/parse';
import type { YamlDocumentOptions } from '../../tools/parse';
import type { ProbeContext, ProbeIssue, ProbeResult } from '../../tools/probe-api';
import { nodeMajorOf } from '../../tools/image-ref';
import { readFiles } from '../../tools/read-files';
import { sortIssues } from '../../tools/issue-order';
import { azurePipeline } from './azure-pipelines';
import { bitbucketPipelines } from './bitbucket-pipelines';
import { buildkitePipeline } from './buildkite';
import { circleciConfig } from './circleci';
import { COMMAND_KINDS } from './commands';
import { githubWorkflow } from './github-actions';
import { gitlabPipeline } from './gitlab-ci';
import { jenkinsPipeline } from './jenkins';
import { pipeline } from './model';
import type { CiPipeline } from './model';
import { travisConfig } from './travis';

export interface CiSystemsCatalog {
  systems: Array<{ id: string; name: string; files: string[] }>;
}

type YamlExtractor = (file: string, doc: unknown) => CiPipeline | CiPipeline[];

/** `node-version: 20.10` keeps its digits (read as a number it is 20.1); a CI system reads a file's first document only. */
export const CI_YAML: YamlDocumentOptions = { floatsAsText: true, firstDocumentOnly: true };

/** Each YAML-based system's reader of one parsed document. */
export const YAML_EXTRACTORS: Record<string, YamlExtractor> = {
  'github-actions': githubWorkflow,
  circleci: circleciConfig,
  'gitlab-ci': gitlabPipeline,
  'azure-pipelines': azurePipeline,
  travis: travisConfig,
  'bitbucket-pipelines': bitbucketPipelines,
  buildkite: buildkitePipeline,
};

const compiledMatchers = new WeakMap<CiSystemsCatalog, (path: string) => string | undefined>();

/** The CI system a path belongs to, by the catalog's globs (first match). Compiled once per catalog. */
export function systemMatcher(catalog: CiSystemsCatalog): (path: string) => string | undefined {
  let match = compiledMatchers.get(catalog);
  if (!match) {
    const matchers = catalog.systems.map((s) => [s.id, picomatch(s.files, { dot: true })] as const);
    match = (path) => matchers.find(([, m]) => m(path))?.[0];
    compiledMatchers.set(catalog, match);
  }
  return match;
}

/** Pipelines of one file's text; parse problems go to `errors`/`warnings`. */
export function pipelinesOf(system: string, file: string, text: string, errors: ProbeIssue[], warnings: ProbeIssue[]): CiPipeline[] {
  if (system === 'jenkins') return [jenkinsPipeline(file, text)];
  const extractor = YAML_EXTRACTORS[system];
  if (!extractor) return [];
  const parsed = parseYaml(file, text, CI_YAML);
  if (!parsed.ok) {
    errors.push(parsed.issue);
    return [pipeline(system, file, { parsed: false })];
  }
  warnings.push(...parsed.warnings);
  if (parsed.value === null || parsed.value === undefined) {
    warnings.push({ code: 'empty-file', file, message: `${file}: empty CI configuration` });
    return [pipeline(system, file)];
  }
  const result = extractor(file, parsed.value);
  return Array.isArray(result) ? result : [result];
}

export async function extractCi(ctx: ProbeContext): Promise<ProbeResult> {
  const catalog = loadCatalog<CiSystemsCatalog>('ci-systems');
  const systemOf = systemMatcher(catalog);
  const files = ctx.files.map((f) => [f, systemOf(f)] as const).filter((p): p is readonly [string, string] => p[1] !== undefined);
  const texts = await readFiles(ctx, files.map(([f]) => f));
  const errors: ProbeIssue[] = [];
  const warnings: ProbeIssue[] = [];
  const pipelines: CiPipeline[] = [];
  const systems = new Set<string>();
  for (const [file, system] of files) {
    systems.add(system);
    const read = texts.get(file)!;
    if (!read.ok) {
      errors.push(read.issue);
      pipelines.push(pipeline(system, file, { parsed: false }));
      continue;
    }
    pipelines.push(...pipelinesOf(system, file, read.text, errors, warnings));
  }
  pipelines.sort((a, b) => byCodeUnit(a.file, b.file) || byCodeUnit(a.name ?? '', b.name ?? ''));

  const nodeVersions = new Set<string>();
  const nodeFiles = new Set<string>();
  const images = new Set<string>();
  const commands = Object.fromEntries(COMMAND_KINDS.filter((k) => k !== 'other').map((k) => [k, new Set<string>()]));
  for (const p of pipelines) {
    for (const job of p.jobs) {
      for (const v of job.node_versions) nodeVersions.add(v);
      for (const f of job.node_version_files) nodeFiles.add(f);
      for (const i of [...job.images, ...job.services]) images.add(i);
      for (const c of job.commands) commands[c.kind]?.add(c.run);
    }
  }
  const majors = new Set<number>();
  for (const v of nodeVersions) {
    const m = nodeMajorOf(v);
    if (m !== null) majors.add(m);
  }
  const sorted = (s: Set<string>) => [...s].sort(byCodeUnit);
  return {
    slice: {
      systems: sorted(systems),
      pipelines,
      node_versions: sorted(nodeVersions),
      node_majors: [...majors].sort((a, b) => a - b),
      node_version_files: sorted(nodeFiles),
      images: sorted(images),
      commands: Object.fromEntries(Object.entries(commands).map(([k, s]) => [k, sorted(s)])),
    },
    errors: sortIssues(errors),
    warnings: sortIssues(warnings),
  };
}
