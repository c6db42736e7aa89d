/**
 * The gather step for one scope: read envelopes, merge, project views, validate, scrub, write
 * atomically. Validation runs before anything is written, so invalid output never replaces the
 * previous artifacts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactPaths } from '../artifact-paths';
import { writeFileAtomic } from '../atomic-write';
import { canonicalJson, sortKeysDeep } from '../canonical-json';
import type { Envelope } from '../envelope';
import type { FileIndex } from '../probe-api';
import type { RegisteredProbe } from '../registry';
import { scrub } from '../scrub';
import { emitYaml } from '../yaml-emit';
import { mergeContext, type RepoContext } from './merge';
import { validateAgainst } from './validate';
import { computeViews, type Views } from './views';

export interface GatherInput {
  workspaceRoot: string;
  scopeRoot: string;
  probes: readonly RegisteredProbe[];
  codegenieVersion: string;
}

export class GatherError extends Error {
  override name = 'GatherError';
}

function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new GatherError(`${what} is missing (${path}); did its probe task run?`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new GatherError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export function renderYaml(context: RepoContext): string {
  return emitYaml(sortKeysDeep(context));
}

export function buildArtifacts(input: GatherInput): { context: RepoContext; views: Views; yaml: string; json: string } {
  const paths = artifactPaths(input.scopeRoot);
  const inScope = input.scopeRoot === '' ? input.probes : input.probes.filter((p) => !p.repoOnly);
  const problems: string[] = [];
  const envelopes = inScope.map((probe) => {
    const env = readJson<Envelope>(join(input.workspaceRoot, paths.raw(probe.name)), `raw/${probe.name}.json`);
    problems.push(...validateAgainst('envelope.schema.json', env, `raw/${probe.name}.json`));
    // A probe that could not read its input at all leaves an empty slice beside its errors.
    const emptyAfterError = Object.keys(env.slice ?? {}).length === 0 && env.errors.length > 0;
    if (!emptyAfterError) problems.push(...validateAgainst(`slices/${probe.name}.schema.json`, env.slice, `${probe.name} slice`));
    return env;
  });
  const indexPath = join(input.workspaceRoot, paths.raw('file-index'));
  const fileIndex = existsSync(indexPath) ? readJson<FileIndex>(indexPath, 'raw/file-index.json') : undefined;
  const merged = mergeContext({ codegenieVersion: input.codegenieVersion, scopeRoot: input.scopeRoot, envelopes, fileIndex });
  const context = scrub(merged, { workspaceRoot: input.workspaceRoot }).value;
  const views = scrub(computeViews(context), { workspaceRoot: input.workspaceRoot }).value;
  problems.push(...validateAgainst('repo-context.schema.json', context, 'repo-context'));
  problems.push(...validateAgainst('views.schema.json', views, 'views'));
  if (problems.length > 0) {
    throw new GatherError(`the merged context does not match its schemas:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
  return { context, views, yaml: renderYaml(context), json: canonicalJson(views) };
}

export function gather(input: GatherInput): { context: RepoContext; views: Views } {
  const built = buildArtifacts(input);
  const paths = artifactPaths(input.scopeRoot);
  writeFileAtomic(join(input.workspaceRoot, paths.contextFile), built.yaml);
  writeFileAtomic(join(input.workspaceRoot, paths.viewsFile), built.json);
  return built;
}
