/**
 * Deterministic repository generator for codegenie's benchmarks (issue 5). See README.md.
 */
export { generateRepo, type GenerateOptions, type GenerateResult } from './generate';
export { buildRepository, countLoc, SIZE_LOC, DEFAULT_LOCKED_PACKAGES, type RepoModel, type RepoOptions, type RepoSize, type Variant } from './repository';
export { applyChange, applyChangeDetailed, churnTrace, CHANGE_KINDS, type ChangeKind, type ChangeResult, type ChurnStep } from './churn';
export { commitAll, hashDir, hashTree, listFiles, readTree, BASE_COMMIT_EPOCH } from './write-tree';
export { LOCKFILE_NAMES, PACKAGE_MANAGERS, type PackageManager } from './lockfiles';
export { Rng } from './prng';
