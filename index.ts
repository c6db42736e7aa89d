/**
 * codegenie — an Nx plugin that gathers a deterministic repository context.
 * Nx loads this module for `plugins: ["codegenie"]` in nx.json.
 */
import { createNodesV2 } from './tools/plugin/create-nodes';

export { createNodesV2 };
/** Nx 24 reads `createNodes` with the same (array) signature as `createNodesV2`. */
export const createNodes = createNodesV2;
export { registerProbe } from './tools/registry';
export type { CodegenieOptions } from './tools/plugin/options';
export type * from './tools/probe-api';
