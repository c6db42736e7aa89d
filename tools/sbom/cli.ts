/**
 * `codegenie sbom <path|context-dir> [--format cyclonedx-json] [--spec 1.6] [--timestamp] [-o FILE]`
 * A context folder (or a repository with `.codegenie/context/`) gives the gathered manifest slice;
 * a repository without one is read in-process by the manifest probe (its manifests and lockfiles
 * only; nothing is executed). The document is validated with the library's JSON validator before
 * it is written: an invalid document is an error and nothing is written.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import manifestProbe from '../../probes/manifest';
import { CONTEXT_DIR, RAW_DIR } from '../artifact-paths';
import { writeFileAtomic } from '../atomic-write';
import { codegenieVersion } from '../package-root';
import { createProbeContext, inputMatcher } from '../probe-context';
import { buildBom, serializeBom } from './build';

const USAGE = 'usage: codegenie sbom <path|context-dir> [--format cyclonedx-json] [--spec 1.6] [--timestamp] [-o FILE]\n';
const SKIP_DIRS = new Set(['node_modules', '.git', '.codegenie', '.nx', '.yarn', '.pnpm-store', 'bower_components', 'jspm_packages']);

function listFiles(root: string, accept: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name));
      } else if (entry.isFile()) {
        const rel = relative(root, join(dir, entry.name)).split('\\').join('/');
        if (accept(rel)) out.push(rel);
      }
    }
  };
  walk(root);
  return out.sort();
}

/** The manifest slice for `target`: gathered, or computed now from the repository's files. */
export async function manifestSliceFor(target: string): Promise<{ slice: Record<string, unknown>; repositoryName: string }> {
  const abs = resolve(target);
  for (const raw of [join(abs, RAW_DIR, 'manifest.json'), join(abs, CONTEXT_DIR, RAW_DIR, 'manifest.json')]) {
    if (existsSync(raw)) {
      const envelope = JSON.parse(readFileSync(raw, 'utf8')) as { slice: Record<string, unknown> };
      const repo = raw.endsWith(join(CONTEXT_DIR, RAW_DIR, 'manifest.json')) ? abs : resolve(abs, '..', '..');
      return { slice: envelope.slice, repositoryName: basename(repo) };
    }
  }
  if (!statSync(abs).isDirectory()) throw new Error(`${target}: not a folder`);
  const files = listFiles(abs, inputMatcher(manifestProbe.inputs));
  const ctx = createProbeContext({
    probe: manifestProbe,
    files,
    source: {
      async size(path: string) {
        return statSync(join(abs, path)).size;
      },
      async read(path: string) {
        return readFileSync(join(abs, path));
      },
    },
    options: {},
    maxFileBytes: manifestProbe.maxFileBytes,
  });
  const result = await manifestProbe.run(ctx);
  return { slice: result.slice, repositoryName: basename(abs) };
}

export async function sbomText(target: string, options: { timestamp?: Date } = {}): Promise<string> {
  const { slice, repositoryName } = await manifestSliceFor(target);
  const text = serializeBom(buildBom(slice, { toolVersion: codegenieVersion(), repositoryName, timestamp: options.timestamp }));
  const problems = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text);
  if (problems !== null) throw new Error(`the generated SBOM is not valid CycloneDX 1.6: ${JSON.stringify(problems).slice(0, 2000)}`);
  return text;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'cyclonedx-json' },
      spec: { type: 'string', default: '1.6' },
      timestamp: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (values.format !== 'cyclonedx-json' || values.spec !== '1.6') {
    process.stderr.write(`codegenie sbom: only --format cyclonedx-json --spec 1.6 is supported\n`);
    return 2;
  }
  const text = await sbomText(positionals[0], { timestamp: values.timestamp ? new Date() : undefined });
  if (values.output) writeFileAtomic(values.output, text);
  else process.stdout.write(text);
  return 0;
}
