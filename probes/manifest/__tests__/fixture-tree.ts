/** Test helper: a fixture folder read into the in-memory `{path: bytes}` tree `runProbeInMemory` takes. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');

export function readTree(dir: string): Record<string, Buffer> {
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

/** Every fixture repository of this probe: `fixtures/lockfiles/*` and `fixtures/manifest/*`. */
export function fixtureRepos(): Array<{ name: string; dir: string }> {
  const repos: Array<{ name: string; dir: string }> = [];
  for (const group of ['lockfiles', 'manifest']) {
    for (const entry of readdirSync(join(FIXTURES, group), { withFileTypes: true })) {
      if (entry.isDirectory()) repos.push({ name: `${group}/${entry.name}`, dir: join(FIXTURES, group, entry.name) });
    }
  }
  return repos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function fixtureText(...parts: string[]): string {
  return readFileSync(join(FIXTURES, ...parts), 'utf8');
}
