import * as semver from 'semver';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildRepository, countLoc, PACKAGE_MANAGERS } from '../../bench/generator';
import { declaredDependencies, inspectLockfile } from './lockfile-inspect';

describe.each(PACKAGE_MANAGERS)('%s monorepo', (pm) => {
  const model = buildRepository({ seed: 23, size: 'standard', packageManager: pm, variant: 'monorepo' });
  const files = model.files;
  const manifests = Object.keys(files).filter((p) => /^(apps|packages)\/[^/]+\/package\.json$/.test(p));
  const folders = manifests.map((p) => p.slice(0, -'/package.json'.length)).sort();
  const names = new Set(manifests.map((p) => (JSON.parse(files[p]) as { name: string }).name));

  it('has at least 30 workspace packages, each with its own sources and tests', () => {
    expect(folders.length).toBeGreaterThanOrEqual(30);
    expect(folders).toEqual(model.workspaces);
    expect(folders.some((f) => f.startsWith('apps/'))).toBe(true);
    for (const folder of folders) {
      const own = Object.keys(files).filter((p) => p.startsWith(`${folder}/`));
      expect(own.some((p) => /\/src\/.+\.ts$/.test(p) && !/\.(test|spec)\.ts$/.test(p)), folder).toBe(true);
      expect(own.some((p) => /\.(test|spec)\.ts$/.test(p)), folder).toBe(true);
      expect(JSON.parse(files[`${folder}/tsconfig.json`])).toMatchObject({ extends: '../../tsconfig.base.json' });
    }
    expect(countLoc(files)).toBeGreaterThan(45_000);
  });

  it('declares the workspaces the way this package manager expects', () => {
    const root = JSON.parse(files['package.json']) as { workspaces?: string[] };
    if (pm === 'pnpm') {
      expect(root.workspaces).toBeUndefined();
      expect(parse(files['pnpm-workspace.yaml'])).toEqual({ packages: ['apps/*', 'packages/*'] });
    } else {
      expect(root.workspaces).toEqual(['apps/*', 'packages/*']);
      expect(files['pnpm-workspace.yaml']).toBeUndefined();
    }
    const protocol = pm === 'npm' || pm === 'yarn-classic' ? '*' : 'workspace:*';
    let links = 0;
    for (const manifest of manifests) {
      const deps = (JSON.parse(files[manifest]) as { dependencies?: Record<string, string> }).dependencies ?? {};
      for (const [name, range] of Object.entries(deps)) {
        if (!names.has(name)) continue;
        expect(range).toBe(protocol);
        links++;
      }
    }
    expect(links).toBeGreaterThan(100);
  });

  it('has one root lockfile whose importers are the workspaces (Yarn 1 has none by design)', () => {
    expect(Object.keys(files).filter((p) => /(^|\/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock|bun\.lock)$/.test(p))).toEqual([model.lockfilePath]);
    const inspection = inspectLockfile(pm, files[model.lockfilePath]);
    expect(inspection.problems).toEqual([]);
    expect(inspection.packages.size).toBe(1_500);
    if (pm === 'yarn-classic') {
      // Yarn 1 links workspaces without recording them: no workspace name may appear as an entry.
      for (const name of names) expect(files[model.lockfilePath]).not.toContain(`\n"${name}@`);
      expect(inspection.importers.size).toBe(0);
    } else {
      for (const folder of ['', ...folders]) expect(inspection.importers, folder).toContain(folder);
    }
    for (const { path, name, range } of declaredDependencies(files)) {
      const version = inspection.direct(path, name, range);
      expect(version && semver.satisfies(version, range), `${path} ${name}@${range} -> ${version}`).toBe(true);
    }
  });
});
