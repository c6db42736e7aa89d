/**
 * The changes a churn trace is made of, applied to a generated repository on disk, and the trace
 * itself: a seeded sequence with the mix real repositories show (mostly source edits, some
 * dependency bumps, a few CI/Docker/file additions and removals).
 *
 * Each change touches exactly the files it names — one source file, one workflow, the Dockerfile,
 * one added or removed file, or a manifest plus its lockfile — so a benchmark can check that only
 * the probes whose inputs those files match re-ran.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as semver from 'semver';
import { NODE_BUILDER_TAGS } from './configs';
import { integrityFor } from './dependency-graph';
import { bumpLockfile, LOCKFILE_NAMES } from './lockfiles';
import { detectPackageManager, lockedVersion } from './lockfiles/locked-version';
import { formatVersion, parseVersion } from './package-names';
import { Rng } from './prng';
import { utilModule } from './sources/infra-templates';
import { listFiles } from './write-tree';

export type ChangeKind = 'edit-source' | 'bump-dependency' | 'edit-workflow' | 'edit-dockerfile' | 'add-file' | 'remove-file';

export const CHANGE_KINDS: readonly ChangeKind[] = ['edit-source', 'bump-dependency', 'edit-workflow', 'edit-dockerfile', 'add-file', 'remove-file'];

export interface ChangeResult {
  kind: ChangeKind;
  /** One line, usable as a commit message. */
  description: string;
  /** Paths added, modified or removed, sorted. */
  touched: string[];
}

const TEST_FILE = /\.(test|spec)\.[cm]?[jt]s$/;
const SOURCE_FILE = /\.[cm]?[jt]s$/;

function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

function write(dir: string, path: string, content: string): void {
  writeFileSync(join(dir, path), content);
}

function isProductionSource(path: string): boolean {
  return SOURCE_FILE.test(path) && !TEST_FILE.test(path) && (path.startsWith('src/') || /^(apps|packages)\/[^/]+\/src\//.test(path));
}

const HTTP_STATUS = new Set([200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504]);

/** A number in a function body worth retuning: indented code, not in a string, not a status code. */
function tunableNumbers(line: string): Array<{ index: number; value: number }> {
  if (!/^ {4,}\S/.test(line) || /^\s*(import|export|\/\/|\*)/.test(line) || /status\(|toBe\(|statusCode/.test(line)) return [];
  const withoutStrings = line.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (m) => ' '.repeat(m.length));
  const out: Array<{ index: number; value: number }> = [];
  for (const match of withoutStrings.matchAll(/(?<![\w.$])(\d+)(?![\w.])/g)) {
    const value = Number(match[1]);
    if (value >= 2 && value <= 10_000_000 && !HTTP_STATUS.has(value)) out.push({ index: match.index!, value });
  }
  return out;
}

function editSource(dir: string, rng: Rng): ChangeResult {
  const candidates = listFiles(dir).filter(isProductionSource);
  for (const path of rng.shuffle(candidates)) {
    const lines = read(dir, path).split('\n');
    const spots = lines.flatMap((line, i) => tunableNumbers(line).map((n) => ({ line: i, ...n })));
    if (spots.length === 0) continue;
    const spot = rng.pick(spots);
    const delta = Math.max(1, Math.round(spot.value * rng.pick([0.1, 0.2, 0.25, 0.5])));
    const next = rng.chance(0.5) || spot.value - delta < 2 ? spot.value + delta : spot.value - delta;
    const text = lines[spot.line];
    lines[spot.line] = text.slice(0, spot.index) + String(next) + text.slice(spot.index + String(spot.value).length);
    write(dir, path, lines.join('\n'));
    return { kind: 'edit-source', description: `edit-source: ${path}:${spot.line + 1} ${spot.value} -> ${next}`, touched: [path] };
  }
  throw new Error('edit-source: no source file with a tunable number');
}

interface ManifestDep {
  manifest: string;
  importerPath: string;
  importerName: string;
  field: 'dependencies' | 'devDependencies';
  name: string;
  range: string;
}

function bumpDependency(dir: string, rng: Rng): ChangeResult {
  const fileSet = new Set(listFiles(dir));
  const pm = detectPackageManager({ has: (p) => fileSet.has(p), read: (p) => read(dir, p) });
  if (!pm) throw new Error('bump-dependency: no lockfile');
  const lockPath = LOCKFILE_NAMES[pm];
  const lockText = read(dir, lockPath);
  const manifests = [...fileSet].filter((p) => p === 'package.json' || /^(apps|packages)\/[^/]+\/package\.json$/.test(p));
  const declared: ManifestDep[] = [];
  for (const manifest of manifests) {
    const pkg = JSON.parse(read(dir, manifest)) as Record<string, Record<string, string> | string>;
    for (const field of ['dependencies', 'devDependencies'] as const) {
      for (const [name, range] of Object.entries((pkg[field] as Record<string, string>) ?? {})) {
        if (!/^[\^~]?\d+\.\d+\.\d+$/.test(range)) continue; // workspace links and odd ranges are not bumped
        declared.push({ manifest, importerPath: manifest === 'package.json' ? '' : manifest.slice(0, -'/package.json'.length), importerName: String(pkg.name), field, name, range });
      }
    }
  }
  // vitest is pinned exactly as a peer of @vitest/coverage-v8: the two move together, so neither moves alone here.
  const pinnedPair = new Set(declared.some((d) => d.name === '@vitest/coverage-v8') ? ['vitest', '@vitest/coverage-v8'] : []);
  const choices = declared.filter((d) => !pinnedPair.has(d.name));
  for (const dep of rng.shuffle(choices)) {
    const oldVersion = lockedVersion(pm, lockText, dep.importerPath, dep.name, dep.range);
    if (!oldVersion) continue;
    const v = parseVersion(oldVersion);
    const patch = formatVersion({ ...v, patch: v.patch + rng.int(1, 3) });
    const minor = formatVersion({ major: v.major, minor: v.minor + 1, patch: 0 });
    // One lockfile serves every workspace: the new version must still satisfy the ranges other manifests declare.
    const others = declared.filter((d) => d !== dep && d.name === dep.name).map((d) => d.range);
    const fits = (version: string) => others.every((range) => semver.satisfies(version, range));
    const preferMinor = v.major > 0 && rng.chance(0.3);
    const newVersion = (preferMinor ? [minor, patch] : [patch]).find(fits);
    if (!newVersion) continue;
    const prefix = /^[\^~]/.test(dep.range) ? dep.range[0] : '';
    const newRange = `${prefix}${newVersion}`;
    const edit = { importerPath: dep.importerPath, name: dep.name, oldVersion, newVersion, oldRange: dep.range, newRange, newIntegrity: integrityFor(`bump/${String(rng.seed)}`, dep.name, newVersion) };
    const otherManifestsWantOld = declared.some((d) => d !== dep && d.name === dep.name && d.range === dep.range);

    const manifestText = read(dir, dep.manifest);
    const manifest = JSON.parse(manifestText) as Record<string, Record<string, string>>;
    manifest[dep.field][dep.name] = newRange;
    write(dir, dep.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    write(dir, lockPath, bumpLockfile(pm, lockText, edit, { importerName: dep.importerName, otherManifestsWantOld }));
    return {
      kind: 'bump-dependency',
      description: `bump-dependency: ${dep.name} ${oldVersion} -> ${newVersion} (${dep.manifest} ${dep.range} -> ${newRange})`,
      touched: [dep.manifest, lockPath].sort(),
    };
  }
  throw new Error('bump-dependency: nothing to bump');
}

function editWorkflow(dir: string, rng: Rng): ChangeResult {
  const workflows = listFiles(dir).filter((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p));
  if (workflows.length === 0) throw new Error('edit-workflow: no workflow');
  const path = rng.pick(workflows);
  const text = read(dir, path);
  const timeouts = [...text.matchAll(/timeout-minutes: (\d+)/g)];
  if (timeouts.length > 0 && rng.chance(0.6)) {
    const m = rng.pick(timeouts);
    const next = Number(m[1]) + rng.pick([-5, 5, 10]);
    const value = next < 5 ? Number(m[1]) + 5 : next;
    write(dir, path, text.slice(0, m.index!) + `timeout-minutes: ${value}` + text.slice(m.index! + m[0].length));
    return { kind: 'edit-workflow', description: `edit-workflow: ${path} timeout-minutes ${m[1]} -> ${value}`, touched: [path] };
  }
  const actions = [...text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@v(\d+)/g)];
  const m = rng.pick(actions);
  const next = Number(m[2]) + 1;
  write(dir, path, text.slice(0, m.index!) + `uses: ${m[1]}@v${next}` + text.slice(m.index! + m[0].length));
  return { kind: 'edit-workflow', description: `edit-workflow: ${path} ${m[1]} v${m[2]} -> v${next}`, touched: [path] };
}

function editDockerfile(dir: string, rng: Rng): ChangeResult {
  const path = 'Dockerfile';
  if (!existsSync(join(dir, path))) throw new Error('edit-dockerfile: no Dockerfile');
  const text = read(dir, path);
  const base = /FROM node:(\S+) AS builder/.exec(text);
  if (base && rng.chance(0.5)) {
    const next = rng.pick(NODE_BUILDER_TAGS.filter((t) => t !== base[1]));
    write(dir, path, text.replace(base[0], `FROM node:${next} AS builder`));
    return { kind: 'edit-dockerfile', description: `edit-dockerfile: builder node:${base[1]} -> node:${next}`, touched: [path] };
  }
  const heap = /--max-old-space-size=(\d+)/.exec(text);
  if (!heap) throw new Error('edit-dockerfile: nothing to edit');
  const next = Number(heap[1]) + rng.pick([64, 128, -64]);
  write(dir, path, text.replace(heap[0], `--max-old-space-size=${next}`));
  return { kind: 'edit-dockerfile', description: `edit-dockerfile: max-old-space-size ${heap[1]} -> ${next}`, touched: [path] };
}

function addFile(dir: string, rng: Rng): ChangeResult {
  const files = listFiles(dir);
  const fileSet = new Set(files);
  const roots = [...new Set(files.filter(isProductionSource).map((p) => (p.startsWith('src/') ? 'src/utils' : `${p.split('/').slice(0, 3).join('/')}`)))].sort();
  const folder = rng.pick(roots);
  const runner = fileSet.has('jest.config.js') ? 'jest' : 'vitest';
  for (let i = rng.int(0, 40); ; i++) {
    const [name, source] = utilModule(rng, i, runner);
    const path = `${folder}/${name}-extra-${i}.ts`;
    if (fileSet.has(path)) continue;
    write(dir, path, source);
    return { kind: 'add-file', description: `add-file: ${path}`, touched: [path] };
  }
}

function removeFile(dir: string, rng: Rng): ChangeResult {
  const tests = listFiles(dir).filter((p) => TEST_FILE.test(p));
  if (tests.length === 0) throw new Error('remove-file: no test file left');
  const path = rng.pick(tests);
  rmSync(join(dir, path));
  return { kind: 'remove-file', description: `remove-file: ${path}`, touched: [path] };
}

const APPLY: Record<ChangeKind, (dir: string, rng: Rng) => ChangeResult> = {
  'edit-source': editSource,
  'bump-dependency': bumpDependency,
  'edit-workflow': editWorkflow,
  'edit-dockerfile': editDockerfile,
  'add-file': addFile,
  'remove-file': removeFile,
};

export function applyChangeDetailed(dir: string, kind: ChangeKind, rng: Rng): ChangeResult {
  return APPLY[kind](dir, rng);
}

/** Applies one change of `kind` to the repository in `dir`; returns a one-line description. */
export function applyChange(dir: string, kind: ChangeKind, rng: Rng): string {
  return applyChangeDetailed(dir, kind, rng).description;
}

export interface ChurnStep {
  /** 1-based: commit `index` of the trace (the initial commit is 0). */
  index: number;
  kind: ChangeKind;
  /** The stream to pass to `applyChange` for this step. */
  rng: Rng;
}

/**
 * `length` steps with an exact 80 / 10 / 10 mix (source edits / dependency bumps / the rest,
 * split between workflow, Dockerfile, add and remove), shuffled by the seed.
 */
export function* churnTrace(seed: number | string, length: number): Generator<ChurnStep> {
  const rng = new Rng(`${String(seed)}/churn`);
  const sources = Math.round(length * 0.8);
  const bumps = Math.round(length * 0.1);
  const rest: ChangeKind[] = ['edit-workflow', 'edit-dockerfile', 'add-file', 'remove-file'];
  const bag: ChangeKind[] = [...Array<ChangeKind>(sources).fill('edit-source'), ...Array<ChangeKind>(bumps).fill('bump-dependency')];
  for (let i = 0; bag.length < length; i++) bag.push(rest[i % rest.length]);
  const order = rng.shuffle(bag.slice(0, length));
  for (let i = 0; i < order.length; i++) yield { index: i + 1, kind: order[i], rng: rng.fork(`step-${i + 1}`) };
}
