/**
 * Test helpers: run a probe over an in-memory tree through the same context the coordinator uses.
 * Not part of the runtime; imported only by tests.
 */
import type { FileIndex, ProbeDefinition, ProbeResult, RunMetadata, SiblingEnvelope } from './probe-api';
import { createProbeContext } from './probe-context';
import { buildFileIndex } from './file-index';

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
