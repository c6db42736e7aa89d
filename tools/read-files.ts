/** Reads many of a probe's files with bounded concurrency, turning refusals into issues. */
import type { ProbeContext, ProbeIssue } from './probe-api';
import { ProbeInputError } from './probe-api';

export type ReadOutcome = { ok: true; text: string } | { ok: false; issue: ProbeIssue };

const CONCURRENCY = 16;

export async function readFiles(ctx: ProbeContext, files: readonly string[]): Promise<Map<string, ReadOutcome>> {
  const out = new Map<string, ReadOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      try {
        const text = await ctx.readText(file);
        // A NUL never occurs in the text formats these probes read; it marks a binary file.
        if (text.includes('\u0000')) out.set(file, { ok: false, issue: { code: 'binary-file', file, message: `${file}: binary content, not read` } });
        else out.set(file, { ok: true, text });
      } catch (err) {
        const issue: ProbeIssue =
          err instanceof ProbeInputError
            ? { code: err.code, file, message: err.message }
            : { code: 'read-error', file, message: `${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
        out.set(file, { ok: false, issue });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return out;
}
