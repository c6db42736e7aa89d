/**
 * Where codegenie keeps state that outlives one gather (the advisory store, the service's queue):
 * CODEGENIE_HOME, else $XDG_CACHE_HOME/codegenie, else ~/.cache/codegenie. Never inside a gathered
 * repository, so nothing here reaches an artifact.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CODEGENIE_HOME) return env.CODEGENIE_HOME;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'codegenie');
  return join(homedir(), '.cache', 'codegenie');
}
