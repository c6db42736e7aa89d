/**
 * The contract between a probe and the coordinator.
 *
 * A probe is registration data (name, version, declared inputs, scheduling annotations) plus an
 * async `run` that turns the files it declared into a slice. It never walks the repository and
 * never reads a file outside its declared inputs: the coordinator hands it exactly the files Nx
 * hashed for the task, and `readText` refuses anything else. That is what makes an Nx cache hit
 * trustworthy.
 */

export type Heaviness = 'light' | 'medium' | 'heavy';
export type Confidence = 'high' | 'medium' | 'low';

/** A problem found while probing. Deterministic (same bytes in, same issue out): no timings, no absolute paths. */
export interface ProbeIssue {
  /** Stable machine-readable code, e.g. `parse-error`, `file-too-large`. */
  code: string;
  message: string;
  /** Path relative to the project root, when the issue concerns one file. */
  file?: string;
}

/** The compact listing written by the file-index target and shared by every paths-only probe. */
export interface FileIndex {
  /** Every indexed path, relative to the project root, sorted by code unit (like `LC_ALL=C sort`). */
  files: string[];
  /** Paths per lower-cased last extension (`.ts`, `.json`, ...; `''` for none). Lists are sorted. */
  byExtension: Record<string, string[]>;
  /** Well-known manifests present (package.json, lockfiles, monorepo configs), as sorted paths. */
  manifests: string[];
  /** Files skipped as noise (node_modules, dist, ...) are not listed; this counts them. */
  excludedCount: number;
}

/** One sibling's envelope, given to `runsLast` probes. */
export interface SiblingEnvelope {
  probe: string;
  version: string;
  confidence: Confidence;
  slice: Record<string, unknown>;
  errors: ProbeIssue[];
  warnings: ProbeIssue[];
}

export interface RunMetadata {
  recomputed: Record<string, string>;
  replayed: string[];
}

export interface ProbeContext {
  /**
   * Files matching the probe's declared `inputs`, relative to the project root, sorted.
   * Only files Nx itself tracks (git-ignored files are never listed).
   */
  readonly files: readonly string[];
  /**
   * Reads one of `files` as UTF-8 text (a leading BOM is removed; invalid bytes become U+FFFD).
   * Throws `ProbeInputError` for a path outside the declared inputs, and for a file larger than
   * the coordinator's size limit (code `file-too-large`) — catch it to report and go on.
   */
  readText(path: string): Promise<string>;
  /** The project's file index; present only for probes registered with `usesFileIndex: true`. */
  readonly fileIndex?: FileIndex;
  /** Sibling envelopes of the same project; present only for `runsLast` probes. */
  readonly siblings?: readonly SiblingEnvelope[];
  /**
   * For `runsLast` probes: which siblings this run recomputed (with the Nx task hash, the
   * fingerprint of their inputs) and which were replayed from cache. It differs from run to run,
   * so it belongs in `ProbeResult.stats`, never in the slice.
   */
  readonly runMetadata?: RunMetadata;
  /** Plugin options that probes may consult (e.g. `terraform: true`). JSON values only. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Absolute path of a folder this probe may use for its own private cache (e.g. per-file scan
   * results). Never written into artifacts; outside the repository's tracked files.
   */
  readonly cacheDir?: string;
  /** `''` for the repository root, else the workspace package's root (e.g. `packages/api`). For display only. */
  readonly projectRoot: string;
}

export interface ProbeResult {
  /** JSON-serializable facts. Keys are sorted on write; lists should be sorted by the probe. */
  slice: Record<string, unknown>;
  errors?: ProbeIssue[];
  warnings?: ProbeIssue[];
  /** Defaults to `high` without errors and `low` with errors. */
  confidence?: Confidence;
  /**
   * Run statistics (timings, cache hit ratios, prefilter counts). Printed and written to the
   * uncached `.codegenie/stats/<probe>.json`, never into the cached envelope: they vary run to run.
   */
  stats?: Record<string, unknown>;
}

export interface ProbeDefinition {
  /** Kebab-case, unique. Becomes the Nx target name `probe-<name>` and `raw/<name>.json`. */
  name: string;
  /** Bump whenever the probe's output for the same input may change; it enters the task hash. */
  version: string;
  /** One line, shown by `nx show project` and in the graph. */
  description: string;
  /**
   * Globs relative to the project root (`package.json`, `**\/*.yml`, `!**\/node_modules/**`).
   * Exactly these become the Nx target's file inputs, so they must cover every file `run` reads.
   */
  inputs: string[];
  /** Depend on the file index output (paths only) instead of file contents. */
  usesFileIndex?: boolean;
  heaviness?: Heaviness;
  /** Start only after every sibling probe of the same project has finished; receives their envelopes. */
  runsLast?: boolean;
  /** Only for the repository-level project, not for each workspace package. */
  repoOnly?: boolean;
  /**
   * Largest file this probe reads (bytes). Defaults to the coordinator's limit (8 MiB); a probe
   * that must read big files on purpose (lockfiles) raises it. The plugin option `maxFileBytes`,
   * when set, applies to every probe.
   */
  maxFileBytes?: number;
  /**
   * State outside the repository that the output depends on (e.g. the advisory store's content
   * hash), computed in-process when Nx builds the graph and folded into this probe's fingerprint
   * input only, so a change to it re-runs this probe and nothing else. Must be cheap and must not throw.
   */
  externalFingerprint?: () => string;
  run(ctx: ProbeContext): Promise<ProbeResult>;
}

/** Raised by `ProbeContext.readText`; probes may catch it and report it as a `ProbeIssue`. */
export class ProbeInputError extends Error {
  constructor(
    readonly code: 'outside-inputs' | 'file-too-large' | 'not-a-file',
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeInputError';
  }
}
