/**
 * Where `advisories import` reads OSV records from: a directory of `*.json` (searched
 * recursively, like a checkout of the GitHub Advisory Database), a `.zip` export (OSV's
 * `all.zip`), or an http(s) URL serving either — fetched only when the user passes one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';

export interface SourceRecord {
  source: string;
  json: unknown;
  /** Why the file could not be read as JSON (then `json` is undefined). */
  error?: string;
}

function parse(source: string, text: string): SourceRecord {
  try {
    return { source, json: JSON.parse(text) };
  } catch (err) {
    return { source, json: undefined, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

function* walk(dir: string, root: string): Iterable<SourceRecord> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path, root);
    else if (entry.isFile() && entry.name.endsWith('.json')) yield parse(relative(root, path), readFileSync(path, 'utf8'));
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export function recordsFromZip(bytes: Uint8Array, label: string): SourceRecord[] {
  const files = unzipSync(bytes, { filter: (f) => f.name.endsWith('.json') });
  const decoder = new TextDecoder();
  return Object.keys(files)
    .sort()
    .map((name) => parse(`${label}:${name}`, decoder.decode(files[name])));
}

function recordsFromBytes(bytes: Buffer, label: string): SourceRecord[] {
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return recordsFromZip(bytes, label);
  const one = parse(label, bytes.toString('utf8'));
  // A JSON array of records is accepted too (some mirrors serve that).
  return Array.isArray(one.json) ? one.json.map((json, i) => ({ source: `${label}#${i}`, json })) : [one];
}

/** A whole OSV export is tens of MB; a server that stops sending must not hang an import forever. */
const URL_TIMEOUT_MS = 10 * 60_000;

export async function readSource(arg: string, timeoutMs = URL_TIMEOUT_MS): Promise<SourceRecord[]> {
  if (/^https?:\/\//.test(arg)) {
    try {
      const response = await fetch(arg, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return recordsFromBytes(Buffer.from(await response.arrayBuffer()), arg);
    } catch (err) {
      // undici hides the reason (refused, reset, timed out) in `cause`: one line naming the URL.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
      throw new Error(`${arg}: ${cause}`);
    }
  }
  const stat = statSync(arg);
  if (stat.isDirectory()) return [...walk(arg, arg)];
  return recordsFromBytes(readFileSync(arg), arg);
}
