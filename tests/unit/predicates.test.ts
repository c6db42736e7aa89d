import { describe, expect, it } from 'vitest';
import { evaluate, evidence, select } from '../../tools/gather/predicates';

const ctx = {
  'build-system': { lockfiles: [], node: { constraints: [{ source: '.nvmrc', value: '20' }] } },
  deployment: { dockerfiles: [{ path: 'Dockerfile', from: [{ image: 'node', pinned: false }, { image: 'gcr.io/distroless', pinned: true }] }] },
};

describe('catalog predicates', () => {
  it('selects through flattened arrays', () => {
    expect(select(ctx, 'deployment.dockerfiles[].from[].pinned')).toEqual([false, true]);
    expect(select(ctx, 'missing.path')).toEqual([]);
  });

  it('evaluates exists, empty, equals, all/any/not', () => {
    expect(evaluate({ path: 'build-system.lockfiles', empty: true }, ctx)).toBe(true);
    expect(evaluate({ path: 'build-system.node.constraints', exists: true }, ctx)).toBe(true);
    expect(evaluate({ path: 'deployment.dockerfiles[].from[].pinned', equals: false }, ctx)).toBe(true);
    expect(evaluate({ all: [{ path: 'x', exists: false }, { not: { path: 'build-system.lockfiles', empty: false } }] }, ctx)).toBe(true);
    expect(evaluate({ any: [{ path: 'x', exists: true }, { path: 'y', exists: true }] }, ctx)).toBe(false);
    expect(evaluate({ path: 'build-system.node.constraints[].value', matches: '^2\\d$' }, ctx)).toBe(true);
  });

  it('an absent slice never matches a positive test', () => {
    expect(evaluate({ path: 'manifest.native_modules', exists: true }, {})).toBe(false);
    expect(evaluate({ path: 'manifest.native_modules', truthy: true }, {})).toBe(false);
  });

  it('collects sorted, deduplicated evidence', () => {
    expect(evidence(ctx, 'deployment.dockerfiles[].from[].image')).toEqual(['gcr.io/distroless', 'node']);
  });
});
