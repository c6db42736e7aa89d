/**
 * Child-process body of the memory test: runs the manifest probe over one big lockfile and prints
 * one JSON line with the memory figures. Run as plain JavaScript (the test transpiles it), so the
 * measured process holds only what a real probe run holds: no vitest, no TypeScript compiler.
 *
 * argv: <lockfile path on disk> <name to give it in the tree>
 */
import { readFileSync } from 'node:fs';
import probe from '../index';
import { runProbeInMemory } from '../../../tools/testing';

async function main(): Promise<void> {
  const [source, name] = process.argv.slice(2);
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const checkpoints: Record<string, number> = { start: mb(process.memoryUsage().rss) };
  const tree: Record<string, Buffer | string> = {
    'package.json': JSON.stringify({ name: 'big-app', version: '1.0.0', dependencies: {} }),
    [name]: readFileSync(source),
  };
  checkpoints.loaded = mb(process.memoryUsage().rss);
  const started = process.hrtime.bigint();
  // 50k-package lockfiles are 13–19 MB, above the coordinator's default 8 MB per-file limit.
  const result = await runProbeInMemory(probe, tree, { maxFileBytes: 64 * 1024 * 1024 });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  checkpoints.probed = mb(process.memoryUsage().rss);
  // The coordinator serializes the envelope next; that string is part of a real run's peak.
  const serialized = JSON.stringify(result.slice).length;
  checkpoints.serialized = mb(process.memoryUsage().rss);
  const lockfiles = result.slice.lockfiles as Array<{ package_count: number; entry_count: number }>;
  process.stdout.write(
    JSON.stringify({
      peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
      checkpoints,
      elapsedMs: Math.round(elapsedMs),
      packageCount: lockfiles[0]?.package_count ?? 0,
      entryCount: lockfiles[0]?.entry_count ?? 0,
      errors: (result.errors ?? []).map((e) => e.code),
      serializedBytes: serialized,
    }) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err));
  process.exit(1);
});
