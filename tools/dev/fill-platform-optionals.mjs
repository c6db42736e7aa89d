#!/usr/bin/env node
/**
 * Completes package-lock.json with entries for platform-specific optional packages (other OS/CPU
 * builds of nx and ast-grep) that the registry this project is developed against does not serve.
 * `npm install` here leaves them out, and `npm ci` then refuses the lockfile as out of sync.
 * Entries carry os/cpu(/libc) so npm skips them on every other platform, exactly as it would with
 * a lockfile made against the public registry. Run after regenerating the lockfile:
 *   node tools/dev/fill-platform-optionals.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const CPU = ['arm64', 'x64', 'ia32', 'arm'];
const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', freebsd: 'freebsd' };

function platformOf(name) {
  const tail = name.split('/').pop();
  const os = Object.keys(OS).find((o) => tail.includes(`-${o}-`) || tail.endsWith(`-${o}`));
  const cpu = CPU.find((c) => tail.includes(`-${c}`));
  if (!os || !cpu) return null;
  const entry = { os: [os], cpu: [cpu] };
  if (tail.includes('-musl')) entry.libc = ['musl'];
  else if (os === 'linux' && tail.includes('-gnu')) entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key] || lock.packages[`${path}/node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[key] = { version, license: pkg.license, optional: true, ...platform };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform-specific optional entries`);
