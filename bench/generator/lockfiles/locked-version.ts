/** Which version a lockfile locked for one direct dependency: what a bump starts from. */
import { parseSyml } from '@yarnpkg/parsers';
import JSON5 from 'json5';
import { parse } from 'yaml';
import type { PackageManager } from './types';

export function detectPackageManager(files: { has(path: string): boolean; read(path: string): string }): PackageManager | null {
  if (files.has('pnpm-lock.yaml')) return 'pnpm';
  if (files.has('bun.lock')) return 'bun';
  if (files.has('package-lock.json')) return 'npm';
  if (files.has('yarn.lock')) return /^__metadata:/m.test(files.read('yarn.lock')) ? 'yarn-berry' : 'yarn-classic';
  return null;
}

export function lockedVersion(pm: PackageManager, text: string, importerPath: string, name: string, range: string): string | null {
  switch (pm) {
    case 'npm': {
      const doc = JSON.parse(text) as { packages: Record<string, { version?: string }> };
      return doc.packages[`node_modules/${name}`]?.version ?? null;
    }
    case 'bun': {
      const doc = JSON5.parse(text) as { packages: Record<string, string[]> };
      const entry = doc.packages[name];
      return entry ? entry[0].slice(entry[0].lastIndexOf('@') + 1) : null;
    }
    case 'pnpm': {
      const doc = parse(text) as { importers: Record<string, Record<string, Record<string, { version: string }>>> };
      const importer = doc.importers[importerPath === '' ? '.' : importerPath] ?? {};
      const dep = importer.dependencies?.[name] ?? importer.devDependencies?.[name];
      return dep ? dep.version.replace(/\(.*$/, '') : null;
    }
    case 'yarn-classic':
    case 'yarn-berry': {
      const doc = parseSyml(text) as Record<string, { version?: string }>;
      const wanted = pm === 'yarn-berry' ? `${name}@npm:${range}` : `${name}@${range}`;
      for (const [key, entry] of Object.entries(doc)) {
        if (key.split(/,\s*/).includes(wanted)) return entry.version ?? null;
      }
      return null;
    }
  }
}
