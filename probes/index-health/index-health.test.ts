import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import probe from './index';
import manifest from '../manifest';
import buildSystem from '../build-system';
import deployment from '../deployment';
import { toEnvelope } from '../../tools/envelope';
import { validateAgainst } from '../../tools/gather/validate';
import type { ProbeDefinition, SiblingEnvelope } from '../../tools/probe-api';
import { runProbeInMemory } from '../../tools/testing';

const tree: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'app', dependencies: { left: '^1.0.0', right: '^2.0.0', gone: '^1.0.0' } }),
  'package-lock.json': JSON.stringify({
    name: 'app',
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', dependencies: { left: '^1.0.0', right: '^2.0.0', gone: '^1.0.0' } },
      'node_modules/left': { version: '1.2.0', resolved: 'https://registry.npmjs.org/left/-/left-1.2.0.tgz', integrity: 'sha512-AAAAAAAAAAAAAAAAAAAA' },
      'node_modules/right': { version: '1.9.0', resolved: 'http://npm.internal.example/right/-/right-1.9.0.tgz', integrity: 'sha1-qqqqqqqqqqqqqqqqqqqqqqqqqqq=' },
      'node_modules/naked': { version: '3.0.0', resolved: 'https://registry.npmjs.org/naked/-/naked-3.0.0.tgz' },
      'node_modules/broken': { version: '0.1.0', integrity: 'md5-###' },
    },
  }),
  'yarn.lock': '# yarn lockfile v1\n',
  'infra/main.tf': 'resource "aws_s3_bucket" "b" {}\n',
};

async function siblings(files: Record<string, string>): Promise<SiblingEnvelope[]> {
  const probes: ProbeDefinition[] = [manifest, buildSystem, deployment];
  return Promise.all(probes.map(async (p) => toEnvelope(p, await runProbeInMemory(p, files))));
}

describe('index-health', () => {
  it('reports drift, integrity, registries, multiple lockfiles and skipped work from the siblings alone', async () => {
    const sibs = await siblings(tree);
    const result = await runProbeInMemory(probe, {}, { siblings: sibs });
    const slice = result.slice as Record<string, any>;
    expect(validateAgainst('slices/index-health.schema.json', slice)).toEqual([]);
    // package-lock.json lacks `gone` and locks `right` outside ^2; the (empty) yarn.lock lacks all three.
    expect(slice.lockfile_drift).toMatchObject({ count: 5, missing_from_lockfile: 4, outside_range: 1 });
    expect(slice.lockfile_drift.items.filter((d: { lockfile: string }) => d.lockfile === 'package-lock.json').map((d: { name: string }) => d.name)).toEqual(['gone', 'right']);
    expect(slice.lockfile_integrity).toMatchObject({ checked: 4, missing_count: 1, malformed_count: 1, weak_only_count: 1 });
    expect(slice.lockfile_integrity.missing).toEqual(['package-lock.json: naked@3.0.0']);
    expect(slice.lockfile_integrity.unusual_registries).toEqual([{ host: 'npm.internal.example', packages: 1, insecure: 1 }]);
    expect(slice.lockfiles).toEqual({ root: ['package-lock.json', 'yarn.lock'], all: ['package-lock.json', 'yarn.lock'], multiple_at_root: true });
    expect(slice.skipped_work).toContainEqual({ probe: 'deployment', what: 'terraform (opt-in, off)', count: 1 });
    expect(Object.keys(slice.probes)).toEqual(['build-system', 'deployment', 'manifest']);
    expect(slice.status).toBe('attention');
  });

  it('is degraded when a sibling ran at low confidence, and ok on a clean repository', async () => {
    const bad = await siblings({ 'package.json': '{ nope' });
    expect((await runProbeInMemory(probe, {}, { siblings: bad })).slice).toMatchObject({ status: 'degraded', low_confidence: expect.arrayContaining(['manifest']) });
    const clean = await siblings({ 'package.json': JSON.stringify({ name: 'x' }), 'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'x' } } }) });
    expect((await runProbeInMemory(probe, {}, { siblings: clean })).slice).toMatchObject({ status: 'ok' });
  });

  it('counts files the scanner skipped', async () => {
    const scan: SiblingEnvelope = {
      probe: 'scan', version: '1', confidence: 'high', errors: [], warnings: [],
      slice: { files: { total: 10, scanned: 7, skipped: { too_large: 1, binary: 0, minified: 2, generated: 0, unreadable: 0, language_filter: 0 } } },
    };
    const { slice } = await runProbeInMemory(probe, {}, { siblings: [scan] });
    expect(slice.skipped_work).toEqual([
      { probe: 'scan', what: 'files skipped: minified', count: 2 },
      { probe: 'scan', what: 'files skipped: too_large', count: 1 },
    ]);
  });

  it('keeps run metadata (replayed/recomputed) out of the slice', async () => {
    const sibs = await siblings(tree);
    const runMetadata = { recomputed: { manifest: '123' }, replayed: ['build-system', 'deployment'] };
    const withMeta = await runProbeInMemory(probe, {}, { siblings: sibs, runMetadata });
    const without = await runProbeInMemory(probe, {}, { siblings: sibs });
    expect(JSON.stringify(withMeta.slice)).toBe(JSON.stringify(without.slice));
    expect(withMeta.stats).toEqual({ freshness: runMetadata });
  });

  it('never throws on arbitrary sibling slices', async () => {
    const envelope = fc.record({
      probe: fc.constantFrom('manifest', 'build-system', 'deployment', 'scan', 'other'),
      version: fc.constant('1'),
      confidence: fc.constantFrom('high' as const, 'medium' as const, 'low' as const),
      slice: fc.dictionary(fc.constantFrom('lockfiles', 'drift', 'binary_lockfiles', 'terraform', 'files', 'x'), fc.jsonValue()),
      errors: fc.array(fc.record({ code: fc.constantFrom('file-too-large', 'parse-error'), message: fc.string() }), { maxLength: 3 }),
      warnings: fc.constant([]),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(envelope, { maxLength: 5 }), async (sibs) => {
        const result = await runProbeInMemory(probe, {}, { siblings: sibs as unknown as SiblingEnvelope[] });
        expect(['ok', 'attention', 'degraded']).toContain(result.slice.status);
      }),
      { numRuns: 200 },
    );
  });
});
