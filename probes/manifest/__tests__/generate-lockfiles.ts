/**
 * Test-side generators for very large lockfiles (the 50,000-package memory bar). The output is
 * shaped like what npm 9+ and pnpm 9+ write: hoisted and nested install paths, scoped names,
 * sha512 integrity strings, dependency maps, peer-suffixed snapshot keys. Deterministic: the same
 * `count` always gives the same bytes (a tiny linear congruential generator, no Math.random).
 */

interface Generated {
  name: string;
  version: string;
  deps: Array<[string, string]>;
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

/** A base64 string of the length of a sha512 integrity value, derived from `i`. */
function fakeSha512(i: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  let x = (i * 2654435761) >>> 0;
  for (let k = 0; k < 86; k++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet[x >>> 26];
  }
  return `sha512-${out}==`;
}

/** `count` distinct name@version pairs; about 10 % are second versions of an existing name. */
export function generatePackages(count: number, seed = 42): Generated[] {
  const rand = lcg(seed);
  const list: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const second = i > 10 && i % 10 === 0;
    const base = second ? list[Math.floor(rand() * (i - 1))].name : i % 7 === 0 ? `@scope-${i % 97}/pkg-${i}` : `pkg-${i}`;
    const version = second ? `${2 + (i % 5)}.${i % 13}.${100 + i}` : `${1 + (i % 4)}.${i % 17}.${i % 9}`;
    list.push({ name: base, version, deps: [] });
  }
  for (let i = 0; i < count; i++) {
    const n = Math.floor(rand() * 6);
    const seen = new Set<string>([list[i].name]);
    for (let k = 0; k < n; k++) {
      const target = list[Math.floor(rand() * count)];
      if (seen.has(target.name)) continue;
      seen.add(target.name);
      list[i].deps.push([target.name, `^${target.version}`]);
    }
  }
  return list;
}

function tarball(name: string, version: string): string {
  const bare = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `https://registry.npmjs.org/${name}/-/${bare}-${version}.tgz`;
}

/** A package-lock.json v3 with `count` packages (the first version of a name hoisted, later ones nested). */
export function generatePackageLockV3(count: number, directCount = 60): string {
  const pkgs = generatePackages(count);
  const direct = pkgs.filter((_, i) => i % Math.max(1, Math.floor(count / directCount)) === 0).slice(0, directCount);
  const root: Record<string, unknown> = {
    name: 'big-app',
    version: '1.0.0',
    license: 'MIT',
    dependencies: Object.fromEntries(direct.slice(0, directCount / 2).map((p) => [p.name, `^${p.version}`])),
    devDependencies: Object.fromEntries(direct.slice(directCount / 2).map((p) => [p.name, `^${p.version}`])),
  };
  const packages: Record<string, unknown> = { '': root };
  const hoisted = new Map<string, Generated>();
  let nestedUnder = 0;
  for (const p of pkgs) {
    let key = `node_modules/${p.name}`;
    if (hoisted.has(p.name)) {
      // A second version lives under some other package's own node_modules.
      const parent = pkgs[nestedUnder++ % pkgs.length];
      key = `node_modules/${parent.name}/node_modules/${p.name}`;
      if (packages[key]) continue;
    } else hoisted.set(p.name, p);
    const entry: Record<string, unknown> = { version: p.version, resolved: tarball(p.name, p.version), integrity: fakeSha512(pkgs.indexOf(p)) };
    if (p.deps.length > 0) entry.dependencies = Object.fromEntries(p.deps);
    if (p.name.length % 5 === 0) entry.dev = true;
    if (p.name.length % 11 === 0) entry.optional = true;
    if (p.name.length % 13 === 0) entry.engines = { node: '>=14' };
    packages[key] = entry;
  }
  return JSON.stringify({ name: 'big-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n';
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9]/.test(key) && !/[:#{}[\],&*!|>'"%@`]/.test(key.slice(1)) && !key.includes(': ') ? key : `'${key}'`;
}

/** A pnpm-lock.yaml v9 with `count` packages and the same number of snapshots. */
export function generatePnpmLockV9(count: number, directCount = 60): string {
  const pkgs = generatePackages(count);
  const direct = pkgs.filter((_, i) => i % Math.max(1, Math.floor(count / directCount)) === 0).slice(0, directCount);
  const lines: string[] = ["lockfileVersion: '9.0'", '', 'settings:', '  autoInstallPeers: true', '  excludeLinksFromLockfile: false', '', 'importers:', '', '  .:'];
  const groups: Array<[string, Generated[]]> = [
    ['dependencies', direct.slice(0, directCount / 2)],
    ['devDependencies', direct.slice(directCount / 2)],
  ];
  for (const [group, list] of groups) {
    lines.push(`    ${group}:`);
    for (const p of list) lines.push(`      ${yamlKey(p.name)}:`, `        specifier: ^${p.version}`, `        version: ${p.version}`);
  }
  lines.push('', 'packages:', '');
  pkgs.forEach((p, i) => {
    lines.push(`  ${yamlKey(`${p.name}@${p.version}`)}:`, `    resolution: {integrity: ${fakeSha512(i)}}`);
    if (i % 13 === 0) lines.push("    engines: {node: '>=14'}");
    if (i % 17 === 0) lines.push('    hasBin: true');
    lines.push('');
  });
  lines.push('snapshots:', '');
  const versionOf = new Map(pkgs.map((p) => [p.name, p.version]));
  pkgs.forEach((p, i) => {
    const suffix = i % 50 === 0 ? '(react@18.2.0)' : '';
    if (p.deps.length === 0) {
      lines.push(`  ${yamlKey(`${p.name}@${p.version}${suffix}`)}: {}`, '');
      return;
    }
    lines.push(`  ${yamlKey(`${p.name}@${p.version}${suffix}`)}:`, '    dependencies:');
    for (const [dep] of p.deps) lines.push(`      ${yamlKey(dep)}: ${versionOf.get(dep)}`);
    lines.push('');
  });
  return lines.join('\n');
}
