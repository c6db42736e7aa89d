/**
 * Test helpers: run a probe over an in-memory tree through the same context the coordinator uses,
 * read fixture folders into such trees, and check a slice against its shipped schema.
 * Not part of the runtime; imported only by tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileIndex, ProbeDefinition, ProbeResult, RunMetadata, SiblingEnvelope } from './probe-api';
import { createProbeContext } from './probe-context';
import { buildFileIndex } from './file-index';
import { validateAgainst } from './gather/validate';
import { packageRoot } from './package-root';

export function memorySource(tree: Record<string, string | Buffer>) {
  return {
    async size(path: string) {
      const v = tree[path];
      return v === undefined ? undefined : Buffer.byteLength(v);
    },
    async read(path: string) {
      const v = tree[path];
      if (v === undefined) throw new Error(`ENOENT: ${path}`);
      return Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
    },
  };
}

export interface RunInMemoryOptions {
  options?: Record<string, unknown>;
  siblings?: SiblingEnvelope[];
  runMetadata?: RunMetadata;
  fileIndex?: FileIndex;
  maxFileBytes?: number;
}

/** Runs `probe` over `tree` (path → content, paths relative to the project root). */
export async function runProbeInMemory(
  probe: ProbeDefinition,
  tree: Record<string, string | Buffer>,
  extra: RunInMemoryOptions = {},
): Promise<ProbeResult> {
  const paths = Object.keys(tree);
  const fileIndex = probe.usesFileIndex ? (extra.fileIndex ?? buildFileIndex(paths)) : undefined;
  const ctx = createProbeContext({
    probe,
    files: paths,
    source: memorySource(tree),
    fileIndex,
    siblings: extra.siblings,
    runMetadata: extra.runMetadata,
    options: extra.options,
    maxFileBytes: extra.maxFileBytes ?? probe.maxFileBytes,
  });
  return probe.run(ctx);
}

/**
 * A fixture folder as the `{path: bytes}` tree `runProbeInMemory` takes: every regular file below
 * `dir`, keyed by its `/`-separated path relative to `dir` (symlinks and other entries are skipped).
 */
export function fixtureTree(dir: string): Record<string, Buffer> {
  const tree: Record<string, Buffer> = {};
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(abs, entry.name), path);
      else if (entry.isFile()) tree[path] = readFileSync(join(abs, entry.name));
    }
  };
  walk(dir, '');
  return tree;
}

/** The sub-folders of `dir` (one fixture repository each), by name in code-unit order. */
export function fixtureFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Checks a slice against `schemas/slices/<probe>.schema.json` with the validator the gather uses;
 * returns readable problems, empty when valid. Unlike the gather, a missing schema throws here, so a
 * schema test cannot pass by validating against nothing.
 */
export function sliceValidator(probe: string): (slice: unknown) => string[] {
  const id = `slices/${probe}.schema.json`;
  if (!existsSync(join(packageRoot(), 'schemas', id))) throw new Error(`no slice schema ${id}`);
  return (slice) => validateAgainst(id, slice, '');
}
