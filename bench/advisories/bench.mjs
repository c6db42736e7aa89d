// Advisory matching and `advisories affected` timings (run by hand after `npm run build`):
//   node bench/advisories/bench.mjs [--runs 20] [--seed 7]
// Synthetic, shaped like the GitHub Advisory Database: 20,000 npm advisories over 12,000 package
// names, 1-3 affected entries each; ranges introduced/fixed (one or two pairs), introduced "0",
// last_affected, 5% "every version" (malware), pre-releases, 10% explicit versions lists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { AdvisoryIndex } = require('../../dist/tools/advisories/match.js');
const { AdvisoryStore } = require('../../dist/tools/advisories/store.js');
const { matchManifestSlice } = require('../../dist/tools/advisories/inventory-match.js');

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, seed: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);
let state = Number(values.seed) >>> 0;
const rand = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const pick = (n) => Math.floor(rand() * n);
const ver = () => `${pick(12)}.${pick(20)}.${pick(30)}${rand() < 0.05 ? `-beta.${pick(4)}` : ''}`;
// Advisory names: 12,000 packages, mildly skewed (popular packages collect more advisories).
// Inventory names: drawn from a 40,000-name universe that contains those 12,000.
const name = (i) => (i % 7 === 0 ? `@scope${i % 50}/pkg-${i}` : `pkg-${i}`);
const advisoryName = () => name(Math.floor(12000 * rand() ** 1.5));
const inventoryName = () => name(pick(40000));

function advisory(i, modified) {
  const affected = Array.from({ length: 1 + pick(3) }, () => {
    const shape = rand() < 0.05 ? 3 : pick(3);
    const events =
      shape === 0 ? [{ introduced: '0' }, { fixed: ver() }] : shape === 1 ? [{ introduced: ver() }, { last_affected: ver() }] : shape === 2 ? [{ introduced: ver() }, { fixed: ver() }, { introduced: ver() }, { fixed: ver() }] : [{ introduced: '0' }];
    const entry = { package: { ecosystem: 'npm', name: advisoryName() }, ranges: [{ type: rand() < 0.5 ? 'ECOSYSTEM' : 'SEMVER', events }] };
    if (rand() < 0.1) entry.versions = [ver(), ver()];
    return entry;
  });
  return { id: `GHSA-bench-${i}`, modified, aliases: [`CVE-2099-${i}`], severity: [], database_specific: { severity: 'HIGH' }, affected };
}

function inventory(size) {
  const packages = [];
  for (let i = 0; i < size; i++) packages.push({ name: inventoryName(), version: ver(), source: 'registry' });
  return packages;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms (${s.length} runs)`;
}

const dir = mkdtempSync(join(tmpdir(), 'cg-adv-bench-'));
try {
  const store = new AdvisoryStore(dir);
  store.importRecords(Array.from({ length: 20000 }, (_, i) => ({ source: 'b', json: advisory(i, '2026-01-01T00:00:00Z') })), new Date('2026-01-01T00:00:00Z'));
  store.save();
  const slice = { lockfiles: [{ path: 'package-lock.json', flags_recorded: ['dev'], packages: inventory(3000) }] };

  const load = [], build = [], match = [];
  let hits = 0;
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    const reopened = new AdvisoryStore(dir);
    load.push(performance.now() - t);
    t = performance.now();
    const index = new AdvisoryIndex(reopened.all());
    build.push(performance.now() - t);
    t = performance.now();
    hits = matchManifestSlice(slice, index).length;
    match.push(performance.now() - t);
  }
  console.log(`match 20,000 advisories x 3,000 locked packages (${hits} hits):`);
  console.log(`  load store          ${stats(load)}`);
  console.log(`  build name index    ${stats(build)}`);
  console.log(`  match inventory     ${stats(match)}`);
  console.log(`  index + match       ${stats(build.map((b, i) => b + match[i]))}`);

  for (let i = 0; i < 1000; i++) store.registerInventory(`/repos/r${i}`, inventory(300 + pick(700)), new Date('2026-01-01T00:00:00Z'));
  // 50 advisories modified in a later import: what a feed poll sees.
  store.importRecords(Array.from({ length: 50 }, (_, i) => ({ source: 'b', json: advisory(i * 400, '2026-02-01T00:00:00Z') })), new Date('2026-02-01T00:00:00Z'));
  const affected = [];
  let repos = 0;
  let t0 = performance.now();
  const coldStore = new AdvisoryStore(dir);
  const cold = { load: performance.now() - t0 };
  store.save();
  t0 = performance.now();
  const fresh = new AdvisoryStore(dir);
  cold.load = performance.now() - t0;
  t0 = performance.now();
  fresh.affectedRepositories(new Date('2026-01-15T00:00:00Z'));
  cold.first = performance.now() - t0;
  void coldStore;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    repos = store.affectedRepositories(new Date('2026-01-15T00:00:00Z')).length;
    affected.push(performance.now() - t);
  }
  console.log(`affected --since over 1,000 registered inventories, 50 changed advisories (${repos} repositories hit):`);
  console.log(`  affected (warm: name index built)  ${stats(affected)}`);
  console.log(`  cold: open store ${cold.load.toFixed(1)} ms, first affected (builds the name index) ${cold.first.toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
