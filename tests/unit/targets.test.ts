import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../../tools/plugin/options';
import { REPO_SCOPE, fingerprintNodes, packageScope, scopeTargets } from '../../tools/plugin/targets';
import type { RegisteredProbe } from '../../tools/registry';

function probe(name: string, extra: Partial<RegisteredProbe> = {}): RegisteredProbe {
  return {
    name,
    version: '3',
    description: name,
    inputs: ['package.json', '!**/node_modules/**'],
    heaviness: 'light',
    runsLast: false,
    usesFileIndex: false,
    repoOnly: false,
    folder: '/x',
    run: async () => ({ slice: {} }),
    ...extra,
  };
}

describe('inferred targets', () => {
  const probes = [probe('alpha'), probe('paths', { usesFileIndex: true, inputs: [] }), probe('health', { runsLast: true, inputs: [] }), probe('org', { repoOnly: true })];
  const options = normalizeOptions({});

  it('anchors declared inputs at the scope and adds a per-probe version input', () => {
    const t = scopeTargets(REPO_SCOPE, probes, options, ['node_modules'], '9.9.9');
    expect(t['probe-alpha'].inputs).toEqual([
      '{workspaceRoot}/package.json',
      '!{workspaceRoot}/**/node_modules/**',
      { externalDependencies: ['@codegenie/fingerprint-alpha'] },
    ]);
    // The fingerprint node carries the versions into the hash.
    const node = fingerprintNodes(probes, options, '9.9.9')['npm:@codegenie/fingerprint-alpha'];
    expect(node.data.hash).toContain('probe=alpha@3');
    expect(node.data.hash).toContain('codegenie=9.9.9');
    expect(t['probe-alpha'].outputs).toEqual(['{workspaceRoot}/.codegenie/context/raw/alpha.json']);
    // Versions stay out of options: options enter the hash of every target of the project.
    expect(JSON.stringify(t['probe-alpha'].options)).not.toContain('3');
    expect(t['probe-alpha'].cache).toBe(true);
  });

  it('makes paths-only probes depend on the file index output, runsLast probes on every sibling', () => {
    const t = scopeTargets(REPO_SCOPE, probes, options, [], '1');
    expect(t['probe-paths'].dependsOn).toEqual(['file-index']);
    expect(t['probe-paths'].inputs).toContainEqual({ dependentTasksOutputFiles: '**/raw/file-index.json', transitive: false });
    expect(t['probe-health'].dependsOn).toEqual(['probe-alpha', 'probe-org', 'probe-paths']);
    expect(t.gather.dependsOn).toEqual(['file-index', 'probe-alpha', 'probe-health', 'probe-org', 'probe-paths']);
  });

  it('puts the file index with the file-reading probes and every reader of other outputs in the second wave', () => {
    const t = scopeTargets(REPO_SCOPE, probes, options, [], '1');
    const executors = Object.fromEntries(Object.entries(t).map(([name, target]) => [name, target.executor]));
    expect(executors).toEqual({
      'file-index': 'codegenie:probe',
      'probe-alpha': 'codegenie:probe',
      'probe-org': 'codegenie:probe',
      'probe-paths': 'codegenie:probe-wave-2',
      'probe-health': 'codegenie:probe-wave-2',
      gather: 'codegenie:probe-wave-2',
    });
    expect(t['file-index'].options).toEqual({ scope: '', fileIndex: true });
  });

  it('scopes package targets at {projectRoot} and leaves repo-only probes out', () => {
    const t = scopeTargets(packageScope('packages/api'), probes, normalizeOptions({ probeTargetPrefix: 'cg-', gatherTargetName: 'context' }), [], '1');
    expect(Object.keys(t).sort()).toEqual(['cg-alpha', 'cg-health', 'cg-paths', 'context', 'file-index']);
    expect(t['cg-alpha'].inputs![0]).toBe('{projectRoot}/package.json');
    expect(t.context.outputs).toEqual(['{projectRoot}/.codegenie/context/repo-context.yaml', '{projectRoot}/.codegenie/context/views.json']);
  });

  it('a probe version bump changes that probe fingerprint only, and no target configuration', () => {
    const bumped = [probe('alpha', { version: '4' }), ...probes.slice(1)];
    // Everything Nx hashes stays the same (metadata, shown by `nx show project`, is not hashed).
    const hashed = (t: ReturnType<typeof scopeTargets>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { ...v, metadata: undefined }]));
    expect(hashed(scopeTargets(REPO_SCOPE, bumped, options, [], '1'))).toEqual(hashed(scopeTargets(REPO_SCOPE, probes, options, [], '1')));
    const a = fingerprintNodes(probes, options, '1');
    const b = fingerprintNodes(bumped, options, '1');
    for (const name of Object.keys(a)) {
      if (name === 'npm:@codegenie/fingerprint-alpha') expect(b[name].data.hash).not.toBe(a[name].data.hash);
      else expect(b[name]).toEqual(a[name]);
    }
    // A codegenie version bump changes every fingerprint.
    const c = fingerprintNodes(probes, options, '2');
    for (const name of Object.keys(a)) expect(c[name].data.hash).not.toBe(a[name].data.hash);
  });
});
