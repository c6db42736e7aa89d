/**
 * Builds the `ProbeContext` a probe runs with. The same code serves the coordinator (files listed
 * by Nx's workspace context, read from disk) and unit tests (files held in memory), so tests
 * exercise the same input-boundary checks as real runs.
 */
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

export function decodeText(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
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
  return {
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
}
