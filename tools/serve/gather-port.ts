/**
 * The one place the service meets `codegenie gather` (issue 11). The contract's types come from
 * tools/gather-cli/contract.ts; `loadGatherFunction` picks, in order:
 *   1. a module named by `--gather-module` / CODEGENIE_GATHER_MODULE (tests inject a real function
 *      with controllable duration and failure this way; deployments can point at a wrapper);
 *   2. the in-process `gatherRepository` from ../gather-cli/gather-repository, when built;
 *   3. the CLI: `node <package>/dist/tools/cli.js gather <path> --rev R --mode M --state-dir D --json`
 *      in its own process group, so a timeout or shutdown kills the whole Nx process tree.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { GatherFunction, GatherOutcome } from '../gather-cli/contract';

// The contract's types live in one place; the service's modules keep importing them from here.
export { FRESHNESS_MODES } from '../gather-cli/contract';
export type { FreshnessMode, GatherFunction, GatherOutcome, GatherRequest } from '../gather-cli/contract';

export interface LoadedGather {
  gather: GatherFunction;
  /** `module:<file>`, `in-process`, or `cli:<file>`: shown on /readyz and in the start-up log. */
  kind: string;
}

/** The package root: dist/tools/serve/ → three levels up (two from the sources under tools/serve). */
function packageRoot(): string {
  const up3 = resolve(__dirname, '..', '..', '..');
  return existsSync(join(up3, 'package.json')) ? up3 : resolve(__dirname, '..', '..');
}

function loadModuleGather(file: string): GatherFunction {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(resolve(file)) as { gatherRepository?: GatherFunction; default?: GatherFunction };
  const fn = mod.gatherRepository ?? mod.default;
  if (typeof fn !== 'function') throw new Error(`${file} exports no gatherRepository function`);
  return fn;
}

function inProcessGather(): GatherFunction | undefined {
  const candidate = join(__dirname, '..', 'gather-cli', 'gather-repository');
  if (!existsSync(`${candidate}.js`) && !existsSync(`${candidate}.ts`)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(candidate) as { gatherRepository: GatherFunction }).gatherRepository;
}

/** Kills a detached child's whole process group (the gather's Nx processes included). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Process groups of running CLI gathers, killed when the service exits so no orphan survives. */
export const liveGatherGroups = new Set<number>();

export function cliGather(cliFile: string): GatherFunction {
  return (req) =>
    new Promise<GatherOutcome>((resolvePromise, reject) => {
      const args = [cliFile, 'gather', req.path, '--json'];
      if (req.rev) args.push('--rev', req.rev);
      if (req.mode) args.push('--mode', req.mode);
      if (req.stateDir) args.push('--state-dir', req.stateDir);
      if (req.outDir) args.push('--out', req.outDir);
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const pid = child.pid;
      if (pid) liveGatherGroups.add(pid);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
      const onAbort = (): void => killGroup(pid);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', reject);
      child.on('close', (code) => {
        req.signal?.removeEventListener('abort', onAbort);
        if (pid) {
          killGroup(pid); // Nx may leave grandchildren behind in the group
          liveGatherGroups.delete(pid);
        }
        if (req.signal?.aborted) return reject(new Error('gather aborted'));
        try {
          resolvePromise(JSON.parse(stdout) as GatherOutcome);
        } catch {
          reject(new Error(`gather CLI exited ${code} without a JSON outcome: ${stderr.trim().split('\n').pop() ?? ''}`));
        }
      });
    });
}

export function loadGatherFunction(moduleFile?: string): LoadedGather {
  if (moduleFile) return { gather: loadModuleGather(moduleFile), kind: `module:${moduleFile}` };
  const inProcess = inProcessGather();
  if (inProcess) return { gather: inProcess, kind: 'in-process' };
  const cli = join(packageRoot(), 'dist', 'tools', 'cli.js');
  return { gather: cliGather(cli), kind: `cli:${cli}` };
}
