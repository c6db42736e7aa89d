/**
 * The vulnerabilities probe body: the manifest sibling's lockfiles matched against the advisory
 * store in the state folder (CODEGENIE_HOME, ...; see tools/state-dir.ts).
 */
import type { ProbeContext, ProbeIssue, ProbeResult } from '../../tools/probe-api';
import { AdvisoryStore } from '../../tools/advisories/store';
import { matchManifestSlice } from '../../tools/advisories/inventory-match';
import type { SeverityLevel } from '../../tools/advisories/severity';
import { defaultStateDir } from '../../tools/state-dir';

const LEVELS: SeverityLevel[] = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];

export async function extractVulnerabilities(ctx: ProbeContext): Promise<ProbeResult> {
  const warnings: ProbeIssue[] = [];
  const errors: ProbeIssue[] = [];
  const manifest = ctx.siblings?.find((s) => s.probe === 'manifest');
  let store: AdvisoryStore | undefined;
  try {
    store = new AdvisoryStore(defaultStateDir(process.env));
  } catch (err) {
    errors.push({ code: 'advisory-store-unreadable', message: err instanceof Error ? err.message : String(err) });
  }
  if (store && store.size === 0) warnings.push({ code: 'no-advisories', message: 'the advisory store is empty; run `codegenie advisories import <dir|zip|url>`' });
  if (!manifest) warnings.push({ code: 'no-manifest', message: 'the manifest probe did not run; there is no locked inventory to match' });
  const facts = store && manifest ? matchManifestSlice(manifest.slice, store.matcher()) : [];
  const bySeverity = Object.fromEntries(LEVELS.map((l) => [l, facts.filter((f) => f.severity === l).length]));
  const lockfiles = Array.isArray(manifest?.slice.lockfiles) ? manifest.slice.lockfiles.length : 0;
  return {
    slice: {
      store: { advisories: store?.size ?? 0, content_hash: store ? store.contentHash() : null },
      lockfiles_checked: lockfiles,
      vulnerabilities: facts,
      counts: {
        total: facts.length,
        advisories: new Set(facts.map((f) => f.id)).size,
        packages: new Set(facts.map((f) => `${f.package}@${f.version}`)).size,
        fixable: facts.filter((f) => f.fix_available).length,
        dev_only: facts.filter((f) => f.dev_only === true).length,
        by_severity: bySeverity,
      },
    },
    warnings,
    errors,
    ...(errors.length > 0 ? { confidence: 'low' as const } : {}),
  };
}
