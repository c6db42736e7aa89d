/**
 * The 50,000-package memory bar (SPEC §6: peak RSS of a gather ≤ 250 MB). Each lockfile is
 * generated here, then the probe runs over it in a fresh child process (plain JavaScript, no
 * vitest or TypeScript in the measured process), which reports its own peak RSS. The figures are
 * printed; the assertion is deliberately generous so the test measures, not flakes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePackageLockV3, generatePnpmLockV9 } from './__tests__/generate-lockfiles';
import { transpileForChild } from './__tests__/transpile';

const PACKAGES = 50_000;
/** Generous: the bar is 250 MB for a whole gather; this only catches a regression by multiples. */
const GENEROUS_BOUND_MB = 400;

interface ChildReport {
  peakRssMb: number;
  checkpoints: Record<string, number>;
  elapsedMs: number;
  packageCount: number;
  entryCount: number;
  errors: string[];
  serializedBytes: number;
}

describe('a 50,000-package lockfile stays within the memory bar', () => {
  const work = mkdtempSync(join(tmpdir(), 'codegenie-manifest-memory-'));
  const out = transpileForChild();
  const entry = join(out, 'probes', 'manifest', '__tests__', 'measure-memory.js');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const cases: Array<[string, string, (n: number) => string]> = [
    ['package-lock.json v3', 'package-lock.json', generatePackageLockV3],
    ['pnpm-lock.yaml v9', 'pnpm-lock.yaml', generatePnpmLockV9],
  ];

  it.each(cases)('%s', (label, name, generate) => {
    const file = join(work, name);
    writeFileSync(file, generate(PACKAGES));
    const sizeMb = Math.round((statSync(file).size / 1024 / 1024) * 10) / 10;
    const report = JSON.parse(execFileSync(process.execPath, [entry, file, name], { encoding: 'utf8', maxBuffer: 1 << 20 })) as ChildReport;
    console.log(
      `[manifest memory] ${label}: ${PACKAGES} packages, ${sizeMb} MB file → peak RSS ${report.peakRssMb} MB ` +
        `(process start ${report.checkpoints.start} MB, after reading ${report.checkpoints.loaded} MB, after probe ${report.checkpoints.probed} MB, ` +
        `after serializing the ${Math.round(report.serializedBytes / 1024 / 1024)} MB slice ${report.checkpoints.serialized} MB), probe ${report.elapsedMs} ms`,
    );
    expect(report.errors).toEqual([]);
    expect(report.packageCount).toBe(PACKAGES);
    expect(report.entryCount).toBe(PACKAGES);
    expect(report.peakRssMb).toBeLessThan(GENEROUS_BOUND_MB);
  });
});
