/** Serverless and PaaS descriptors: vercel.json, netlify.toml, fly.toml, Procfile, App Engine app.yaml, serverless.yml. */
import { isRecord } from '../../tools/parse';
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';
import { readTomlLines, tomlArrayValues, tomlValue } from './toml-lines';
import type { TomlScalar } from './toml-lines';
import { entries, nonEmpty, record, text } from '../../tools/yaml-values';
import { sortedNumbers, sortedUnique } from './sorted';

export type PaasFacts =
  | { platform: 'vercel'; file: string; framework: string | null; build_command: string | null; install_command: string | null; output_directory: string | null }
  | { platform: 'netlify'; file: string; base: string | null; build_command: string | null; publish: string | null; node_version: string | null; plugins: string[] }
  | { platform: 'fly'; file: string; app: string | null; primary_region: string | null; image: ImageRef | null; dockerfile: string | null; internal_ports: number[] }
  | { platform: 'procfile'; file: string; processes: Array<{ name: string; command: string }> }
  | { platform: 'app-engine'; file: string; runtime: string | null; node_major: number | null; env: string | null; entrypoint: string | null }
  | {
      platform: 'serverless';
      file: string;
      service: string | null;
      provider: string | null;
      runtime: string | null;
      node_major: number | null;
      functions: Array<{ name: string; handler: string | null; runtime: string | null; image: string | null }>;
    };

/** `nodejs20.x`, `nodejs20`, `nodejs18.x` → the major. */
export function runtimeNodeMajor(runtime: string | null): number | null {
  const m = runtime === null ? null : /^nodejs(\d+)/i.exec(runtime.trim());
  return m ? Number(m[1]) : null;
}

function str(value: TomlScalar | undefined): string | null {
  return value === undefined ? null : String(value);
}

export function vercelFacts(file: string, doc: unknown): PaasFacts {
  const v = isRecord(doc) ? doc : {};
  return {
    platform: 'vercel',
    file,
    framework: nonEmpty(v.framework) ?? null,
    build_command: nonEmpty(v.buildCommand) ?? null,
    install_command: nonEmpty(v.installCommand) ?? null,
    output_directory: nonEmpty(v.outputDirectory) ?? null,
  };
}

export function netlifyFacts(file: string, source: string): { facts: PaasFacts; unreadable: number } {
  const toml = readTomlLines(source);
  const plugins = tomlArrayValues(toml, 'plugins', 'package').map(String);
  return {
    facts: {
      platform: 'netlify',
      file,
      base: str(tomlValue(toml, 'build.base')),
      build_command: str(tomlValue(toml, 'build.command')),
      publish: str(tomlValue(toml, 'build.publish')),
      node_version: str(tomlValue(toml, 'build.environment.NODE_VERSION')),
      plugins: sortedUnique(plugins),
    },
    unreadable: toml.unreadable,
  };
}

export function flyFacts(file: string, source: string): { facts: PaasFacts; unreadable: number } {
  const toml = readTomlLines(source);
  const ports = [
    tomlValue(toml, 'http_service.internal_port'),
    ...tomlArrayValues(toml, 'services', 'internal_port'),
  ].filter((p): p is number => typeof p === 'number');
  const image = str(tomlValue(toml, 'build.image'));
  return {
    facts: {
      platform: 'fly',
      file,
      app: str(tomlValue(toml, 'app')),
      primary_region: str(tomlValue(toml, 'primary_region')),
      image: image === null ? null : parseImageRef(image),
      dockerfile: str(tomlValue(toml, 'build.dockerfile')),
      internal_ports: sortedNumbers(ports),
    },
    unreadable: toml.unreadable,
  };
}

export function procfileFacts(file: string, source: string): PaasFacts {
  const processes = new Map<string, string>();
  for (const line of source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const m = /^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)\s*$/.exec(line);
    // The first definition of a process type is the one the platform runs.
    if (m && m[2] !== '' && !processes.has(m[1])) processes.set(m[1], m[2]);
  }
  return {
    platform: 'procfile',
    file,
    processes: [...processes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, command]) => ({ name, command })),
  };
}

/** App Engine's app.yaml; undefined when the file has no `runtime` (then it is some other tool's app.yaml). */
export function appEngineFacts(file: string, doc: unknown): PaasFacts | undefined {
  const app = record(doc);
  const runtime = nonEmpty(app?.runtime);
  if (!app || runtime === undefined) return undefined;
  return {
    platform: 'app-engine',
    file,
    runtime,
    node_major: runtimeNodeMajor(runtime),
    env: nonEmpty(app.env) ?? null,
    entrypoint: nonEmpty(app.entrypoint) ?? null,
  };
}

export function serverlessFacts(file: string, doc: unknown): PaasFacts {
  const s = record(doc) ?? {};
  const provider = record(s.provider);
  const runtime = nonEmpty(provider?.runtime) ?? null;
  const functions: Array<{ name: string; handler: string | null; runtime: string | null; image: string | null }> = [];
  for (const [name, raw] of entries(s.functions)) {
    const fn = record(raw);
    if (!fn) continue;
    const image = text(fn.image) ?? nonEmpty(record(fn.image)?.uri) ?? nonEmpty(record(fn.image)?.name);
    functions.push({ name, handler: nonEmpty(fn.handler) ?? null, runtime: nonEmpty(fn.runtime) ?? null, image: image ?? null });
  }
  functions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    platform: 'serverless',
    file,
    service: nonEmpty(s.service) ?? nonEmpty(record(s.service)?.name) ?? null,
    provider: nonEmpty(s.provider) ?? nonEmpty(provider?.name) ?? null,
    runtime,
    node_major: runtimeNodeMajor(runtime),
    functions,
  };
}
