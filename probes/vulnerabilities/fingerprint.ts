/**
 * The advisory store's content hash, read from the one-line file the store writes on every save
 * (cheap: Nx asks for it on every graph computation). No store yet → a fixed marker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { advisoriesDir } from '../../tools/advisories/store';
import { defaultStateDir } from '../../tools/state-dir';

export function storeFingerprint(): string {
  try {
    return readFileSync(join(advisoriesDir(defaultStateDir(process.env)), 'content-hash'), 'utf8').trim().slice(0, 16);
  } catch {
    return 'no-store';
  }
}
