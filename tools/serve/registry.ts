/**
 * The watched-repository registry: turns what a user registers (a local git directory or a clone
 * URL) into an entry the dispatcher can gather, creating the service's bare mirror for URLs.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { cloneMirror, localGitDir } from './mirror';
import type { RepoEntry, ServiceStore } from './queue/types';

export interface AddRepoRequest {
  source: string;
  id?: string;
  branches?: string[];
  cron?: string | null;
  github?: string | null;
}

export class RegistryError extends Error {}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^/\s]+@[^:\s]+:/.test(source);
}

/** owner/name when the source is a GitHub URL (https or ssh form). */
export function githubName(source: string): string | null {
  const m = /github\.com[/:]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(source);
  return m ? `${m[1]}/${m[2]}` : null;
}

export function defaultId(source: string): string {
  const gh = githubName(source);
  const raw = gh ? gh.replace('/', '-') : basename(source.replace(/\/+$/, '')).replace(/\.git$/, '');
  return raw.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'repo';
}

export async function addRepository(store: ServiceStore, stateDir: string, req: AddRepoRequest, now: number): Promise<RepoEntry> {
  if (typeof req.source !== 'string' || req.source.trim() === '') throw new RegistryError('source is required: a local git directory or a clone URL');
  const id = req.id ?? defaultId(req.source);
  if (!ID_PATTERN.test(id)) throw new RegistryError(`invalid repository id ${JSON.stringify(id)} (letters, digits, . _ -)`);
  if (await store.getRepo(id)) throw new RegistryError(`repository ${id} is already watched`);
  const branches = req.branches && req.branches.length > 0 ? [...new Set(req.branches)].sort() : ['main'];
  let mirror: string;
  let managed: boolean;
  if (isUrl(req.source)) {
    mirror = join(stateDir, 'mirrors', `${id}.git`);
    await mkdir(join(stateDir, 'mirrors'), { recursive: true });
    if (existsSync(mirror)) await rm(mirror, { recursive: true, force: true });
    try {
      await cloneMirror(req.source, mirror);
    } catch (err) {
      throw new RegistryError(`git clone --mirror failed: ${(err as Error).message.split('\n')[0]}`);
    }
    managed = true;
  } else {
    try {
      mirror = await localGitDir(resolve(req.source));
    } catch {
      throw new RegistryError(`${req.source} is not a git repository`);
    }
    managed = false;
  }
  const entry: RepoEntry = { id, source: req.source, mirror, managed, branches, cron: req.cron ?? null, github: req.github ?? githubName(req.source), added_at: now };
  await store.addRepo(entry);
  return entry;
}

export async function removeRepository(store: ServiceStore, id: string): Promise<boolean> {
  const entry = await store.getRepo(id);
  if (!entry) return false;
  await store.removeRepo(id);
  if (entry.managed) await rm(entry.mirror, { recursive: true, force: true });
  return true;
}
