/** The shape of the ci slice and a builder that keeps each job's facts sorted and de-duplicated. */
import { loadCatalog } from '../../tools/catalog';
import { byCodeUnit } from '../../tools/parse';
import { parseImageRef } from '../../tools/image-ref';
import { classifyCommand, MAX_COMMAND_LENGTH, normalizeCommand, splitScript } from './commands';
import type { CommandKind } from './commands';

export interface CiCommand {
  run: string;
  kind: CommandKind;
}

export interface CiJob {
  id: string;
  name: string | null;
  node_versions: string[];
  node_version_files: string[];
  /** Images the job runs in (job container, CircleCI primary docker image, GitLab `image`, …). */
  images: string[];
  /** Sidecar service images (databases, caches). */
  services: string[];
  /** Actions, orbs, plugins, tasks, templates and reusable workflows referenced, as written. */
  uses: string[];
  /** In execution order. */
  commands: CiCommand[];
}

export interface CiPipeline {
  system: string;
  file: string;
  name: string | null;
  /** False when the file could not be read or parsed; then `jobs` is empty. */
  parsed: boolean;
  /** Declared triggers, in the system's own vocabulary; empty means the system's default. */
  triggers: string[];
  /** Pipeline-level references: includes, orbs, shared libraries, templates. */
  uses: string[];
  jobs: CiJob[];
}

interface NodeCommandCatalog {
  nodeVersionCommands: string[];
}

let versionCommands: RegExp[] | undefined;

/** The Node version a command selects (`nvm install 20`, `volta install node@20`), if any. */
export function nodeVersionFromCommand(command: string): string | undefined {
  versionCommands ??= loadCatalog<NodeCommandCatalog>('ci-systems').nodeVersionCommands.map((p) => new RegExp(p));
  const cmd = normalizeCommand(command);
  for (const re of versionCommands) {
    const v = re.exec(cmd)?.groups?.version;
    if (v) return v === '--lts' ? 'lts/*' : v;
  }
  return undefined;
}

export class JobBuilder {
  private readonly nodeVersions = new Set<string>();
  private readonly nodeFiles = new Set<string>();
  private readonly images = new Set<string>();
  private readonly services = new Set<string>();
  private readonly uses = new Set<string>();
  private readonly commands: CiCommand[] = [];

  readonly id: string;

  constructor(
    id: string,
    readonly name: string | null = null,
  ) {
    // A mapping key may be empty (`jobs: { '': … }`); ids are never empty.
    this.id = id === '' ? '(unnamed)' : id;
  }

  nodeVersion(value: string | undefined): this {
    const v = value?.trim();
    if (v) this.nodeVersions.add(v);
    return this;
  }

  nodeVersionFile(value: string | undefined): this {
    const v = value?.trim();
    if (v) this.nodeFiles.add(v);
    return this;
  }

  /** An image the job runs in; a Node image also tells the Node version. */
  image(value: string | undefined): this {
    const v = value?.trim();
    if (!v) return this;
    this.images.add(v);
    const ref = parseImageRef(v);
    if (ref.node_version) this.nodeVersions.add(ref.node_version);
    return this;
  }

  service(value: string | undefined): this {
    const v = value?.trim();
    if (v) this.services.add(v);
    return this;
  }

  use(value: string | undefined): this {
    const v = value?.trim();
    if (v) this.uses.add(v);
    return this;
  }

  /** A shell script: split into commands, each classified; `nvm install 20`-like commands add a Node version. */
  script(value: string | undefined): this {
    if (!value) return this;
    for (const run of splitScript(value)) this.command(run);
    return this;
  }

  /** One command already split (or synthesised from a task's inputs). */
  command(command: string): this {
    const run = command.trim().slice(0, MAX_COMMAND_LENGTH);
    if (run === '') return this;
    this.commands.push({ run, kind: classifyCommand(run) });
    const version = nodeVersionFromCommand(run);
    if (version) this.nodeVersions.add(version);
    return this;
  }

  build(): CiJob {
    const sorted = (s: Set<string>) => [...s].sort(byCodeUnit);
    return {
      id: this.id,
      name: this.name,
      node_versions: sorted(this.nodeVersions),
      node_version_files: sorted(this.nodeFiles),
      images: sorted(this.images),
      services: sorted(this.services),
      uses: sorted(this.uses),
      commands: this.commands,
    };
  }
}

export function pipeline(system: string, file: string, parts: Partial<Omit<CiPipeline, 'system' | 'file'>> = {}): CiPipeline {
  return {
    system,
    file,
    name: parts.name ?? null,
    parsed: parts.parsed ?? true,
    triggers: [...new Set(parts.triggers ?? [])].sort(byCodeUnit),
    uses: [...new Set(parts.uses ?? [])].sort(byCodeUnit),
    jobs: parts.jobs ?? [],
  };
}

/** Jobs defined in a mapping are sorted by id; list-defined ones keep their (execution) order. */
export function sortJobs(jobs: CiJob[]): CiJob[] {
  return [...jobs].sort((a, b) => byCodeUnit(a.id, b.id));
}
