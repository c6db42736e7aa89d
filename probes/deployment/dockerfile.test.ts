import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeDockerfile, parseCommand, parseDockerfileInstructions, substitute } from './dockerfile';

const FIXTURE = join(__dirname, '../../fixtures/deployment/full-stack');

describe('parseDockerfileInstructions', () => {
  it('joins continuations across comment and blank lines and skips comments', () => {
    const parsed = parseDockerfileInstructions('# comment\nFROM node:20\nRUN npm ci \\\n  # inside\n\n  && npm test\nCMD ["node"]\n');
    expect(parsed.instructions).toEqual([
      { keyword: 'FROM', args: 'node:20', line: 2 },
      { keyword: 'RUN', args: 'npm ci   && npm test', line: 3 },
      { keyword: 'CMD', args: '["node"]', line: 7 },
    ]);
  });

  it('reads the escape and syntax directives', () => {
    const parsed = parseDockerfileInstructions('# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\\\n');
    expect(parsed.escape).toBe('`');
    expect(parsed.syntax).toBe('docker/dockerfile:1');
    expect(parsed.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN']);
    expect(parsed.instructions[1].args).toBe('dir   c:\\\\');
  });

  it('directives after the first instruction are comments', () => {
    expect(parseDockerfileInstructions('FROM a\n# escape=`\n').escape).toBe('\\');
  });

  it('skips heredoc bodies (also <<- and quoted delimiters)', () => {
    const parsed = parseDockerfileInstructions('FROM node\nRUN <<EOF\nFROM evil\nEOF\nCOPY <<-"END" /x\n\tUSER root\n\tEND\nUSER node\n');
    expect(parsed.instructions.map((i) => `${i.keyword} ${i.args}`)).toEqual(['FROM node', 'RUN <<EOF', 'COPY <<-"END" /x', 'USER node']);
  });

  it('reads CRLF, CR and BOM-prefixed files like LF ones', () => {
    const lf = 'FROM node:20 AS build\nRUN a \\\n  b\nUSER node\n';
    const expected = parseDockerfileInstructions(lf);
    expect(parseDockerfileInstructions('\uFEFF' + lf.replace(/\n/g, '\r\n'))).toEqual(expected);
    expect(parseDockerfileInstructions(lf.replace(/\n/g, '\r'))).toEqual(expected);
  });
});

describe('substitute', () => {
  const vars = new Map<string, string | undefined>([['A', '1'], ['E', ''], ['U', undefined]]);
  it.each([
    ['$A', '1'],
    ['${A}', '1'],
    ['x${A}y', 'x1y'],
    ['${B:-def}', 'def'],
    ['${E:-def}', 'def'],
    ['${E-def}', ''],
    ['${A:+set}', 'set'],
    ['${B:+set}', ''],
    ['\\$A', '\\$A'],
    ['${U}', '${U}'],
    ['$B', '$B'],
  ])('%s → %s', (input, out) => expect(substitute(input, vars).value).toBe(out));

  it('reports unresolved names', () => expect(substitute('${X}-$Y-${A}', vars).unresolved).toEqual(['X', 'Y']));
});

describe('parseCommand', () => {
  it('exec form is a JSON array of strings; anything else is the shell form', () => {
    expect(parseCommand('["node", "server.js"]', 3)).toEqual({ form: 'exec', args: ['node', 'server.js'], line: 3 });
    expect(parseCommand('node server.js', 4)).toEqual({ form: 'shell', command: 'node server.js', line: 4 });
    expect(parseCommand("['node']", 5)).toEqual({ form: 'shell', command: "['node']", line: 5 });
    expect(parseCommand('["node", 1]', 6).form).toBe('shell');
  });
});

describe('analyzeDockerfile', () => {
  it('reads the multi-stage fixture: ARG defaults in FROM, stages, pinning, effective CMD/USER/EXPOSE', () => {
    const facts = analyzeDockerfile(readFileSync(join(FIXTURE, 'Dockerfile'), 'utf8'));
    expect(facts.syntax).toBe('docker/dockerfile:1.7');
    expect(facts.stages.map((s) => [s.name, s.from.image, s.from.pin, s.from.node_major])).toEqual([
      ['deps', 'node:20.11.1-alpine', 'tag', 20],
      ['build', 'node:20.11.1-alpine', 'tag', 20],
      ['runtime', 'gcr.io/distroless/nodejs20-debian12@sha256:3f6f0b1b4a9c0a58a5f5e0f0bc0a6d4f8e6a3e2c4b4f1c2d9e8a7b6c5d4e3f21', 'digest', 20],
    ]);
    expect(facts.stages[0].from.raw).toBe('node:${NODE_VERSION}-alpine');
    expect(facts.final_stage).toEqual({ index: 2, name: 'runtime' });
    expect(facts.cmd).toEqual({ form: 'exec', args: ['dist/server.js'], line: 34 });
    expect(facts.entrypoint).toBeNull();
    expect(facts.user).toBe('nonroot');
    expect(facts.expose).toEqual(['8080', '9464/tcp']);
    expect(facts.node_majors).toEqual([20]);
  });

  it('inherits through FROM <stage>; an ENTRYPOINT clears an inherited CMD', () => {
    const facts = analyzeDockerfile(readFileSync(join(FIXTURE, 'apps/worker/Dockerfile'), 'utf8'));
    expect(facts.stages[1].from).toMatchObject({ kind: 'stage', image: 'base', pin: null, pinned: null });
    expect(facts.stages[0].cmd).toEqual({ form: 'shell', command: 'node worker.js --queue default', line: 6 });
    expect(facts.cmd).toBeNull();
    expect(facts.entrypoint).toEqual({ form: 'exec', args: ['/usr/bin/tini', '--', 'node', 'worker.js'], line: 9 });
    expect(facts.base_images).toEqual(['node:lts']);
    expect(facts.stages[0].from.pin).toBe('floating');
  });

  it('keeps a CMD set in the same stage before ENTRYPOINT, and inherits EXPOSE/USER', () => {
    const facts = analyzeDockerfile('FROM node:20 AS a\nEXPOSE 80\nUSER app\nFROM a\nCMD ["serve"]\nENTRYPOINT ["tini"]\nEXPOSE 443/TCP\n');
    expect(facts.cmd).toMatchObject({ form: 'exec', args: ['serve'] });
    expect(facts.expose).toEqual(['443/tcp', '80']);
    expect(facts.user).toBe('app');
  });

  it('reads the CRLF and BOM fixtures', () => {
    const dev = analyzeDockerfile(readFileSync(join(FIXTURE, 'docker/dev.Dockerfile'), 'utf8'));
    expect(dev.stages[0].from).toMatchObject({ image: 'node', pin: 'none', pinned: false });
    expect(dev.cmd).toEqual({ form: 'exec', args: ['nodemon', '--watch', 'src', 'src/server.ts'], line: 7 });
    expect(dev.user).toBe('node');
    const migrations = analyzeDockerfile(readFileSync(join(FIXTURE, 'Dockerfile.migrations'), 'utf8'));
    expect(migrations.stages[0].from).toMatchObject({ platform: 'linux/amd64', repository: 'postgres', tag: '16.3', pin: 'digest', pinned: true });
    expect(migrations.stages[0].name).toBe('migrations');
  });

  it('ARG without a default leaves the FROM unresolved; stage ARGs do not reach FROM', () => {
    const facts = analyzeDockerfile('ARG BASE\nARG TAG=18\nFROM ${BASE}:${TAG}\nARG LATER=20\nFROM node:${LATER}\nFROM scratch\n');
    expect(facts.stages[0].from).toMatchObject({ image: '${BASE}:18', unresolved_args: ['BASE'], pin: 'unresolved' });
    expect(facts.stages[1].from).toMatchObject({ image: 'node:${LATER}', unresolved_args: ['LATER'] });
    expect(facts.stages[2].from).toMatchObject({ kind: 'scratch', pin: null });
    expect(facts.base_images).toEqual(['${BASE}:18', 'node:${LATER}']);
  });

  it('stage names compare case-insensitively; only earlier stages count', () => {
    const facts = analyzeDockerfile('FROM node:20 AS Builder\nFROM builder\nFROM later\nFROM node:22 AS later\n');
    expect(facts.stages.map((s) => s.from.kind)).toEqual(['image', 'stage', 'image', 'image']);
  });

  it('counts instructions before FROM and survives a file without FROM', () => {
    const facts = analyzeDockerfile('RUN echo hi\nCMD ["x"]\n');
    expect(facts.stages).toEqual([]);
    expect(facts.final_stage).toBeNull();
    expect(facts.instructions_before_from).toBe(2);
  });
});

describe('Dockerfile parser fuzzing', () => {
  const real = readFileSync(join(FIXTURE, 'Dockerfile'), 'utf8');
  const dockerish = fc
    .array(fc.constantFrom('FROM', 'from', 'ARG', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'USER', 'ENV', 'RUN', ' ', '\n', '\r\n', '\\', '`', '#', '# escape=`\n', '<<EOF', 'EOF', '${X:-y}', '$X', '[', ']', '"', 'AS', 'node:20', '@sha256:aa', '--platform=x', '=', 'scratch'), { maxLength: 80 })
    .map((parts) => parts.join(' '));
  const mutatedReal = fc.tuple(fc.nat(real.length), fc.nat(40), fc.string({ maxLength: 20 })).map(([at, cut, insert]) => real.slice(0, at) + insert + real.slice(at + cut));

  it('never throws, is deterministic, and has one stage per FROM instruction', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), dockerish, mutatedReal), (text) => {
        const a = analyzeDockerfile(text);
        expect(JSON.stringify(analyzeDockerfile(text))).toBe(JSON.stringify(a));
        const froms = parseDockerfileInstructions(text).instructions.filter((i) => i.keyword === 'FROM').length;
        expect(a.stages).toHaveLength(froms);
        expect([...a.base_images].sort()).toEqual(a.base_images);
        for (const s of a.stages) expect([...s.expose].sort()).toEqual(s.expose);
      }),
      { numRuns: 1500 },
    );
  });

  it('is linear on a huge file', () => {
    // One 100,000-line RUN (a blank line would not end it: continuations skip blank lines), then more.
    const big = 'FROM node:20\n' + 'RUN echo \\\n  x \\\n'.repeat(50_000) + '  end\nCMD ["node"]\n' + 'EXPOSE 1\n'.repeat(50_000);
    const facts = analyzeDockerfile(big);
    expect(facts.stages).toHaveLength(1);
    expect(facts.cmd).toMatchObject({ form: 'exec' });
  });
});
