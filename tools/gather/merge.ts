/** Merges a scope's probe envelopes into the repository context (SPEC §3). Pure. */
import type { Envelope } from '../envelope';
import type { FileIndex } from '../probe-api';
import { byCodeUnit } from '../parse';

export const CONTEXT_SCHEMA_VERSION = 1;

export interface MergeInput {
  codegenieVersion: string;
  /** `''` for the repository scope. */
  scopeRoot: string;
  envelopes: readonly Envelope[];
  fileIndex?: FileIndex;
}

export type RepoContext = Record<string, unknown> & {
  codegenie: {
    version: string;
    schema_version: number;
    scope: { root: string; kind: 'repository' | 'package' };
    probes: Record<string, { version: string; confidence: string; errors: Envelope['errors']; warnings: Envelope['warnings'] }>;
    file_index?: { total_files: number; excluded_noise_files: number; manifests: string[] };
  };
};

export function mergeContext(input: MergeInput): RepoContext {
  const envelopes = [...input.envelopes].sort((a, b) => byCodeUnit(a.probe, b.probe));
  const probes: RepoContext['codegenie']['probes'] = {};
  const context: RepoContext = {
    codegenie: {
      version: input.codegenieVersion,
      schema_version: CONTEXT_SCHEMA_VERSION,
      scope: { root: input.scopeRoot === '' ? '.' : input.scopeRoot, kind: input.scopeRoot === '' ? 'repository' : 'package' },
      probes,
    },
  };
  if (input.fileIndex) {
    context.codegenie.file_index = {
      total_files: input.fileIndex.files.length,
      excluded_noise_files: input.fileIndex.excludedCount,
      manifests: input.fileIndex.manifests,
    };
  }
  for (const env of envelopes) {
    probes[env.probe] = { version: env.version, confidence: env.confidence, errors: env.errors, warnings: env.warnings };
    context[env.probe] = env.slice;
  }
  return context;
}
