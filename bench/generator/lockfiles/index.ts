/** One entry point per package manager: write a lockfile from the graph, or bump one package in it. */
import type { LockGraph } from '../dependency-graph';
import { bumpBunLock, writeBunLock } from './bun';
import { bumpNpmLock, writeNpmLock } from './npm';
import { bumpPnpmLock, writePnpmLock } from './pnpm';
import type { BumpEdit, LockfileContext, PackageManager } from './types';
import { bumpYarnBerryLock, writeYarnBerryLock } from './yarn-berry';
import { bumpYarnClassicLock, writeYarnClassicLock } from './yarn-classic';

export * from './types';

export function writeLockfile(pm: PackageManager, graph: LockGraph, ctx: LockfileContext): string {
  switch (pm) {
    case 'npm':
      return writeNpmLock(graph, ctx);
    case 'pnpm':
      return writePnpmLock(graph);
    case 'yarn-classic':
      return writeYarnClassicLock(graph);
    case 'yarn-berry':
      return writeYarnBerryLock(graph);
    case 'bun':
      return writeBunLock(graph);
  }
}

export interface BumpContext {
  /** The `name` of the importer whose manifest was bumped. */
  importerName: string;
  /** Another manifest still declares the old range (Yarn keeps that descriptor then). */
  otherManifestsWantOld: boolean;
}

export function bumpLockfile(pm: PackageManager, text: string, edit: BumpEdit, ctx: BumpContext): string {
  switch (pm) {
    case 'npm':
      return bumpNpmLock(text, edit);
    case 'pnpm':
      return bumpPnpmLock(text, edit);
    case 'yarn-classic':
      return bumpYarnClassicLock(text, edit, ctx.otherManifestsWantOld);
    case 'yarn-berry':
      return bumpYarnBerryLock(text, edit, ctx.importerName);
    case 'bun':
      return bumpBunLock(text, edit);
  }
}
