/**
 * `gatherRepository(req)`: gathers any directory (or one commit of a git repository) with Nx as
 * the engine, without writing anything into it — see state-workspace.ts for the layout and why.
 * The contract (types in ../serve/gather-port.ts) is shared with `codegenie serve`.
 *
 * Freshness modes (ADR-0006):
 * - fresh-on-trigger: Nx re-runs the probes whose inputs changed and replays the rest;
 * - cached-only: Nx is never started; the last artifacts are returned with the probes whose
 *   declared inputs changed since (from the per-file signatures recorded at the last gather);
 * - force-refresh: `--skip-nx-cache` (local and remote caches both skipped).
 * A zero-change gather (same commit and a clean status, or the same tree for `--rev`) answers
 * from the record without starting Nx (the fast path; bin/codegenie does the same before node).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { artifactPaths, CONTEXT_FILE, RAW_DIR, VIEWS_FILE } from '../artifact-paths';
import { writeFileAtomic } from '../atomic-write';
import { codegenieVersion } from '../package-root';
import { inputMatcher } from '../probe-context';
import { loadProbes, type RegisteredProbe } from '../registry';
import type { FreshnessMode, GatherOutcome, GatherRequest } from '../serve/gather-port';
import { defaultStateDir } from '../state-dir';
import { folderListing, gitEnv, isGitWorkTree, revListing, workTreeListing, type Listing } from './listing';
import { failureSummary, nxBin, replayedTasks, runNx } from './nx-run';
import { changedPaths, fastPathFile, readRecord, RECORD_VERSION, workTreeSignatures, writeRecord, type GatherRecord } from './record';
import { remoteCacheFrom, remoteCacheReachable, type RemoteCacheState } from './remote-cache';
import { installNodeModules, materialiseRev, prepareWorkspace, repositoryId, stateLayout, syncFromWorkTree, writeListing, type StateLayout } from './state-workspace';

export type { GatherOutcome, GatherRequest, FreshnessMode } from '../serve/gather-port';

export const MODES: readonly FreshnessMode[] = ['fresh-on-trigger', 'cached-only', 'force-refresh'];

/** The project name of the repository scope in a state workspace (our nx.json keeps the default). */
const PROJECT = 'repo';

/** A mistake in the request (path, rev, flags): exit code 2, one line, no stack. */
export class GatherUsageError extends Error {
  override name = 'GatherUsageError';
}

export interface DetailedOutcome {
  outcome: GatherOutcome;
  usageError: boolean;
}

function taskNames(probes: readonly RegisteredProbe[]): string[] {
  return ['file-index', 'gather', ...probes.map((p) => `probe-${p.name}`)].sort();
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: gitEnv(), maxBuffer: 1 << 30 });
}

/** Empty `git status` (untracked-not-ignored files count) and a file mode git actually compares. */
export function workTreeClean(dir: string): boolean {
  try {
    // With core.fileMode=false git would not see `chmod +x`: such a tree is never provably unchanged.
    const fileMode = git(dir, ['config', '--bool', 'core.fileMode']).trim();
    if (fileMode === 'false') return false;
  } catch {
    /* unset: git's default (true) */
  }
  return git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=normal']).length === 0;
}

function headCommit(dir: string): string | null {
  try {
    return git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']).trim() || null;
  } catch {
    return null;
  }
}

function checkDirectory(abs: string, given: string): string {
  let stat;
  try {
    stat = statSync(abs);
  } catch {
    throw new GatherUsageError(`${given}: no such file or directory`);
  }
  if (!stat.isDirectory()) throw new GatherUsageError(`${given}: not a directory`);
  try {
    accessSync(abs, constants.R_OK | constants.X_OK);
  } catch {
    throw new GatherUsageError(`${given}: not readable (permission denied)`);
  }
  return realpathSync(abs);
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** What shapes the artifacts besides the files: codegenie's version, each probe's version and external fingerprint. */
function configDigest(probes: readonly RegisteredProbe[]): string {
  const parts = probes.map((p) => `${p.name}@${p.version}${p.externalFingerprint ? `:${p.externalFingerprint()}` : ''}`);
  return `codegenie@${codegenieVersion()} ${parts.sort().join(' ')}`;
}

function artifactsPresent(out: string): boolean {
  return existsSync(join(out, CONTEXT_FILE)) && existsSync(join(out, VIEWS_FILE));
}

/** Copies the artifacts from the state workspace to `out`, each file replaced by rename. */
function publishArtifacts(layout: StateLayout, out: string): void {
  const src = join(layout.repoDir, artifactPaths('').contextDir);
  const raw = readdirSync(join(src, RAW_DIR)).filter((f) => f.endsWith('.json'));
  for (const f of raw) writeFileAtomic(join(out, RAW_DIR, f), readFileSync(join(src, RAW_DIR, f)));
  for (const f of readdirSync(join(out, RAW_DIR))) if (f.endsWith('.json') && !raw.includes(f)) rmSync(join(out, RAW_DIR, f), { force: true });
  writeFileAtomic(join(out, VIEWS_FILE), readFileSync(join(src, VIEWS_FILE)));
  writeFileAtomic(join(out, CONTEXT_FILE), readFileSync(join(src, CONTEXT_FILE)));
}

/** One gather per repository state at a time (a service and an operator may ask together). */
async function withLock<T>(dir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, 'lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      let alive = true;
      if (Number.isInteger(holder) && holder > 0) {
        try {
          process.kill(holder, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another gather of this repository holds ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Probes whose declared inputs changed between the recorded file map and the current one. */
export function staleProbes(
  probes: readonly RegisteredProbe[],
  before: GatherRecord,
  currentFiles: Record<string, string>,
  currentConfig: string,
): string[] {
  const { changed, addedOrRemoved } = changedPaths(before.files, currentFiles);
  const previousParts = new Set(before.config.split(' '));
  const stale: string[] = [];
  for (const probe of probes) {
    const fingerprint = `${probe.name}@${probe.version}${probe.externalFingerprint ? `:${probe.externalFingerprint()}` : ''}`;
    const matches = inputMatcher(probe.inputs);
    if (!previousParts.has(fingerprint) || (probe.usesFileIndex && addedOrRemoved) || changed.some(matches)) stale.push(`probe-${probe.name}`);
  }
  if (addedOrRemoved) stale.push('file-index');
  if (!currentConfig.startsWith(before.config.split(' ')[0])) stale.push('gather');
  return [...new Set(stale)].sort();
}

interface Resolved {
  real: string;
  isGit: boolean;
  commit: string | null;
  tree: string | null;
  layout: StateLayout;
  out: string;
  stateDir: string;
}

function resolveRequest(req: GatherRequest): Resolved {
  if (typeof req.path !== 'string' || req.path === '') throw new GatherUsageError('a repository path is required');
  const real = checkDirectory(resolve(req.path), req.path);
  const stateDir = resolve(req.stateDir ?? defaultStateDir(process.env));
  if (inside(stateDir, real)) throw new GatherUsageError(`the state folder ${stateDir} is inside the repository; nothing may be written there (use --state-dir)`);
  const isGit = isGitWorkTree(real);
  let commit: string | null = null;
  let tree: string | null = null;
  if (req.rev !== undefined) {
    if (!isGit) throw new GatherUsageError(`--rev needs a git repository; ${req.path} is not one`);
    try {
      commit = git(real, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${req.rev}^{commit}`]).trim();
    } catch {
      commit = null;
    }
    if (!commit) throw new GatherUsageError(`unknown revision ${JSON.stringify(req.rev)} in ${req.path}`);
    const prefix = git(real, ['rev-parse', '--show-prefix']).trim().replace(/\/$/, '');
    tree = git(real, ['rev-parse', '--verify', `${commit}:${prefix}`]).trim();
  } else if (isGit) {
    commit = headCommit(real);
  }
  const layout = stateLayout(stateDir, repositoryId(real, req.rev !== undefined));
  const out = resolve(req.outDir ?? layout.defaultOut);
  if (inside(out, real)) throw new GatherUsageError(`--out ${out} is inside the repository; nothing may be written there`);
  return { real, isGit, commit, tree, layout, out, stateDir };
}

function currentFiles(r: Resolved, req: GatherRequest): { listing: Listing; files: Record<string, string> } {
  if (req.rev !== undefined) {
    const listing = revListing(r.real, r.commit!);
    return { listing, files: listing.blobs };
  }
  const listing = r.isGit ? workTreeListing(r.real) : folderListing(r.real, r.layout.scratchGitDir);
  return { listing, files: workTreeSignatures(r.real, listing.paths) };
}

export async function gatherRepositoryDetailed(req: GatherRequest): Promise<DetailedOutcome> {
  const started = performance.now();
  const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;
  const outcome: GatherOutcome = {
    repository: req.path,
    rev: null,
    status: 'failed',
    fast_path: false,
    seconds: 0,
    out: '',
    probes: { replayed: [], recomputed: [] },
    errors: [],
  };
  const mode = req.mode ?? 'fresh-on-trigger';
  try {
    if (!MODES.includes(mode)) throw new GatherUsageError(`unknown --mode ${JSON.stringify(mode)} (one of ${MODES.join(', ')})`);
    const r = resolveRequest(req);
    outcome.rev = r.commit;
    outcome.out = r.out;
    const probes = loadProbes();
    const tasks = taskNames(probes);
    const config = configDigest(probes);
    mkdirSync(r.layout.root, { recursive: true });
    const result = await withLock(r.layout.root, req.timeoutMs ?? 600_000, async () => {
      const record = readRecord(r.layout.record);
      const usable = record !== undefined && record.out === r.out && artifactsPresent(r.out);
      // The fast path: the tree is provably the one last gathered.
      // CODEGENIE_NO_FAST_PATH=1 measures (or distrusts) it: every gather then goes through Nx.
      if (usable && mode !== 'force-refresh' && record.config === config && process.env.CODEGENIE_NO_FAST_PATH !== '1') {
        const same =
          req.rev !== undefined
            ? record.tree !== null && record.tree === r.tree
            : r.isGit && record.clean && r.commit !== null && record.commit === r.commit && workTreeClean(r.real);
        if (same) {
          return { ...outcome, status: mode === 'cached-only' ? 'fresh' : 'ok', fast_path: true, probes: { replayed: tasks, recomputed: [] }, ...(mode === 'cached-only' ? { stale_probes: [] } : {}), remote_cache: 'off' } satisfies GatherOutcome;
        }
      }
      if (mode === 'cached-only') {
        if (!usable) {
          return { ...outcome, status: 'stale', stale_probes: tasks, errors: [`no previous gather of ${req.path} with these artifacts (${r.out}); run without --mode cached-only first`] } satisfies GatherOutcome;
        }
        const stale = staleProbes(probes, record, currentFiles(r, req).files, config);
        return { ...outcome, status: stale.length > 0 ? 'stale' : 'fresh', stale_probes: stale, probes: { replayed: tasks, recomputed: [] } } satisfies GatherOutcome;
      }
      return fullGather(req, r, mode, tasks, config, outcome);
    });
    result.seconds = seconds();
    return { outcome: result, usageError: false };
  } catch (err) {
    const usage = err instanceof GatherUsageError;
    outcome.errors = [err instanceof Error ? err.message.split('\n')[0] : String(err)];
    outcome.status = 'failed';
    outcome.seconds = seconds();
    return { outcome, usageError: usage };
  }
}

async function fullGather(
  req: GatherRequest,
  r: Resolved,
  mode: FreshnessMode,
  tasks: string[],
  config: string,
  base: GatherOutcome,
): Promise<GatherOutcome> {
  const fastFile = fastPathFile(r.stateDir, r.real);
  rmSync(fastFile, { force: true });
  const workTree = r.isGit && req.rev === undefined;
  const cleanBefore = workTree && workTreeClean(r.real);
  const { listing, files } = currentFiles(r, req);
  const nodeModules = installNodeModules();
  prepareWorkspace(r.layout, nodeModules);
  writeListing(r.layout, listing.paths);
  if (req.rev !== undefined) await materialiseRev(r.real, r.commit!, r.layout.repoDir, listing.materialised);
  else syncFromWorkTree(r.real, r.layout.repoDir, listing.materialised);

  const remote = remoteCacheFrom(req.remoteCache, process.env);
  let remoteState: RemoteCacheState = 'off';
  const extraEnv: Record<string, string> = {
    NX_CACHE_DIRECTORY: join(r.layout.workspace, '.nx', 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(r.layout.workspace, '.nx', 'workspace-data'),
  };
  const warnings: string[] = [];
  if (remote) {
    if (await remoteCacheReachable(remote.url)) {
      remoteState = 'used';
      extraEnv.NX_SELF_HOSTED_REMOTE_CACHE_SERVER = remote.url;
      if (remote.token) extraEnv.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN = remote.token;
    } else {
      remoteState = 'unreachable';
      warnings.push(`remote cache ${remote.url} is unreachable; gathering without it`);
    }
  }
  const args = ['run', `${PROJECT}:gather`, '--outputStyle=static'];
  if (mode === 'force-refresh') args.push('--skip-nx-cache');
  const run = await runNx(nxBin(nodeModules), {
    workspace: r.layout.workspace,
    args,
    extraEnv,
    withoutRemoteCache: remoteState !== 'used',
    timeoutMs: req.timeoutMs,
    signal: req.signal,
  });
  const replayed = replayedTasks(run.output);
  const probes = {
    replayed: tasks.filter((t) => replayed.has(`${PROJECT}:${t}`)),
    recomputed: tasks.filter((t) => !replayed.has(`${PROJECT}:${t}`)),
  };
  const outcome: GatherOutcome = { ...base, probes, remote_cache: remoteState, errors: [...warnings] };
  if (run.aborted || run.timedOut || run.code !== 0) {
    const why = run.aborted ? 'gather aborted' : run.timedOut ? `gather timed out after ${req.timeoutMs} ms` : `nx exited ${run.code}: ${failureSummary(run.output)}`;
    return { ...outcome, status: 'failed', errors: [...outcome.errors, why] };
  }
  publishArtifacts(r.layout, r.out);
  const clean = cleanBefore && workTreeClean(r.real) && headCommit(r.real) === r.commit;
  const done: GatherOutcome = { ...outcome, status: 'ok' };
  writeRecord(r.layout.record, {
    record: RECORD_VERSION,
    codegenie: codegenieVersion(),
    repository: r.real,
    rev_mode: req.rev !== undefined,
    commit: r.commit,
    tree: r.tree,
    clean,
    config,
    out: r.out,
    files,
    outcome: done,
  });
  if (clean && r.commit && req.outDir === undefined && req.stateDir === undefined) {
    // The POSIX entry answers `codegenie gather <path>` (default state and out) from this file.
    const fast: GatherOutcome = { ...done, fast_path: true, seconds: 0, probes: { replayed: tasks, recomputed: [] }, remote_cache: 'off', errors: [] };
    // Line 3 is the outcome without `repository`, which the entry prints as given on its command line.
    const { repository: _given, ...rest } = fast;
    writeFileAtomic(fastFile, `${r.commit}\n${r.out}\n${JSON.stringify(rest)}\n`);
  }
  return done;
}

/** The contract entry point (../serve/gather-port.ts): never throws for a bad request, says so in `errors`. */
export async function gatherRepository(req: GatherRequest): Promise<GatherOutcome> {
  return (await gatherRepositoryDetailed(req)).outcome;
}
