/**
 * Builds the `ProbeContext` a probe runs with. The same code serves the coordinator (files listed
 * by Nx's workspace context, read from disk) and unit tests (files held in memory), so tests
 * exercise the same input-boundary checks as real runs.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { FileIndex, ProbeContext, ProbeDefinition, RunMetadata, SiblingEnvelope } from './probe-api';
import { ProbeInputError } from './probe-api';
import { byCodeUnit } from './parse';

/** Files larger than this are not read; probes see a `file-too-large` ProbeInputError. */
export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;

export interface FileSource {
  /** Size in bytes, or undefined when the path is not a regular file (symlink, directory, missing). */
  size(path: string): Promise<number | undefined>;
  read(path: string): Promise<Buffer>;
  /**
   * Set by sources that read exactly `readRegularFileSync(root, path, ...)` would (regular files
   * under this absolute folder, symlinks never followed): a probe may then read the files itself,
   * for instance in worker threads (`diskAccess`). Absent for in-memory sources.
   */
  readonly root?: string;
}

/**
 * Files on disk under `root`, read like the coordinator does: regular files only, symlinks never
 * followed, synchronously (a probe runs alone in its thread). Declares `root`, so a probe may also
 * read the files in its own threads (`diskAccess`).
 */
export function diskFileSource(root: string): FileSource {
  return {
    root,
    async size(path) {
      try {
        const stat = lstatSync(join(root, path));
        return stat.isFile() ? stat.size : undefined;
      } catch {
        return undefined;
      }
    },
    read: async (path) => readFileSync(join(root, path)),
  };
}

/** Where a disk-backed context's files are, so they can be read outside it with the same checks. */
export interface DiskAccess {
  /** Absolute folder the context's paths are relative to. */
  root: string;
  /** The context's size limit: larger files are refused as `file-too-large`. */
  maxFileBytes: number;
}

const diskAccessByContext = new WeakMap<ProbeContext, DiskAccess>();

/** The disk location of a context's files, when its source is disk-backed (see `FileSource.root`). */
export function diskAccess(ctx: ProbeContext): DiskAccess | undefined {
  return diskAccessByContext.get(ctx);
}

export type SyncRead = { ok: true; text: string } | { ok: false; code: 'not-a-file' | 'file-too-large' | 'read-error'; errno?: string };

/**
 * Reads one file of a disk-backed context synchronously, with the checks of `readText` (the path
 * must be one of the context's files; that check is the caller's): not a regular file →
 * `not-a-file`, larger than the limit → `file-too-large`, then decoded like `readText`.
 */
export function readRegularFileSync(access: DiskAccess, path: string): SyncRead {
  const full = join(access.root, path);
  let size: number;
  try {
    const stat = lstatSync(full);
    if (!stat.isFile()) return { ok: false, code: 'not-a-file' };
    size = stat.size;
  } catch {
    return { ok: false, code: 'not-a-file' };
  }
  if (size > access.maxFileBytes) return { ok: false, code: 'file-too-large' };
  try {
    return { ok: true, text: decodeText(readFileSync(full)) };
  } catch (err) {
    return { ok: false, code: 'read-error', errno: (err as NodeJS.ErrnoException)?.code };
  }
}

/** Picomatch options shared by every input glob: dotfiles count (`.github/`, `.nvmrc`). */
const GLOB_OPTIONS = { dot: true } as const;

/** Splits declared inputs into positive and negated (`!`) globs and returns a matcher for the set. */
export function inputMatcher(inputs: readonly string[]): (path: string) => boolean {
  const positive = inputs.filter((g) => !g.startsWith('!'));
  const negative = inputs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const yes = positive.length > 0 ? picomatch(positive, GLOB_OPTIONS) : () => false;
  const no = negative.length > 0 ? picomatch(negative, GLOB_OPTIONS) : () => false;
  return (path) => yes(path) && !no(path);
}

/** One decoder for every read: decoding holds no state between calls without `stream`. */
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeText(bytes: Buffer): string {
  const text = utf8.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface ContextParts {
  probe: Pick<ProbeDefinition, 'name' | 'inputs'>;
  /** Candidate paths relative to the project root; filtered here through the probe's inputs. */
  files: readonly string[];
  source: FileSource;
  projectRoot?: string;
  fileIndex?: FileIndex;
  siblings?: readonly SiblingEnvelope[];
  runMetadata?: RunMetadata;
  options?: Record<string, unknown>;
  maxFileBytes?: number;
  cacheDir?: string;
}

export function createProbeContext(parts: ContextParts): ProbeContext {
  const matches = inputMatcher(parts.probe.inputs);
  const files = [...new Set(parts.files.filter(matches))].sort(byCodeUnit);
  const allowed = new Set(files);
  const limit = parts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const ctx: ProbeContext = {
    files,
    projectRoot: parts.projectRoot ?? '',
    fileIndex: parts.fileIndex,
    siblings: parts.siblings,
    runMetadata: parts.runMetadata,
    cacheDir: parts.cacheDir,
    options: parts.options ?? {},
    async readText(path: string): Promise<string> {
      if (!allowed.has(path)) {
        throw new ProbeInputError('outside-inputs', path, `probe ${parts.probe.name} read ${path}, which is not among its declared inputs`);
      }
      const size = await parts.source.size(path);
      if (size === undefined) throw new ProbeInputError('not-a-file', path, `${path} is not a regular file`);
      if (size > limit) throw new ProbeInputError('file-too-large', path, `${path} is ${size} bytes, over the ${limit}-byte limit`);
      return decodeText(await parts.source.read(path));
    },
  };
  if (parts.source.root !== undefined) diskAccessByContext.set(ctx, { root: parts.source.root, maxFileBytes: limit });
  return ctx;
}
