import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import probe from './index';
import manifest from '../manifest';
import { toEnvelope } from '../../tools/envelope';
import { AdvisoryStore } from '../../tools/advisories/store';
import { fixtureFolders, fixtureTree, runProbeInMemory, sliceValidator } from '../../tools/testing';
import { storeFingerprint } from './fingerprint';

const ROOT = join(__dirname, '..', '..', 'fixtures', 'advisories');
const GHSA = join(ROOT, 'ghsa');
let previousHome: string | undefined;
let stateDir: string;

beforeAll(() => {
  previousHome = process.env.CODEGENIE_HOME;
  stateDir = mkdtempSync(join(tmpdir(), 'cg-vuln-'));
  process.env.CODEGENIE_HOME = stateDir;
  const store = new AdvisoryStore(stateDir);
  store.importRecords(readdirSync(GHSA).map((f) => ({ source: f, json: JSON.parse(readFileSync(join(GHSA, f), 'utf8')) })), new Date('2026-01-01T00:00:00Z'));
  store.save();
});
afterAll(() => {
  if (previousHome === undefined) delete process.env.CODEGENIE_HOME;
  else process.env.CODEGENIE_HOME = previousHome;
});

async function vulnerabilitiesOf(tree: Record<string, string | Buffer>) {
  const sibling = toEnvelope(manifest, await runProbeInMemory(manifest, tree));
  return runProbeInMemory(probe, {}, { siblings: [sibling] });
}

// Every fixture locks the same four packages (see fixtures/advisories/lockfiles/): `hoek-alias`
// installs @hapi/hoek@9.0.2 through an `npm:` alias (GHSA-22h7: introduced 9.0.0, fixed 9.0.3),
// handlebars@4.5.1 is a dev dependency (GHSA-2cf5: introduced 4.0.0, fixed 4.5.2; in yarn berry
// it is also a `patch:` entry), codify@0.3.1 is in GHSA-2q6w's explicit `versions`, and
// jquery@1.9.1 is past GHSA-2pqj's fix (1.9.0), so it is not hit.

describe('vulnerabilities probe on every lockfile format', () => {
  const formats = fixtureFolders(join(ROOT, 'lockfiles'));
  it('has one fixture per format the manifest probe reads', () => {
    expect(formats).toEqual(['bun', 'npm-shrinkwrap', 'npm-v1', 'npm-v2', 'npm-v3', 'pnpm-v5', 'pnpm-v6', 'pnpm-v9', 'pnpm-v9-multidoc', 'yarn-berry', 'yarn-classic']);
  });

  it.each(formats)('%s: the aliased, dev and versions-list packages are hit under their real names', async (format) => {
    const result = await vulnerabilitiesOf(fixtureTree(join(ROOT, 'lockfiles', format)));
    const slice = result.slice as { vulnerabilities: Array<Record<string, unknown>>; counts: Record<string, unknown> };
    expect(sliceValidator('vulnerabilities')(slice)).toEqual([]);
    const rows = slice.vulnerabilities.map((v) => `${v.id} ${v.package}@${v.version}${v.patched ? '#patched' : ''}`);
    const expected = ['GHSA-2q6w-rxf3-4wc9 codify@0.3.1', 'GHSA-2cf5-4w76-r9qv handlebars@4.5.1', 'GHSA-22h7-7wwg-qmgg @hapi/hoek@9.0.2'];
    // A patched copy and the plain copy of one name@version are one package (issue 16): one row, marked patched.
    if (format === 'yarn-berry') expected.splice(1, 1, 'GHSA-2cf5-4w76-r9qv handlebars@4.5.1#patched');
    expect(rows).toEqual(expected);
    const hoek = slice.vulnerabilities.find((v) => v.package === '@hapi/hoek')!;
    expect(hoek).toMatchObject({ fixed_versions: ['9.0.3'], fix_available: true, severity: 'low', direct: true });
    // pnpm records the alias by the dependency key only; the others keep the installed name.
    if (!format.startsWith('pnpm')) expect(hoek.installed_as).toEqual(['hoek-alias']);
    const handlebars = slice.vulnerabilities.find((v) => v.package === 'handlebars')!;
    // Recorded by npm and pnpm 5/6, derived by reachability for pnpm 9, yarn and bun: known everywhere.
    expect(handlebars.dev_only).toBe(true);
    expect(slice.vulnerabilities.find((v) => v.package === 'codify')).toMatchObject({ severity: 'critical', cvss_score: 9.8, fix_available: false });
    expect(slice.counts).toMatchObject({ advisories: 3, fixable: slice.vulnerabilities.length - 1 });
  });

  it('is empty, with a warning, when the store is empty, and the fingerprint follows the store', async () => {
    const before = storeFingerprint();
    const other = mkdtempSync(join(tmpdir(), 'cg-vuln-empty-'));
    process.env.CODEGENIE_HOME = other;
    try {
      expect(storeFingerprint()).toBe('no-store');
      const result = await vulnerabilitiesOf(fixtureTree(join(ROOT, 'lockfiles', 'npm-v3')));
      expect(result.slice).toMatchObject({ vulnerabilities: [], store: { advisories: 0 } });
      expect(result.warnings?.map((w) => w.code)).toEqual(['no-advisories']);
    } finally {
      process.env.CODEGENIE_HOME = stateDir;
    }
    expect(storeFingerprint()).toBe(before);
    expect(before).toMatch(/^[0-9a-f]{16}$/);
  });

  it('merges a CVE record and the GHSA record it aliases into one fact', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cg-vuln-alias-'));
    const store = new AdvisoryStore(other);
    const ghsa = JSON.parse(readFileSync(join(GHSA, 'GHSA-22h7-7wwg-qmgg.json'), 'utf8'));
    const cve = { id: 'CVE-2099-0001', modified: '2024-01-01T00:00:00Z', aliases: ['GHSA-22h7-7wwg-qmgg'], affected: [{ package: { ecosystem: 'npm', name: '@hapi/hoek' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '9.0.0' }, { fixed: '9.0.4' }] }] }] };
    store.importRecords([{ source: 'g', json: ghsa }, { source: 'c', json: cve }], new Date('2026-01-01T00:00:00Z'));
    store.save();
    process.env.CODEGENIE_HOME = other;
    try {
      const result = await vulnerabilitiesOf(fixtureTree(join(ROOT, 'lockfiles', 'npm-v3')));
      const facts = (result.slice as { vulnerabilities: Array<Record<string, unknown>> }).vulnerabilities;
      expect(facts).toHaveLength(1);
      expect(facts[0]).toMatchObject({ id: 'GHSA-22h7-7wwg-qmgg', aliases: ['CVE-2099-0001'], fixed_versions: ['9.0.3', '9.0.4'] });
    } finally {
      process.env.CODEGENIE_HOME = stateDir;
    }
  });
});
