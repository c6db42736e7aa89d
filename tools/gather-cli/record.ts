/**
 * What a good gather leaves behind for the next one (`record.json` in the repository's state
 * folder): which tree it saw, where the artifacts went, and a stat (or blob id) per file, so that
 * `cached-only` can say which probes' inputs changed without running Nx, and the fast path can
 * prove nothing changed. Also a one-file summary per repository for the POSIX `codegenie` entry
 * (bin/codegenie), which answers a zero-change gather without starting node.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import type { GatherOutcome } from '../serve/gather-port';

export const RECORD_VERSION = 1;

export interface GatherRecord {
  record: number;
  codegenie: string;
  /** The repository's real path. */
  repository: string;
  rev_mode: boolean;
  commit: string | null;
  /** The commit's tree id (rev mode). */
  tree: string | null;
  /** True when git status was empty before and after the gather (work tree mode). */
  clean: boolean;
  /** Digest of everything besides files that shapes the artifacts (versions, fingerprints). */
  config: string;
  out: string;
  /** path → `size:mtimeMs:ino` (work tree, folder) or blob id (rev mode). */
  files: Record<string, string>;
  outcome: GatherOutcome;
}

export function readRecord(path: string): GatherRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as GatherRecord;
    return r.record === RECORD_VERSION ? r : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(path: string, record: GatherRecord): void {
  writeFileAtomic(path, `${JSON.stringify(record)}\n`);
}

/** The stat signature of a work-tree file; any edit, replace, truncate or chmod changes it. */
export function statSignature(abs: string): string | undefined {
  try {
    const s = lstatSync(abs);
    return `${s.size}:${Math.trunc(s.mtimeMs * 1000)}:${s.ino}:${s.mode}`;
  } catch {
    return undefined;
  }
}

export function workTreeSignatures(root: string, paths: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    const sig = statSignature(join(root, p));
    if (sig) out[p] = sig;
  }
  return out;
}

/** Paths added, removed, or whose signature differs between two file maps. */
export function changedPaths(before: Record<string, string>, after: Record<string, string>): { changed: string[]; addedOrRemoved: boolean } {
  const changed: string[] = [];
  let addedOrRemoved = false;
  for (const [p, sig] of Object.entries(after)) {
    if (!(p in before)) {
      changed.push(p);
      addedOrRemoved = true;
    } else if (before[p] !== sig) changed.push(p);
  }
  for (const p of Object.keys(before)) {
    if (!(p in after)) {
      changed.push(p);
      addedOrRemoved = true;
    }
  }
  return { changed: changed.sort(), addedOrRemoved };
}

/**
 * The POSIX entry's view of one repository: `<stateDir>/fast/<real path, '/' as '%'>`, lines:
 * commit, out dir, then the outcome as one JSON line. Written only after a clean gather of a git
 * work tree; removed before any gather starts, so a failed or dirty gather never leaves one.
 */
export function fastPathFile(stateDir: string, realPath: string): string {
  return join(stateDir, 'fast', realPath.split('/').join('%'));
}
