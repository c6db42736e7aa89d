/**
 * Runs the real `codegenie cache-server` command in a child process, as CI would. The sources are
 * transpiled on the fly (no `dist/` needed); the child resolves packages from this checkout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import ts from 'typescript';

export const REPO_ROOT = resolve(__dirname, '../../..');

let builtCli: string | undefined;

function transpile(source: string, target: string): void {
  const output = ts.transpileModule(readFileSync(source, 'utf8'), {
    fileName: source,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  writeFileSync(target, output.outputText);
}

/**
 * Transpiles `tools/cli.ts` and `tools/cache-server/*.ts` into a temp folder named after a hash of
 * those sources (reused while they are unchanged, so runs do not pile up folders); returns the
 * cli.js path.
 */
export function buildCli(): string {
  if (builtCli) return builtCli;
  const sources = [
    'tools/cli.ts',
    ...readdirSync(join(REPO_ROOT, 'tools/cache-server'))
      .filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
      .sort()
      .map((n) => `tools/cache-server/${n}`),
  ];
  const digest = createHash('sha256');
  for (const source of sources) digest.update(source).update(readFileSync(join(REPO_ROOT, source)));
  const out = join(tmpdir(), `codegenie-cli-${digest.digest('hex').slice(0, 16)}`);
  if (!existsSync(join(out, 'tools/cli.js'))) {
    // Build aside, then rename into place: parallel test workers never see a half-built folder.
    const staging = mkdtempSync(join(tmpdir(), 'codegenie-cli-staging-'));
    mkdirSync(join(staging, 'tools/cache-server'), { recursive: true });
    for (const source of sources) transpile(join(REPO_ROOT, source), join(staging, source.replace(/\.ts$/, '.js')));
    try {
      renameSync(staging, out);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another worker won the race
    }
  }
  return (builtCli = join(out, 'tools/cli.js'));
}

export interface CliServer {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Every stderr line so far (the JSON logs). */
  stderr(): string[];
  /** Parsed JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Environment for a child that must not inherit the developer's tokens or AWS settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(CODEGENIE_CACHE_|AWS_|NX_)/.test(k)) env[k] = v;
  }
  return { ...env, NODE_PATH: join(REPO_ROOT, 'node_modules'), ...extra };
}

/** Starts the CLI; resolves once it printed its URL (rejects if it exits first). */
export function startCliServer(args: string[], env: NodeJS.ProcessEnv): Promise<CliServer> {
  const child = spawn(process.execPath, [buildCli(), 'cache-server', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderrLines: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderrLines.push(line));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((resolveStart, rejectStart) => {
    const stdout = createInterface({ input: child.stdout });
    stdout.once('line', (url) => {
      resolveStart({
        url,
        child,
        stderr: () => [...stderrLines],
        logs: () => stderrLines.flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
        exited,
      });
    });
    void exited.then((code) => rejectStart(new Error(`cache-server exited with ${code} before listening:\n${stderrLines.join('\n')}`)));
  });
}

/** Runs the CLI to completion (for commands that exit by themselves: help, bad options). */
export function runCliToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [buildCli(), 'cache-server', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}
