import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { satisfies } from 'semver';
import { zipSync } from 'fflate';
import { AdvisoryIndex, affectedIncludes, compileAffected } from '../../tools/advisories/match';
import { AdvisoryStore, affectedRepositories } from '../../tools/advisories/store';
import { readSource } from '../../tools/advisories/sources';
import { cvss3BaseScore, severityOf } from '../../tools/advisories/severity';
import { toStoredAdvisory } from '../../tools/advisories/osv';

const GHSA_DIR = join(__dirname, '..', '..', 'fixtures', 'advisories', 'ghsa');
const realRecords = () => readdirSync(GHSA_DIR).sort().map((f) => ({ source: f, json: JSON.parse(readFileSync(join(GHSA_DIR, f), 'utf8')) as Record<string, any> }));
const tempState = () => mkdtempSync(join(tmpdir(), 'cg-adv-'));
const T0 = new Date('2026-01-01T00:00:00Z');

function storeWithRealRecords(): AdvisoryStore {
  const store = new AdvisoryStore(tempState());
  store.importRecords(realRecords(), T0);
  return store;
}

describe('real GitHub Advisory Database records', () => {
  it('imports all 31 npm records (one also names Maven and NuGet packages, which are dropped)', () => {
    const store = new AdvisoryStore(tempState());
    const summary = store.importRecords(realRecords(), T0);
    expect(summary).toMatchObject({ added: 31, updated: 0, unchanged: 0, invalid: [] });
    expect(store.get('GHSA-2pqj-h3vj-pqgw')!.affected.map((a) => a.package.name)).toEqual(['jquery']);
  });

  // Each row worked out by hand from the record's events (see the record in fixtures/advisories/ghsa/).
  const cases: Array<[string, string, string[]]> = [
    // two affected entries for one package: introduced 8.3.2 fixed 8.5.1, introduced 9.0.0 fixed 9.0.3
    ['@hapi/hoek', '8.3.1', []],
    ['@hapi/hoek', '8.3.2', ['GHSA-22h7-7wwg-qmgg']],
    ['@hapi/hoek', '8.5.1', []],
    ['@hapi/hoek', '9.0.2', ['GHSA-22h7-7wwg-qmgg']],
    ['@hapi/hoek', '9.0.3', []],
    ['@hapi/hoek', '9.0.3-beta.1', ['GHSA-22h7-7wwg-qmgg']], // a pre-release sorts below its release
    // introduced "0" fixed 18.4.1, and introduced 19.0.0 fixed 19.1.1
    ['@hapi/hapi', '0.0.1', ['GHSA-23vw-mhv5-grv5']],
    ['@hapi/hapi', '18.4.1', []],
    ['@hapi/hapi', '18.9.9', []],
    ['@hapi/hapi', '19.0.0-rc.1', []], // below introduced 19.0.0 and above fixed 18.4.1
    ['@hapi/hapi', '19.1.0', ['GHSA-23vw-mhv5-grv5']],
    ['handlebars', '3.0.7', ['GHSA-2cf5-4w76-r9qv']],
    ['handlebars', '3.0.8', []],
    ['handlebars', '4.5.1', ['GHSA-2cf5-4w76-r9qv']],
    ['handlebars', '4.7.7', []],
    // introduced "0.0.0" with no closing event: every version
    ['wenluhong1', '0.0.0', ['GHSA-224h-p7p5-rh85']],
    ['wenluhong1', '99.1.0-alpha', ['GHSA-224h-p7p5-rh85']],
    // GitHub's `fixed: ""` means "no fix": still every version from 0.0.0
    ['cal_rd', '0.1.1', ['GHSA-226w-6hhj-69hp']],
    ['atlasboard-atlassian-package', '0.4.2', ['GHSA-25v4-mcx4-hh35']],
    // explicit versions only
    ['codify', '0.3.1', ['GHSA-2q6w-rxf3-4wc9']],
    ['codify', '0.3.2', []],
    // versions list plus range introduced 2.0.43 fixed 2.0.45
    ['another-date-picker', '2.0.42', []],
    ['another-date-picker', '2.0.44', ['GHSA-2p62-c4rm-mr72']],
    ['another-date-picker', '2.0.45', []],
    // events out of order (fixed 1.0.7 before introduced 1.0.8): OSV sorts them, so 1.0.8 and up are affected
    ['ember-power-timepicker', '1.0.7', []],
    ['ember-power-timepicker', '1.0.8', ['GHSA-28f8-hqmc-7ph8']],
    ['ember-power-timepicker', '1.0.9', ['GHSA-28f8-hqmc-7ph8']],
    ['jquery', '1.8.3', ['GHSA-2pqj-h3vj-pqgw']],
    ['jquery', '1.9.0', []],
    ['fury-adapter-swagger', '0.1.9', []],
    ['fury-adapter-swagger', '0.9.6', ['GHSA-2r7f-4h2c-5x73']],
    ['lodash.merge', '4.6.0', ['GHSA-2m96-9w4j-wgv7']],
    ['lodash.merge', '4.6.1', []],
    ['bin-links', '1.1.4', ['GHSA-2mj8-pj3j-h362']],
    ['swagger-ui', '2.2.1', []],
    ['@hapi/boom', '0.3.7', ['GHSA-2ggq-vfcp-gwhj']],
    ['nginxbeautifier', '1.0.15', []],
    ['requestt', 'file:../requestt', []], // not a SemVer version: never matched by range
    ['left-pad', '1.3.0', []],
  ];
  it.each(cases)('%s@%s → %j', (name, version, ids) => {
    expect(storeWithRealRecords().matcher().lookup(name, version).map((h) => h.advisory.id)).toEqual(ids);
  });

  it('reports the fixed versions of the entries that hit, and the severity from CVSS or the database', () => {
    const index = storeWithRealRecords().matcher();
    expect(index.lookup('@hapi/hoek', '9.0.1')[0].fixed).toEqual(['9.0.3']);
    expect(index.lookup('cal_rd', '1.0.0')[0].fixed).toEqual([]);
    const store = storeWithRealRecords();
    expect(severityOf(store.get('GHSA-2q6w-rxf3-4wc9')!)).toMatchObject({ level: 'critical', score: 9.8, source: 'cvss' });
    expect(severityOf(store.get('GHSA-2ggq-vfcp-gwhj')!)).toMatchObject({ level: 'medium', score: 6.5 });
    expect(severityOf(store.get('GHSA-2r7f-4h2c-5x73')!)).toMatchObject({ level: 'high', score: 7.3 });
    expect(severityOf(store.get('GHSA-224h-p7p5-rh85')!)).toMatchObject({ level: 'high', score: 7.5 });
    expect(severityOf(store.get('GHSA-22h7-7wwg-qmgg')!)).toEqual({ level: 'low', source: 'database' });
  });
});

describe('CVSS v3 base score', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.8],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', 5.4],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ])('%s = %d', (vector, score) => expect(cvss3BaseScore(vector)).toBe(score));
  it('rejects other versions and broken vectors', () => {
    expect(cvss3BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBeNull();
    expect(cvss3BaseScore('CVSS:3.1/AV:X')).toBeNull();
  });
});

describe('OSV range semantics against semver.satisfies', () => {
  const version = fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4), fc.option(fc.constantFrom('alpha', 'beta.1', 'rc.2'), { nil: undefined })).map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
  const entry = (events: Array<Record<string, string | undefined>>, type = 'SEMVER') => compileAffected({ package: { ecosystem: 'npm', name: 'p' }, ranges: [{ type, events: events as never }] });
  const opts = { includePrerelease: true };

  // With the closing event below the opening one OSV's sweep differs from an interval on purpose
  // (the range stays open: see ember-power-timepicker above), so the generated ranges are ordered.
  it('introduced/fixed is [introduced, fixed)', () => {
    fc.assert(
      fc.property(version, version, version, (lo, hi, v) => {
        fc.pre(satisfies(lo, `<=${hi}`, opts));
        const expected = satisfies(v, `>=${lo} <${hi}`, opts);
        expect(affectedIncludes(entry([{ introduced: lo }, { fixed: hi }]), v)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('introduced/last_affected is [introduced, last_affected]; introduced "0" is unbounded below', () => {
    fc.assert(
      fc.property(version, version, version, fc.boolean(), (lo, hi, v, zero) => {
        fc.pre(zero || satisfies(lo, `<=${hi}`, opts));
        const range = zero ? `<=${hi}` : `>=${lo} <=${hi}`;
        expect(affectedIncludes(entry([{ introduced: zero ? '0' : lo }, { last_affected: hi }], 'ECOSYSTEM'), v)).toBe(satisfies(v, range, opts));
      }),
      { numRuns: 2000 },
    );
  });

  it('several introduced/fixed pairs in one range are their union; limit caps it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(version, { minLength: 4, maxLength: 4 }), version, version, (bounds, limit, v) => {
        const [a, b, c, d] = [...bounds].sort((x, y) => (satisfies(x, `<${y}`, opts) ? -1 : satisfies(y, `<${x}`, opts) ? 1 : 0));
        const events = [{ introduced: c }, { fixed: d }, { introduced: a }, { fixed: b }, { limit }];
        const expected = satisfies(v, `>=${a} <${b} || >=${c} <${d}`, opts) && satisfies(v, `<${limit}`, opts);
        expect(affectedIncludes(entry(events), v)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores GIT ranges and never throws on arbitrary event strings', () => {
    expect(affectedIncludes(entry([{ introduced: '0' }], 'GIT'), '1.0.0')).toBe(false);
    fc.assert(
      fc.property(fc.array(fc.record({ k: fc.constantFrom('introduced', 'fixed', 'last_affected', 'limit'), v: fc.string() })), fc.string(), (evs, v) => {
        affectedIncludes(entry(evs.map((e) => ({ [e.k]: e.v }))), v);
      }),
    );
  });
});

describe('the store', () => {
  const record = (id: string, modified: string, extra: Record<string, unknown> = {}) => ({
    id,
    modified,
    affected: [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
    ...extra,
  });

  it('re-imports incrementally by `modified`, honours withdrawn, and survives a reload', () => {
    const dir = tempState();
    const store = new AdvisoryStore(dir);
    expect(store.importRecords([{ source: 'a', json: record('GHSA-aaaa-aaaa-aaaa', '2024-01-01T00:00:00Z') }], T0)).toMatchObject({ added: 1 });
    const first = store.contentHash();
    expect(store.importRecords([{ source: 'a', json: record('GHSA-aaaa-aaaa-aaaa', '2023-12-01T00:00:00Z', { withdrawn: '2023-12-01T00:00:00Z' }) }], T0)).toMatchObject({ unchanged: 1 });
    expect(store.contentHash()).toBe(first);
    expect(store.matcher().lookup('pkg', '1.0.0')).toHaveLength(1);
    expect(store.importRecords([{ source: 'a', json: record('GHSA-aaaa-aaaa-aaaa', '2024-02-01T00:00:00Z', { withdrawn: '2024-02-01T00:00:00Z' }) }], T0)).toMatchObject({ updated: 1, withdrawn: 1 });
    expect(store.contentHash()).not.toBe(first);
    expect(store.matcher().lookup('pkg', '1.0.0')).toEqual([]);
    store.save();
    const reopened = new AdvisoryStore(dir);
    expect(reopened.get('GHSA-aaaa-aaaa-aaaa')!.withdrawn).toBe('2024-02-01T00:00:00Z');
    expect(reopened.contentHash()).toBe(store.contentHash());
  });

  it('reports invalid records and drops non-npm ones', () => {
    const store = new AdvisoryStore(tempState());
    const s = store.importRecords(
      [
        { source: 'x', json: { modified: '2024-01-01T00:00:00Z' } },
        { source: 'y', json: { id: 'PYSEC-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' } }] } },
        { source: 'z', json: 42 },
      ],
      T0,
    );
    expect(s.invalid.map((i) => i.source)).toEqual(['x', 'z']);
    expect(s.not_npm).toBe(1);
    expect(toStoredAdvisory({ id: 'A', modified: 'not a date' }).ok).toBe(false);
  });

  it('reads a directory, a zip export and a JSON file the same way', async () => {
    const dir = tempState();
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(GHSA_DIR)) files[f] = readFileSync(join(GHSA_DIR, f));
    writeFileSync(join(dir, 'all.zip'), zipSync(files));
    const fromZip = await readSource(join(dir, 'all.zip'));
    const fromDir = await readSource(GHSA_DIR);
    expect(fromZip.map((r) => r.json)).toEqual(fromDir.map((r) => r.json));
    expect(fromDir).toHaveLength(31);
    expect(await readSource(join(GHSA_DIR, 'GHSA-2q6w-rxf3-4wc9.json'))).toHaveLength(1);
    writeFileSync(join(dir, 'broken.json'), '{ "id": ');
    const broken = await readSource(join(dir, 'broken.json'));
    expect(new AdvisoryStore(tempState()).importRecords(broken, T0).invalid[0].message).toMatch(/^not JSON/);
  });

  it('reads a zip export or a JSON file from an http URL, and says why when the server fails it', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(GHSA_DIR)) files[f] = readFileSync(join(GHSA_DIR, f));
    const zip = zipSync(files);
    const one = readFileSync(join(GHSA_DIR, 'GHSA-2q6w-rxf3-4wc9.json'));
    const server = createServer((req, res) => {
      if (req.url === '/all.zip') res.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
      else if (req.url === '/one.json') res.writeHead(200, { 'content-type': 'application/json' }).end(one);
      else if (req.url === '/stall') res.writeHead(200).write('{');
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const fromUrl = await readSource(`${base}/all.zip`);
      expect(fromUrl.map((r) => r.json)).toEqual((await readSource(GHSA_DIR)).map((r) => r.json));
      expect((await readSource(`${base}/one.json`)).map((r) => (r.json as { id: string }).id)).toEqual(['GHSA-2q6w-rxf3-4wc9']);
      await expect(readSource(`${base}/missing.zip`)).rejects.toThrow(/missing\.zip: HTTP 404/);
      await expect(readSource(`${base}/stall`, 300)).rejects.toThrow(/stall/);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
    // Nothing listens on port 9 of loopback: a clear one-line error, not a stack of undici internals.
    await expect(readSource('http://127.0.0.1:9/all.zip')).rejects.toThrow(/^http:\/\/127\.0\.0\.1:9\/all\.zip: /);
  });

  it('lists the registered repositories an advisory imported since a time hits, from the name index', async () => {
    const dir = tempState();
    const store = new AdvisoryStore(dir);
    store.importRecords(realRecords(), T0);
    store.registerInventory('/repos/a', [{ name: 'handlebars', version: '4.5.1' }, { name: 'jquery', version: '3.0.0' }], T0);
    store.registerInventory('/repos/b', [{ name: 'jquery', version: '1.8.3' }, { name: 'jquery', version: '3.0.0' }], T0);
    store.registerInventory('/repos/c', [{ name: 'left-pad', version: '1.3.0' }], T0);
    store.save();
    expect(await affectedRepositories(dir, '2025-12-31T00:00:00Z')).toEqual([
      { repository: '/repos/a', advisories: ['GHSA-2cf5-4w76-r9qv'] },
      { repository: '/repos/b', advisories: ['GHSA-2pqj-h3vj-pqgw'] },
    ]);
    expect(await affectedRepositories(dir, '2026-01-02T00:00:00Z')).toEqual([]);
    // A later import of one modified record: only that record counts as new.
    const later = new Date('2026-02-01T00:00:00Z');
    const jquery = realRecords().find((r) => r.json.id === 'GHSA-2pqj-h3vj-pqgw')!.json;
    store.importRecords([{ source: 'j', json: { ...jquery, modified: '2026-01-15T00:00:00Z' } }], later);
    expect(await affectedRepositories(store, later)).toEqual([{ repository: '/repos/b', advisories: ['GHSA-2pqj-h3vj-pqgw'] }]);
    await expect(affectedRepositories(store, 'yesterday')).rejects.toThrow(/invalid time/);
  });

  it('keeps a CVE record and its GHSA record apart in the store; matching sees both (the probe merges them)', () => {
    const stored = (json: unknown) => {
      const r = toStoredAdvisory(json);
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    const ghsa = stored(realRecords().find((r) => r.json.id === 'GHSA-25jw-gcfj-283j')!.json);
    const cve = stored({ id: 'CVE-2017-16186', modified: '2024-01-01T00:00:00Z', aliases: ['GHSA-25jw-gcfj-283j'], affected: [{ package: { ecosystem: 'npm', name: '360class.jansenhm' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] });
    const index = new AdvisoryIndex([ghsa, cve]);
    expect(index.lookup('360class.jansenhm', '1.0.0').map((h) => h.advisory.id).sort()).toEqual(['CVE-2017-16186', 'GHSA-25jw-gcfj-283j']);
  });
});
