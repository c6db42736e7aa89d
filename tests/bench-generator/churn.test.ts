import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as semver from 'semver';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyChange,
  applyChangeDetailed,
  CHANGE_KINDS,
  churnTrace,
  commitAll,
  generateRepo,
  hashDir,
  PACKAGE_MANAGERS,
  readTree,
  Rng,
  type ChangeKind,
  type PackageManager,
} from '../../bench/generator';
import { inspectLockfile } from './lockfile-inspect';

const scratch = mkdtempSync(join(tmpdir(), 'bench-churn-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

function fresh(pm: PackageManager, variant: 'service' | 'monorepo' = 'service', git = false) {
  const dir = join(scratch, `repo-${counter++}`);
  generateRepo({ dir, seed: 31, size: 'small', packageManager: pm, variant, git });
  return dir;
}

/** Paths added, removed or modified between two trees, and the changed lines of each modified file. */
function diff(before: Record<string, string>, after: Record<string, string>) {
  const changed: string[] = [];
  const lines: Record<string, { removed: string[]; added: string[] }> = {};
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[path] === after[path]) continue;
    changed.push(path);
    if (before[path] !== undefined && after[path] !== undefined) {
      const a = before[path].split('\n');
      const b = after[path].split('\n');
      const aSet = new Set(b);
      const bSet = new Set(a);
      lines[path] = { removed: a.filter((l) => !aSet.has(l)), added: b.filter((l) => !bSet.has(l)) };
    }
  }
  return { changed: changed.sort(), lines };
}

describe('applyChange', () => {
  it('edit-source changes one number in one source file and nothing else', () => {
    const dir = fresh('npm');
    for (let i = 0; i < 5; i++) {
      const before = readTree(dir);
      const change = applyChangeDetailed(dir, 'edit-source', new Rng(`edit-${i}`));
      const d = diff(before, readTree(dir));
      expect(d.changed).toEqual(change.touched);
      expect(change.touched).toHaveLength(1);
      const [path] = change.touched;
      expect(path).toMatch(/^src\/.+\.(ts|js)$/);
      expect(path).not.toMatch(/\.(test|spec)\.ts$/);
      expect(before[path].split('\n')).toHaveLength(readTree(dir)[path].split('\n').length);
      expect(d.lines[path].removed).toHaveLength(1);
      expect(d.lines[path].added).toHaveLength(1);
      expect(d.lines[path].removed[0].replace(/\d+/g, 'N')).toBe(d.lines[path].added[0].replace(/\d+/g, 'N'));
      expect(change.description).toContain(path);
    }
  });

  it.each(PACKAGE_MANAGERS.flatMap((pm) => [[pm, 'service'] as const, [pm, 'monorepo'] as const]))(
    'bump-dependency in a %s %s moves one range and the lockfile with it',
    (pm, variant) => {
      const dir = fresh(pm, variant);
      for (let i = 0; i < 3; i++) {
        const before = readTree(dir);
        const change = applyChangeDetailed(dir, 'bump-dependency', new Rng(`bump-${pm}-${i}`));
        const after = readTree(dir);
        const d = diff(before, after);
        expect(d.changed).toEqual(change.touched);
        const manifest = change.touched.find((p) => p.endsWith('package.json'))!;
        const lockPath = change.touched.find((p) => p !== manifest)!;
        expect(d.lines[manifest].removed).toHaveLength(1);
        expect(d.lines[manifest].added).toHaveLength(1);
        const m = /^bump-dependency: (\S+) (\S+) -> (\S+) \(\S+ (\S+) -> (\S+)\)$/.exec(change.description)!;
        const [, name, oldVersion, newVersion, oldRange, newRange] = m;
        expect(semver.gt(newVersion, oldVersion)).toBe(true);
        const pkg = JSON.parse(after[manifest]) as Record<string, Record<string, string>>;
        expect(pkg.dependencies?.[name] ?? pkg.devDependencies?.[name]).toBe(newRange);

        const inspection = inspectLockfile(pm, after[lockPath]);
        expect(inspection.problems).toEqual([]);
        expect(inspection.packages.size).toBe(1_500);
        expect(inspection.packages.has(`${name}@${newVersion}`)).toBe(true);
        expect(inspection.packages.has(`${name}@${oldVersion}`)).toBe(false);
        const importer = manifest === 'package.json' ? '' : manifest.slice(0, -'/package.json'.length);
        expect(inspection.direct(importer, name, newRange)).toBe(newVersion);
        // Only lines that mention the bumped package (or its digest/range) change in the lockfile.
        const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        const mentions = new RegExp([escaped, 'sha512-', '10c0/', ...[oldVersion, newVersion, oldRange, newRange].map(literal)].join('|'));
        for (const line of [...d.lines[lockPath].removed, ...d.lines[lockPath].added]) {
          if (line.trim() === '') continue;
          expect(line, change.description).toMatch(mentions);
        }
      }
    },
  );

  it('edit-workflow changes one line of one workflow and keeps it valid YAML', () => {
    const dir = fresh('pnpm');
    for (let i = 0; i < 6; i++) {
      const before = readTree(dir);
      const change = applyChangeDetailed(dir, 'edit-workflow', new Rng(`wf-${i}`));
      const after = readTree(dir);
      const d = diff(before, after);
      expect(d.changed).toEqual(change.touched);
      const [path] = change.touched;
      expect(path).toMatch(/^\.github\/workflows\/[^/]+\.yml$/);
      expect(d.lines[path].added).toHaveLength(1);
      expect(() => parse(after[path])).not.toThrow();
    }
  });

  it('edit-dockerfile changes one line of the Dockerfile', () => {
    const dir = fresh('bun');
    for (let i = 0; i < 6; i++) {
      const before = readTree(dir);
      const change = applyChangeDetailed(dir, 'edit-dockerfile', new Rng(`df-${i}`));
      const d = diff(before, readTree(dir));
      expect(d.changed).toEqual(['Dockerfile']);
      expect(change.touched).toEqual(['Dockerfile']);
      expect(d.lines.Dockerfile.added).toHaveLength(1);
      expect(d.lines.Dockerfile.added[0]).toMatch(/^(FROM node:\S+ AS builder|ENV NODE_OPTIONS=--max-old-space-size=\d+)$/);
    }
  });

  it('add-file adds one new source file and remove-file removes one test file', () => {
    for (const variant of ['service', 'monorepo'] as const) {
      const dir = fresh('yarn-classic', variant);
      const before = readTree(dir);
      const added = applyChangeDetailed(dir, 'add-file', new Rng('add'));
      const middle = readTree(dir);
      expect(diff(before, middle).changed).toEqual(added.touched);
      expect(before[added.touched[0]]).toBeUndefined();
      expect(added.touched[0]).toMatch(variant === 'service' ? /^src\/utils\/.+\.ts$/ : /^(apps|packages)\/[^/]+\/src\/.+\.ts$/);
      const removed = applyChangeDetailed(dir, 'remove-file', new Rng('remove'));
      expect(diff(middle, readTree(dir)).changed).toEqual(removed.touched);
      expect(readTree(dir)[removed.touched[0]]).toBeUndefined();
      expect(removed.touched[0]).toMatch(/\.(test|spec)\.ts$/);
    }
  });

  it('returns a one-line description from applyChange', () => {
    const dir = fresh('npm');
    for (const kind of CHANGE_KINDS) {
      const description = applyChange(dir, kind, new Rng(kind));
      expect(description.startsWith(`${kind}: `)).toBe(true);
      expect(description).not.toContain('\n');
    }
  });
});

describe('churnTrace', () => {
  it('has the 80 / 10 / 10 mix, deterministically', () => {
    const kinds = [...churnTrace(1, 100)].map((s) => s.kind);
    const count = (k: ChangeKind) => kinds.filter((x) => x === k).length;
    expect(count('edit-source')).toBe(80);
    expect(count('bump-dependency')).toBe(10);
    expect(count('edit-workflow') + count('edit-dockerfile') + count('add-file') + count('remove-file')).toBe(10);
    for (const k of ['edit-workflow', 'edit-dockerfile', 'add-file', 'remove-file'] as const) expect(count(k)).toBeGreaterThanOrEqual(2);
    expect([...churnTrace(1, 100)].map((s) => s.kind)).toEqual(kinds);
    expect([...churnTrace(2, 100)].map((s) => s.kind)).not.toEqual(kinds);
    expect([...churnTrace(1, 100)].map((s) => s.index)).toEqual(kinds.map((_k, i) => i + 1));
  });

  it('replays to identical trees and commit hashes from the same seed', () => {
    const run = () => {
      const dir = fresh('pnpm', 'service', true);
      const heads: string[] = [];
      for (const step of churnTrace(8, 25)) {
        const description = applyChange(dir, step.kind, step.rng);
        heads.push(commitAll(dir, description, step.index));
      }
      expect(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('26');
      return { hash: hashDir(dir), heads };
    };
    const a = run();
    const b = run();
    expect(b.hash).toBe(a.hash);
    expect(b.heads).toEqual(a.heads);
    expect(new Set(a.heads).size).toBe(25);
  });
});
