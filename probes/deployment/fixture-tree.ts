/** Test helper: a fixture folder as the in-memory `{ path: content }` tree `runProbeInMemory` takes. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export function fixtureTree(root: string): Record<string, Buffer> {
  const tree: Record<string, Buffer> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) tree[relative(root, full).split(sep).join('/')] = readFileSync(full);
    }
  };
  walk(root);
  return tree;
}
