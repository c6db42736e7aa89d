/** Test helpers: where this probe's fixture repositories and single fixture files are. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFolders } from '../../../tools/testing';

export const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');

/** Every fixture repository of this probe: `fixtures/lockfiles/*` and `fixtures/manifest/*`. */
export function fixtureRepos(): Array<{ name: string; dir: string }> {
  const repos: Array<{ name: string; dir: string }> = [];
  for (const group of ['lockfiles', 'manifest']) {
    for (const name of fixtureFolders(join(FIXTURES, group))) repos.push({ name: `${group}/${name}`, dir: join(FIXTURES, group, name) });
  }
  return repos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function fixtureText(...parts: string[]): string {
  return readFileSync(join(FIXTURES, ...parts), 'utf8');
}
