/**
 * The probe registry (ADR-0003): registration is pure data. A probe folder's `index` calls
 * `registerProbe({...})`; `loadProbes()` discovers every folder under `probes/` (plus the
 * operator-controlled `CODEGENIE_PROBE_PATH`), so adding a probe is one new folder and nothing else.
 * Probe bodies load lazily inside `run`, so reading the registry (on every Nx graph computation)
 * costs only the small registration modules.
 */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Heaviness, ProbeDefinition } from './probe-api';

export type RegisteredProbe = Required<Pick<ProbeDefinition, 'heaviness' | 'runsLast' | 'usesFileIndex' | 'repoOnly'>> &
  ProbeDefinition & {
    /** Absolute path of the folder the probe was loaded from (worker threads re-load it from there). */
    folder: string;
  };

const PROBE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const HEAVINESS: readonly Heaviness[] = ['light', 'medium', 'heavy'];
/** Names the coordinator owns: the file index is its own target, gather merges. */
const RESERVED = new Set(['file-index', 'gather']);

const registered = new Map<string, RegisteredProbe>();
let loadingFolder: string | undefined;

export function registerProbe(def: ProbeDefinition): ProbeDefinition {
  if (!PROBE_NAME.test(def.name) || RESERVED.has(def.name)) {
    throw new Error(`codegenie: invalid probe name ${JSON.stringify(def.name)} (kebab-case, not ${[...RESERVED].join('/')})`);
  }
  if (typeof def.version !== 'string' || def.version.length === 0) {
    throw new Error(`codegenie: probe ${def.name} needs a non-empty string version`);
  }
  if (!Array.isArray(def.inputs) || (def.inputs.length === 0 && !def.usesFileIndex && !def.runsLast)) {
    throw new Error(`codegenie: probe ${def.name} declares no inputs`);
  }
  if (def.heaviness !== undefined && !HEAVINESS.includes(def.heaviness)) {
    throw new Error(`codegenie: probe ${def.name} has unknown heaviness ${String(def.heaviness)}`);
  }
  const previous = registered.get(def.name);
  if (previous && previous.folder !== loadingFolder) {
    throw new Error(`codegenie: probe ${def.name} is registered twice (${previous.folder} and ${loadingFolder})`);
  }
  registered.set(def.name, {
    heaviness: 'light',
    runsLast: false,
    usesFileIndex: false,
    repoOnly: false,
    ...def,
    folder: loadingFolder ?? '',
  });
  return def;
}

/** Folders that hold probe folders: the built-in one, then `CODEGENIE_PROBE_PATH` entries. */
export function probeRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const builtIn = join(__dirname, '..', 'probes');
  const extra = (env.CODEGENIE_PROBE_PATH ?? '').split(delimiter).filter(Boolean).map((p) => resolve(p));
  return [builtIn, ...extra];
}

function probeEntry(folder: string): string | undefined {
  // Built JS first (an installed package); `.ts` when running from source under vitest.
  for (const file of ['index.js', 'index.ts']) {
    const candidate = join(folder, file);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Loads every probe once per process and returns them sorted by name. */
export function loadProbes(env: NodeJS.ProcessEnv = process.env): RegisteredProbe[] {
  for (const root of probeRoots(env)) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = join(root, entry.name);
      const file = probeEntry(folder);
      if (!file) continue;
      loadingFolder = folder;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(file) as { default?: ProbeDefinition } & Partial<ProbeDefinition>;
        // A probe outside this package may export its registration as plain data instead of
        // calling registerProbe (it may not be able to resolve `codegenie` from where it lives).
        if (![...registered.values()].some((p) => p.folder === folder)) registerProbe(mod.default ?? (mod as ProbeDefinition));
      } finally {
        loadingFolder = undefined;
      }
    }
  }
  return [...registered.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function getProbe(name: string, env: NodeJS.ProcessEnv = process.env): RegisteredProbe {
  const probe = loadProbes(env).find((p) => p.name === name);
  if (!probe) throw new Error(`codegenie: no probe named ${JSON.stringify(name)} is registered`);
  return probe;
}
