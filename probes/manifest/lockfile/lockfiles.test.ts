import { describe, expect, it } from 'vitest';
import { fixtureText } from '../__tests__/fixtures';
import { parseBunLockfile } from './bun';
import { parseNpmLockfile } from './npm';
import { parseLockfile } from './parse-lockfile';
import { parsePnpmLockfile } from './pnpm';
import type { LockedPackage, ParsedLockfile } from './types';
import { parseYarnBerryLockfile } from './yarn-berry';
import { parseYarnClassicLockfile } from './yarn-classic';

function find(parsed: ParsedLockfile, name: string, version?: string): LockedPackage {
  const hit = parsed.packages.find((p) => p.name === name && (version === undefined || p.version === version));
  if (!hit) throw new Error(`no ${name}@${version ?? '*'} in ${parsed.packages.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  return hit;
}

function ids(parsed: ParsedLockfile): string[] {
  return parsed.packages.map((p) => `${p.name}@${p.version}${p.patched ? '+patch' : ''}`);
}

describe('npm package-lock.json', () => {
  it('v3: install paths, nested copies, aliases, git, flags', () => {
    const parsed = parseNpmLockfile('package-lock.json', fixtureText('lockfiles', 'npm-v3', 'package-lock.json'));
    expect(parsed.issues).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'npm', format_version: 3, entry_count: 21, importer_dirs: [''] });
    expect(parsed.packages).toHaveLength(21);
    // Two copies of ms: hoisted 2.1.3 and debug's own 2.1.2.
    expect(ids(parsed).filter((id) => id.startsWith('ms@'))).toEqual(['ms@2.1.2', 'ms@2.1.3']);
    expect(find(parsed, 'string-width')).toMatchObject({ version: '4.2.3', aliases: ['string-width-cjs'], source: 'registry' });
    expect(find(parsed, 'left-pad')).toMatchObject({ version: '1.3.0', source: 'git' });
    expect(find(parsed, 'typescript')).toMatchObject({ dev: true });
    expect(find(parsed, 'fsevents')).toMatchObject({ optional: true, has_install_script: true });
    expect(find(parsed, 'better-sqlite3').has_install_script).toBe(true);
    expect(find(parsed, 'react')).toMatchObject({ peer: true });
    expect(find(parsed, 'ms', '2.1.3').integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    expect(parsed.locate('', 'string-width-cjs', 'npm:string-width@^4.2.0')).toEqual([{ name: 'string-width', version: '4.2.3' }]);
    expect(parsed.locate('', 'ms', '^2.1.3')).toEqual([{ name: 'ms', version: '2.1.3' }]);
    expect(parsed.locate('', 'zod', '^3.0.0')).toEqual([]);
  });

  it('v2: reads `packages` and ignores the duplicate legacy `dependencies` tree', () => {
    const parsed = parseNpmLockfile('package-lock.json', fixtureText('lockfiles', 'npm-v2', 'package-lock.json'));
    expect(parsed).toMatchObject({ format_version: 2, entry_count: 7 });
    expect(ids(parsed)).toEqual(['ansi-styles@4.3.0', 'chalk@4.1.2', 'color-convert@2.0.1', 'color-name@1.1.4', 'has-flag@4.0.0', 'prettier@2.8.8', 'supports-color@7.2.0']);
    expect(find(parsed, 'prettier').dev).toBe(true);
    expect(find(parsed, 'chalk').dev).toBeUndefined();
  });

  it('v1: walks the nested tree, folds `npm:` aliases, keeps dev flags', () => {
    const parsed = parseNpmLockfile('package-lock.json', fixtureText('lockfiles', 'npm-v1', 'package-lock.json'));
    expect(parsed).toMatchObject({ format_version: 1, entry_count: 11, importer_dirs: [] });
    expect(find(parsed, 'string-width')).toMatchObject({ version: '2.1.1', aliases: ['string-width-legacy'] });
    expect(find(parsed, 'ms', '2.1.1')).toMatchObject({ dev: true });
    expect(find(parsed, 'node-sass', '4.14.1').dev).toBeUndefined();
    expect(parsed.locate('', 'lodash', '^4.17.21')).toEqual([{ name: 'lodash', version: '4.17.21' }]);
    expect(parsed.locate('', 'string-width-legacy', 'npm:string-width@^2.1.1')).toEqual([{ name: 'string-width', version: '2.1.1' }]);
  });

  it('npm-shrinkwrap.json is the same format', () => {
    const parsed = parseLockfile('npm-shrinkwrap.json', fixtureText('lockfiles', 'npm-shrinkwrap', 'npm-shrinkwrap.json'))!;
    expect(parsed).toMatchObject({ kind: 'npm', format_version: 3, entry_count: 4 });
    expect(find(parsed, 'puppeteer').has_install_script).toBe(true);
  });

  it('workspace links resolve through the importer folder, then the root', () => {
    const text = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'root', workspaces: ['packages/*'] },
        'node_modules/@x/a': { resolved: 'packages/a', link: true },
        'node_modules/lodash': { version: '4.17.21' },
        'packages/a': { name: '@x/a', version: '1.0.0' },
        'packages/a/node_modules/lodash': { version: '3.10.1' },
      },
    });
    const parsed = parseNpmLockfile('package-lock.json', text);
    expect(parsed.importer_dirs).toEqual(['', 'packages/a']);
    expect(parsed.entry_count).toBe(2);
    expect(parsed.locate('packages/a', 'lodash', '^3')).toEqual([{ name: 'lodash', version: '3.10.1' }]);
    expect(parsed.locate('packages/b', 'lodash', '^4')).toEqual([{ name: 'lodash', version: '4.17.21' }]);
    expect(parsed.locate('', '@x/a', '*')).toEqual([{ name: '@x/a', version: 'link:packages/a' }]);
  });
});

describe('pnpm-lock.yaml', () => {
  it('5.4: `/name/version_peer` keys, top-level importer, dev and requiresBuild flags', () => {
    const parsed = parsePnpmLockfile('pnpm-lock.yaml', fixtureText('lockfiles', 'pnpm-v5', 'pnpm-lock.yaml'));
    expect(parsed.issues).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'pnpm', format_version: 5.4, entry_count: 13, importer_dirs: [''] });
    expect(find(parsed, 'react-dom').version).toBe('18.2.0');
    expect(find(parsed, 'use-sync-external-store').version).toBe('1.2.0');
    expect(find(parsed, 'sharp').has_install_script).toBe(true);
    expect(find(parsed, 'typescript').dev).toBe(true);
    expect(find(parsed, 'fsevents')).toMatchObject({ optional: true, has_install_script: true });
    expect(find(parsed, 'tiny-lib')).toMatchObject({ version: '1.0.0', source: 'git' });
    expect(parsed.locate('', 'react-dom', '^18.2.0')).toEqual([{ name: 'react-dom', version: '18.2.0' }]);
    expect(parsed.locate('', 'tiny-lib', 'github:acme/tiny-lib#v1.0.0')).toEqual([{ name: 'tiny-lib', version: '1.0.0' }]);
  });

  it('6.0: importers, `(peer)` suffixes, patch hashes, workspace links', () => {
    const parsed = parsePnpmLockfile('pnpm-lock.yaml', fixtureText('lockfiles', 'pnpm-v6', 'pnpm-lock.yaml'));
    expect(parsed).toMatchObject({ format_version: '6.0', entry_count: 12, importer_dirs: ['', 'apps/web', 'packages/ui'] });
    expect(find(parsed, 'lodash')).toMatchObject({ version: '4.17.21', patched: true });
    expect(find(parsed, 'next').version).toBe('14.2.3');
    expect(find(parsed, '@next/swc-linux-x64-gnu')).toMatchObject({ optional: true, has_install_script: true });
    expect(parsed.locate('apps/web', '@acme/ui', 'workspace:*')).toEqual([{ name: '@acme/ui', version: 'link:../../packages/ui' }]);
    expect(parsed.locate('apps/web', 'next', '14.2.3')).toEqual([{ name: 'next', version: '14.2.3' }]);
    expect(parsed.locate('apps/web', 'lodash', '^4.17.21')).toEqual([{ name: 'lodash', version: '4.17.21' }]);
    expect(parsed.locate('packages/ui', 'next', '*')).toEqual([]);
  });

  it('9.0: catalogs, patchedDependencies, aliases, file: packages, optional from snapshots', () => {
    const parsed = parsePnpmLockfile('pnpm-lock.yaml', fixtureText('lockfiles', 'pnpm-v9', 'pnpm-lock.yaml'));
    expect(parsed).toMatchObject({ format_version: '9.0', entry_count: 12, importer_dirs: ['', 'apps/api', 'apps/web', 'packages/shared'] });
    expect(find(parsed, 'express')).toMatchObject({ version: '4.19.2', patched: true });
    // An injected folder is local: listed, not locked; still located for drift checks.
    expect(parsed.packages.some((p) => p.name === 'fixtures-helper')).toBe(false);
    expect(parsed.local_packages).toContainEqual({ name: 'fixtures-helper', kind: 'file', locator: 'file:tools/fixtures-helper' });
    expect(find(parsed, 'fsevents').optional).toBe(true);
    expect(find(parsed, 'react').optional).toBeUndefined();
    expect(parsed.locate('apps/api', 'old-semver', 'npm:semver@^5.7.2')).toEqual([{ name: 'semver', version: '5.7.2' }]);
    expect(parsed.locate('apps/api', 'express', '^4.19.2')).toEqual([{ name: 'express', version: '4.19.2' }]);
    expect(parsed.locate('apps/api', 'fixtures-helper', 'file:../../tools/fixtures-helper')).toEqual([{ name: 'fixtures-helper', version: 'file:tools/fixtures-helper' }]);
    expect(parsed.locate('apps/web', 'react', 'catalog:')).toEqual([{ name: 'react', version: '18.3.1' }]);
    expect(parsed.locate('apps/web', 'react-dom', '^18.3.1')).toEqual([{ name: 'react-dom', version: '18.3.1' }]);
  });

  it('a multi-document file is read from its last document', () => {
    const parsed = parsePnpmLockfile('pnpm-lock.yaml', fixtureText('lockfiles', 'pnpm-v9-multidoc', 'pnpm-lock.yaml'));
    expect(parsed.issues).toEqual([]);
    expect(ids(parsed)).toEqual(['astro@5.7.10', 'sharp@0.34.1', 'typescript@5.8.3']);
    expect(find(parsed, 'sharp').optional).toBe(true);
    expect(parsed.locate('', 'astro', '^5.7.10')).toEqual([{ name: 'astro', version: '5.7.10' }]);
  });
});

describe('yarn.lock', () => {
  it('classic: multi-descriptor blocks, npm: aliases, git and file entries', () => {
    const parsed = parseYarnClassicLockfile('yarn.lock', fixtureText('lockfiles', 'yarn-classic', 'yarn.lock'));
    expect(parsed.issues).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'yarn-classic', format_version: 'v1', entry_count: 13, importer_dirs: [] });
    expect(find(parsed, 'string-width')).toMatchObject({ version: '4.2.3', aliases: ['string-width-cjs'] });
    expect(ids(parsed).filter((id) => id.startsWith('debug@'))).toEqual(['debug@4.3.4']);
    expect(find(parsed, 'left-pad')).toMatchObject({ version: '1.3.0', source: 'git' });
    expect(parsed.packages.some((p) => p.name === 'local-utils')).toBe(false);
    expect(parsed.local_packages).toEqual([{ name: 'local-utils', kind: 'file', locator: 'file:./vendor/local-utils' }]);
    expect(find(parsed, 'koa').resolved).toMatch(/^https:\/\/registry\.yarnpkg\.com\/koa\/-\/koa-2\.15\.3\.tgz#[0-9a-f]{40}$/);
    expect(parsed.locate('', 'string-width-cjs', 'npm:string-width@^4.2.0')).toEqual([{ name: 'string-width', version: '4.2.3' }]);
    // A specifier not in the lockfile falls back to every locked version of the name.
    expect(parsed.locate('', 'koa', '^3.0.0')).toEqual([{ name: 'koa', version: '2.15.3' }]);
    expect(parsed.locate('', 'express', '^4.0.0')).toEqual([]);
  });

  it('berry (metadata 8): workspaces are importers and local, a patch: entry folds into its package, checksums kept', () => {
    const parsed = parseYarnBerryLockfile('yarn.lock', fixtureText('lockfiles', 'yarn-berry', 'yarn.lock'));
    expect(parsed.issues).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'yarn-berry', format_version: 8, entry_count: 9, importer_dirs: ['', 'packages/worker'] });
    expect(ids(parsed)).toEqual([
      'bindings@1.5.0',
      'fast-json-stringify@5.16.0',
      'fastify@4.27.0',
      'fsevents@2.3.3+patch',
      'lodash@3.10.1',
      'sqlite3@5.1.7',
      'typescript@5.4.5+patch',
    ]);
    // entry_count keeps the format's own entries (patch: entries included, as the corpus counts them).
    expect(parsed.local_packages).toEqual([
      { name: '@ingest/worker', kind: 'workspace', locator: 'workspace:packages/worker' },
      { name: 'ingest', kind: 'workspace', locator: 'workspace:.' },
    ]);
    expect(find(parsed, 'fsevents')).toMatchObject({ platform_specific: true, resolved: 'fsevents@npm:2.3.3' });
    expect(find(parsed, 'lodash')).toMatchObject({ aliases: ['lodash-legacy'], integrity: expect.stringMatching(/^10c0\/[0-9a-f]{128}$/) });
    expect(parsed.locate('packages/worker', 'lodash-legacy', 'npm:lodash@^3.10.1')).toEqual([{ name: 'lodash', version: '3.10.1' }]);
    expect(parsed.locate('packages/worker', 'fastify', '^4.27.0')).toEqual([{ name: 'fastify', version: '4.27.0' }]);
    expect(parsed.locate('', 'typescript', '5.4.5')).toEqual([{ name: 'typescript', version: '5.4.5' }]);
  });

  it('berry (metadata 6): bare descriptors in workspace dependencies', () => {
    const parsed = parseLockfile('yarn.lock', fixtureText('lockfiles', 'yarn-berry-v6', 'yarn.lock'))!;
    expect(parsed).toMatchObject({ kind: 'yarn-berry', format_version: 6, entry_count: 3 });
    expect(parsed.locate('', 'hono', '^4.3.11')).toEqual([{ name: 'hono', version: '4.3.11' }]);
  });

  it('the v1 header decides between classic and berry', () => {
    expect(parseLockfile('a/yarn.lock', fixtureText('lockfiles', 'yarn-classic', 'yarn.lock'))!.kind).toBe('yarn-classic');
    expect(parseLockfile('a/yarn.lock', fixtureText('lockfiles', 'yarn-berry', 'yarn.lock'))!.kind).toBe('yarn-berry');
  });
});

describe('bun.lock', () => {
  it('JSONC with trailing commas; nested install paths, aliases, git, workspaces', () => {
    const parsed = parseBunLockfile('bun.lock', fixtureText('lockfiles', 'bun', 'bun.lock'));
    expect(parsed.issues).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'bun', format_version: 1, entry_count: 17, importer_dirs: ['', 'packages/api'] });
    expect(ids(parsed).filter((id) => id.startsWith('chalk@'))).toEqual(['chalk@4.1.2', 'chalk@5.3.0']);
    expect(find(parsed, 'strip-ansi')).toMatchObject({ aliases: ['strip-ansi-cjs'] });
    expect(find(parsed, 'tiny-router')).toMatchObject({ source: 'git' });
    expect(parsed.locate('packages/api', 'chalk', '^5.3.0')).toEqual([{ name: 'chalk', version: '5.3.0' }]);
    expect(parsed.locate('', 'chalk', '^4.1.2')).toEqual([{ name: 'chalk', version: '4.1.2' }]);
    expect(parsed.locate('packages/api', 'hono', '^4.5.1')).toEqual([{ name: 'hono', version: '4.5.1' }]);
  });
});

describe('parser options meant for tests agree with the default paths', () => {
  it('npm: streamed and whole-document reads give the same inventory', () => {
    for (const fixture of ['npm-v1', 'npm-v2', 'npm-v3']) {
      const text = fixtureText('lockfiles', fixture, 'package-lock.json');
      const a = parseNpmLockfile('package-lock.json', text);
      const b = parseNpmLockfile('package-lock.json', text, { streamed: false });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });

  it('pnpm: sectioned (tiny chunks) and whole-document reads give the same inventory', () => {
    for (const fixture of ['pnpm-v5', 'pnpm-v6', 'pnpm-v9', 'pnpm-v9-multidoc']) {
      const text = fixtureText('lockfiles', fixture, 'pnpm-lock.yaml');
      const a = parsePnpmLockfile('pnpm-lock.yaml', text, { chunkEntries: 2 });
      const b = parsePnpmLockfile('pnpm-lock.yaml', text, { sectioned: false });
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      expect(a.packages.length).toBeGreaterThan(2);
    }
  });
});
