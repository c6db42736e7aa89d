/**
 * Which package manager a repository uses when neither `packageManager` nor a root lockfile says
 * so (a repository without a lockfile by design, `.npmrc` `package-lock=false`). Every source is
 * looked at, in this documented order; the first that names a manager decides, and the others
 * are kept as evidence (agreeing or not):
 *
 *   1. `package-manager-field`  package.json `packageManager`                      high
 *   2. `lockfile`               root lockfiles (catalog precedence)                high
 *   3. `config-file`            pnpm-workspace.yaml, .yarnrc.yml (berry), .yarnrc (classic),
 *                               bunfig.toml, .npmrc with an npm-only setting          medium
 *   4. `engines`                package.json `engines.<pnpm|yarn|bun>` (engines.npm is too
 *                               common a habit to name npm)                           low
 *   5. `dev-engines`            package.json `devEngines.packageManager.name`     medium
 *   6. `ci-install`             install commands in CI configuration files        medium
 *   7. `scripts`                package.json scripts calling `pnpm`/`yarn`/`bun`/`npm run` low
 *
 * Pure: texts in, decision out. Nothing here is executed; commands are matched as text.
 */
import { byCodeUnit, isRecord } from '../../tools/parse';

export type ManagerSource = 'package-manager-field' | 'lockfile' | 'config-file' | 'engines' | 'dev-engines' | 'ci-install' | 'scripts';
export type Confidence = 'high' | 'medium' | 'low';

export const SOURCE_ORDER: readonly ManagerSource[] = ['package-manager-field', 'lockfile', 'config-file', 'engines', 'dev-engines', 'ci-install', 'scripts'];

const CONFIDENCE: Record<ManagerSource, Confidence> = {
  'package-manager-field': 'high',
  lockfile: 'high',
  'config-file': 'medium',
  engines: 'low',
  'dev-engines': 'medium',
  'ci-install': 'medium',
  scripts: 'low',
};

const MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;
type Manager = (typeof MANAGERS)[number];

export interface ManagerEvidence {
  source: ManagerSource;
  manager: Manager;
  /** The file it was read from (relative path). */
  file: string;
  /** What was seen, short (`package-lock=false`, `pnpm install --frozen-lockfile`). */
  detail: string;
}

export interface ManagerDecision {
  name: string | null;
  source: ManagerSource | null;
  confidence: Confidence | null;
  /** Every source that named a manager, in source order then file. */
  evidence: ManagerEvidence[];
}

/** CI configuration files whose text is scanned for install commands (root-relative). */
export const CI_FILE_GLOBS = ['.github/workflows/*.yml', '.github/workflows/*.yaml', '.gitlab-ci.yml', '.circleci/config.yml', 'azure-pipelines.yml', 'bitbucket-pipelines.yml', '.travis.yml', 'Jenkinsfile'];

// `npm ci`, `npm install`/`npm i` (a bare install, not `npm install -g x`), and the other managers' installs.
const INSTALL_COMMANDS: Array<[Manager, RegExp]> = [
  ['pnpm', /\bpnpm\s+(?:install|i)\b/],
  ['yarn', /\byarn(?:\s+install)?\s+(?:--frozen-lockfile|--immutable)\b|\byarn\s+install\b/],
  ['bun', /\bbun\s+(?:install|i)\b/],
  ['npm', /\bnpm\s+(?:ci|install|i)\b(?!\s+(?:-g|--global)\b)/],
];

const SCRIPT_CALLS: Array<[Manager, RegExp]> = [
  ['pnpm', /(?:^|[\s;&|(])pnpm\s/],
  ['yarn', /(?:^|[\s;&|(])yarn\s/],
  ['bun', /(?:^|[\s;&|(])bun\s/],
  ['npm', /(?:^|[\s;&|(])npm\s+run\s/],
];

export interface ManagerInputs {
  fieldManager: string | null;
  lockfileManager: string | null;
  /** Root-relative paths present in the repository (the file index). */
  files: ReadonlySet<string>;
  /** `.npmrc` text, when present. */
  npmrc?: string;
  pkg?: Record<string, unknown>;
  /** CI file path → text. */
  ciFiles: ReadonlyMap<string, string>;
}

function firstLine(text: string, re: RegExp): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = re.exec(line);
    if (m) return line.trim().slice(0, 120);
  }
  return undefined;
}

export function decidePackageManager(inputs: ManagerInputs): ManagerDecision {
  const evidence: ManagerEvidence[] = [];
  if (inputs.fieldManager !== null && !(MANAGERS as readonly string[]).includes(inputs.fieldManager)) {
    // A field naming another manager still decides (its own warning says it is unknown).
    return { name: inputs.fieldManager, source: 'package-manager-field', confidence: 'high', evidence };
  }
  const add = (source: ManagerSource, manager: Manager, file: string, detail: string) => evidence.push({ source, manager, file, detail });
  const isManager = (name: unknown): name is Manager => typeof name === 'string' && (MANAGERS as readonly string[]).includes(name);

  if (isManager(inputs.fieldManager)) add('package-manager-field', inputs.fieldManager, 'package.json', `packageManager ${inputs.fieldManager}`);
  if (isManager(inputs.lockfileManager)) add('lockfile', inputs.lockfileManager, 'package.json', 'root lockfile');

  const configFiles: Array<[string, Manager]> = [
    ['pnpm-workspace.yaml', 'pnpm'],
    ['.yarnrc.yml', 'yarn'],
    ['.yarnrc', 'yarn'],
    ['bunfig.toml', 'bun'],
  ];
  for (const [file, manager] of configFiles) if (inputs.files.has(file)) add('config-file', manager, file, `${file} present`);
  if (inputs.npmrc !== undefined) {
    // Settings only npm honours; pnpm and yarn classic read .npmrc too, so its presence alone says nothing.
    const npmOnly = firstLine(inputs.npmrc, /^\s*(package-lock|shrinkwrap|install-links|omit-lockfile-registry-resolved)\s*=/i);
    if (npmOnly !== undefined) add('config-file', 'npm', '.npmrc', npmOnly);
  }

  const pkg = inputs.pkg;
  const engines = isRecord(pkg?.engines) ? pkg.engines : {};
  for (const manager of ['pnpm', 'yarn', 'bun'] as const) {
    if (typeof engines[manager] === 'string') add('engines', manager, 'package.json', `engines.${manager} ${String(engines[manager])}`);
  }
  const devEngines = isRecord(pkg?.devEngines) ? pkg.devEngines : {};
  const devPm = devEngines.packageManager;
  for (const entry of Array.isArray(devPm) ? devPm : [devPm]) {
    if (isRecord(entry) && isManager(entry.name)) add('dev-engines', entry.name, 'package.json', `devEngines.packageManager ${entry.name}`);
  }

  for (const [file, text] of [...inputs.ciFiles].sort(([a], [b]) => byCodeUnit(a, b))) {
    for (const [manager, re] of INSTALL_COMMANDS) {
      const line = firstLine(text, re);
      if (line !== undefined) add('ci-install', manager, file, line);
    }
  }

  const scripts = isRecord(pkg?.scripts) ? pkg.scripts : {};
  const calls = new Map<Manager, string>();
  for (const name of Object.keys(scripts).sort(byCodeUnit)) {
    const command = scripts[name];
    if (typeof command !== 'string') continue;
    for (const [manager, re] of SCRIPT_CALLS) if (!calls.has(manager) && re.test(command)) calls.set(manager, `scripts.${name}`);
  }
  // `npm run` inside scripts is what every manager's users write out of habit: it only counts alone.
  if (calls.size > 1) calls.delete('npm');
  for (const manager of MANAGERS) {
    const where = calls.get(manager);
    if (where !== undefined) add('scripts', manager, 'package.json', where);
  }

  evidence.sort((a, b) => SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source) || byCodeUnit(a.file, b.file) || byCodeUnit(a.manager, b.manager));
  const first = evidence[0];
  // The field may name a manager corepack does not know; the caller keeps it as the name then.
  if (!first) return { name: inputs.fieldManager, source: inputs.fieldManager ? 'package-manager-field' : null, confidence: inputs.fieldManager ? 'high' : null, evidence };
  // Within the deciding source, disagreeing files (two CI files, two config files) lower the confidence.
  const rivals = new Set(evidence.filter((e) => e.source === first.source).map((e) => e.manager));
  const confidence: Confidence = rivals.size > 1 ? 'low' : CONFIDENCE[first.source];
  return { name: first.manager, source: first.source, confidence, evidence };
}
