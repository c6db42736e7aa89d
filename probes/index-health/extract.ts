/**
 * index-health: a view over the sibling envelopes, never over the repository. What it reports is
 * deterministic (it depends only on the siblings' cached outputs); whether each sibling was
 * replayed or recomputed is run metadata and goes to `stats` only.
 */
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit, isRecord } from '../../tools/parse';
import type { ProbeContext, ProbeResult, SiblingEnvelope } from '../../tools/probe-api';

interface RegistriesCatalog {
  expectedHosts: string[];
  integrity: { sri: string; berryChecksum: string; weakAlgorithms: string[] };
}

/** Lists in the slice are capped; their counts are always complete. */
const LIST_CAP = 50;

type Slice = Record<string, unknown>;

function sliceOf(siblings: readonly SiblingEnvelope[], probe: string): Slice | undefined {
  const env = siblings.find((s) => s.probe === probe);
  return env && isRecord(env.slice) && Object.keys(env.slice).length > 0 ? env.slice : undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function probeSummaries(siblings: readonly SiblingEnvelope[]) {
  const out: Record<string, unknown> = {};
  for (const s of [...siblings].sort((a, b) => byCodeUnit(a.probe, b.probe))) {
    out[s.probe] = {
      version: s.version,
      confidence: s.confidence,
      error_count: s.errors.length,
      warning_count: s.warnings.length,
      error_codes: [...new Set(s.errors.map((e) => e.code))].sort(byCodeUnit),
    };
  }
  return out;
}

function drift(manifest: Slice | undefined) {
  const items = records(manifest?.drift).map((d) => ({
    lockfile: String(d.lockfile),
    package_json: String(d.package_json),
    name: String(d.name),
    kind: String(d.kind),
    specifier: String(d.specifier),
    locked_versions: Array.isArray(d.locked_versions) ? d.locked_versions.map(String) : [],
  }));
  return {
    count: items.length,
    missing_from_lockfile: items.filter((d) => d.kind === 'missing-from-lockfile').length,
    outside_range: items.filter((d) => d.kind === 'version-outside-range').length,
    items: items.slice(0, LIST_CAP),
  };
}

function hostOf(url: string): { host: string; insecure: boolean } | null {
  const m = /^(https?):\/\/([^/:@]+)/i.exec(url);
  return m ? { host: m[2].toLowerCase(), insecure: m[1].toLowerCase() === 'http' } : null;
}

function integrity(manifest: Slice | undefined, catalog: RegistriesCatalog) {
  const sri = new RegExp(catalog.integrity.sri);
  const berry = new RegExp(catalog.integrity.berryChecksum);
  const weak = new Set(catalog.integrity.weakAlgorithms);
  const expected = new Set(catalog.expectedHosts);
  const missing: string[] = [];
  const malformed: string[] = [];
  const weakOnly: string[] = [];
  const hosts = new Map<string, { count: number; insecure: number }>();
  let checked = 0;
  for (const lock of records(manifest?.lockfiles)) {
    const path = String(lock.path);
    const isBerry = lock.kind === 'yarn-berry';
    for (const pkg of records(lock.packages)) {
      const id = `${path}: ${String(pkg.name)}@${String(pkg.version)}`;
      if (typeof pkg.resolved === 'string') {
        const h = hostOf(pkg.resolved);
        if (h && (h.insecure || !expected.has(h.host))) {
          const entry = hosts.get(h.host) ?? { count: 0, insecure: 0 };
          entry.count++;
          if (h.insecure) entry.insecure++;
          hosts.set(h.host, entry);
        }
      }
      // Only registry and tarball packages carry an integrity hash; links, folders and git do not.
      if (pkg.source !== 'registry' && pkg.source !== 'tarball') continue;
      checked++;
      const value = typeof pkg.integrity === 'string' ? pkg.integrity.trim() : '';
      if (value === '') missing.push(id);
      else if (isBerry ? !berry.test(value) : !sri.test(value)) malformed.push(id);
      else if (!isBerry && value.split(' ').every((part) => weak.has(part.split('-')[0]))) weakOnly.push(id);
    }
  }
  const sort = (list: string[]) => list.sort(byCodeUnit).slice(0, LIST_CAP);
  return {
    checked,
    missing_count: missing.length,
    malformed_count: malformed.length,
    weak_only_count: weakOnly.length,
    missing: sort(missing),
    malformed: sort(malformed),
    weak_only: sort(weakOnly),
    unusual_registries: [...hosts]
      .map(([host, v]) => ({ host, packages: v.count, insecure: v.insecure }))
      .sort((a, b) => byCodeUnit(a.host, b.host)),
  };
}

function lockfiles(manifest: Slice | undefined, buildSystem: Slice | undefined) {
  const all = new Set<string>();
  for (const l of records(manifest?.lockfiles)) all.add(String(l.path));
  for (const p of Array.isArray(manifest?.binary_lockfiles) ? manifest.binary_lockfiles : []) all.add(String(isRecord(p) ? p.path : p));
  for (const l of records(buildSystem?.lockfiles)) all.add(String(l.path));
  const paths = [...all].sort(byCodeUnit);
  const root = paths.filter((p) => !p.includes('/'));
  return { root, all: paths, multiple_at_root: root.length > 1 };
}

/** Work a probe chose not to do, by what its slice or errors say. */
function skipped(siblings: readonly SiblingEnvelope[]) {
  const out: Array<{ probe: string; what: string; count: number }> = [];
  const deployment = sliceOf(siblings, 'deployment');
  const terraform = isRecord(deployment?.terraform) ? deployment.terraform : undefined;
  if (terraform && terraform.status === 'skipped') {
    out.push({ probe: 'deployment', what: 'terraform (opt-in, off)', count: Number(terraform.file_count ?? 0) });
  }
  const scan = sliceOf(siblings, 'scan');
  const scanFiles = isRecord(scan?.files) ? scan.files : undefined;
  const scanSkipped = isRecord(scanFiles?.skipped) ? scanFiles.skipped : undefined;
  if (scanSkipped) {
    for (const [reason, count] of Object.entries(scanSkipped)) {
      if (typeof count === 'number' && count > 0) out.push({ probe: 'scan', what: `files skipped: ${reason}`, count });
    }
  }
  for (const s of siblings) {
    const tooLarge = s.errors.filter((e) => e.code === 'file-too-large').length + s.warnings.filter((e) => e.code === 'file-too-large').length;
    if (tooLarge > 0) out.push({ probe: s.probe, what: 'files over the size limit', count: tooLarge });
  }
  return out.sort((a, b) => byCodeUnit(`${a.probe} ${a.what}`, `${b.probe} ${b.what}`));
}

export async function extractIndexHealth(ctx: ProbeContext): Promise<ProbeResult> {
  const siblings = ctx.siblings ?? [];
  const catalog = loadCatalog<RegistriesCatalog>('registries');
  const manifest = sliceOf(siblings, 'manifest');
  const buildSystem = sliceOf(siblings, 'build-system');
  const lowConfidence = siblings.filter((s) => s.confidence === 'low').map((s) => s.probe).sort(byCodeUnit);
  const integrityReport = integrity(manifest, catalog);
  const driftReport = drift(manifest);
  const lockfileReport = lockfiles(manifest, buildSystem);
  const skippedWork = skipped(siblings);

  const problems = [
    lowConfidence.length > 0,
    driftReport.count > 0,
    integrityReport.missing_count + integrityReport.malformed_count > 0,
    integrityReport.unusual_registries.length > 0,
    lockfileReport.multiple_at_root,
  ].filter(Boolean).length;
  const status = lowConfidence.length > 0 ? 'degraded' : problems > 0 ? 'attention' : 'ok';

  return {
    slice: {
      status,
      probes: probeSummaries(siblings),
      low_confidence: lowConfidence,
      lockfile_drift: driftReport,
      lockfile_integrity: integrityReport,
      lockfiles: lockfileReport,
      skipped_work: skippedWork,
    },
    stats: ctx.runMetadata ? { freshness: ctx.runMetadata } : undefined,
  };
}
