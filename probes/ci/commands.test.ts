import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyCommand, COMMAND_KINDS, MAX_COMMAND_LENGTH, MAX_COMMANDS_PER_SCRIPT, normalizeCommand, splitScript, targetKind } from './commands';
import { nodeVersionFromCommand } from './model';

describe('splitScript', () => {
  it('splits a `run: |` block into one command per line, dropping comments and blank lines', () => {
    const script = ['# install first', 'npm ci', '', 'npm run build   # inline comment', '  npm test', ''].join('\n');
    expect(splitScript(script)).toEqual(['npm ci', 'npm run build', 'npm test']);
  });

  it('splits on && || ; and & but keeps pipelines and redirections whole', () => {
    expect(splitScript('npm ci && npm test || echo failed; echo done')).toEqual(['npm ci', 'npm test', 'echo failed', 'echo done']);
    expect(splitScript('npm ls --json | jq .dependencies > deps.json 2>&1')).toEqual(['npm ls --json | jq .dependencies > deps.json 2>&1']);
    expect(splitScript('node server.js &\nnpx wait-on http://localhost:3000')).toEqual(['node server.js', 'npx wait-on http://localhost:3000']);
    expect(splitScript('npm test &> test.log')).toEqual(['npm test &> test.log']);
  });

  it('joins backslash continuations with one space', () => {
    expect(splitScript('docker build \\\n    --tag acme/api:1 \\\n    .')).toEqual(['docker build --tag acme/api:1 .']);
  });

  it('handles CRLF scripts', () => {
    expect(splitScript('npm ci\r\nnpm test\r\n')).toEqual(['npm ci', 'npm test']);
  });

  it('keeps separators inside quotes and $( ) as part of the command', () => {
    expect(splitScript(`echo "a; b && c" && npm test`)).toEqual(['echo "a; b && c"', 'npm test']);
    expect(splitScript(`echo 'it''s # not a comment'`)).toEqual([`echo 'it''s # not a comment'`]);
    expect(splitScript('VERSION=$(node -p "require(\'./package.json\').version"; echo x) && npm publish')).toEqual([
      'VERSION=$(node -p "require(\'./package.json\').version"; echo x)',
      'npm publish',
    ]);
  });

  it('drops heredoc bodies and shell block keywords', () => {
    const script = ['cat > .npmrc <<EOF', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}', 'EOF', 'if [ -f pnpm-lock.yaml ]; then', '  pnpm install --frozen-lockfile', 'else', '  npm ci', 'fi', 'for f in a b; do', '  echo $f', 'done'].join('\n');
    expect(splitScript(script)).toEqual(['cat > .npmrc <<EOF', '[ -f pnpm-lock.yaml ]', 'pnpm install --frozen-lockfile', 'npm ci', 'echo $f']);
  });

  it('bounds the number and length of commands', () => {
    expect(splitScript('echo x\n'.repeat(MAX_COMMANDS_PER_SCRIPT + 50))).toHaveLength(MAX_COMMANDS_PER_SCRIPT);
    expect(splitScript('a'.repeat(MAX_COMMAND_LENGTH * 2))[0]).toHaveLength(MAX_COMMAND_LENGTH);
  });
});

describe('classifyCommand', () => {
  const cases: Array<[string, string]> = [
    ['npm ci', 'install'],
    ['npm install', 'install'],
    ['npm i -g pnpm@9', 'install'],
    ['pnpm install --frozen-lockfile', 'install'],
    ['pnpm i', 'install'],
    ['yarn', 'install'],
    ['yarn install --immutable', 'install'],
    ['yarn --frozen-lockfile', 'install'],
    ['bun install', 'install'],
    ['corepack enable', 'install'],
    ['npx playwright install --with-deps', 'install'],
    ['sudo apt-get install -y libvips', 'install'],
    ['npm run build', 'build'],
    ['npm run-script build:prod', 'build'],
    ['pnpm build', 'build'],
    ['pnpm --filter @acme/web run build', 'build'],
    ['pnpm -r build', 'build'],
    ['yarn build', 'build'],
    ['yarn workspace @acme/api build', 'build'],
    ['yarn workspaces foreach -A run build', 'build'],
    ['bun run build', 'build'],
    ['nx build api', 'build'],
    ['npx nx run api:build:production', 'build'],
    ['nx run-many -t build --all', 'build'],
    ['nx run-many --target=build', 'build'],
    ['turbo run build --filter=web', 'build'],
    ['npx tsc -b', 'build'],
    ['vite build', 'build'],
    ['docker build -t acme/api .', 'build'],
    ['docker buildx build --platform linux/amd64 -t x .', 'build'],
    ['npm test', 'test'],
    ['npm t', 'test'],
    ['npm run test:unit -- --coverage', 'test'],
    ['pnpm test', 'test'],
    ['yarn test --ci', 'test'],
    ['yarn jest --ci', 'test'],
    ['bun test', 'test'],
    ['nx affected -t test', 'test'],
    ['npx nx affected --target=test --parallel=3', 'test'],
    ['nx affected:test', 'test'],
    ['npx vitest run', 'test'],
    ['./node_modules/.bin/jest --runInBand', 'test'],
    ['npx playwright test', 'test'],
    ['npx cypress run --browser chrome', 'test'],
    ['node --test test/', 'test'],
    ['CI=true npm test', 'test'],
    ['cross-env NODE_ENV=test mocha', 'test'],
    ['xvfb-run -a npm run test:e2e', 'test'],
    ['npm run lint', 'lint'],
    ['pnpm lint', 'lint'],
    ['npx eslint . --max-warnings 0', 'lint'],
    ['prettier --check .', 'lint'],
    ['npx tsc --noEmit', 'lint'],
    ['npm run typecheck', 'lint'],
    ['npm run format:check', 'lint'],
    ['nx format:check', 'lint'],
    ['docker push ghcr.io/acme/api:1.0.0', 'deploy'],
    ['docker buildx build --push -t ghcr.io/acme/api .', 'deploy'],
    ['npm publish --access public', 'deploy'],
    ['pnpm publish -r --no-git-checks', 'deploy'],
    ['yarn npm publish', 'deploy'],
    ['npx changeset publish', 'deploy'],
    ['npx semantic-release', 'deploy'],
    ['kubectl apply -f k8s/', 'deploy'],
    ['helm upgrade --install api ./chart', 'deploy'],
    ['vercel deploy --prod', 'deploy'],
    ['npx wrangler deploy', 'deploy'],
    ['flyctl deploy --remote-only', 'deploy'],
    ['npm run deploy:staging', 'deploy'],
    ['npm run release', 'deploy'],
    ['echo "hello"', 'other'],
    ['cd packages/api', 'other'],
    ['npm run generate', 'other'],
    ['npm install-test', 'test'],
    ['', 'other'],
  ];
  it.each(cases)('%s → %s', (command, kind) => {
    expect(classifyCommand(command)).toBe(kind);
  });

  it('classifies script names by their words', () => {
    expect(targetKind('test:e2e')).toBe('test');
    expect(targetKind('build-storybook')).toBe('build');
    expect(targetKind('lint:fix')).toBe('lint');
    expect(targetKind('release')).toBe('deploy');
    expect(targetKind('generate')).toBeNull();
  });

  it('removes wrappers and assignments before matching', () => {
    expect(normalizeCommand('sudo -E env FOO="a b" BAR=1 npx --yes jest')).toBe('jest');
    expect(normalizeCommand('corepack pnpm install')).toBe('pnpm install');
    expect(normalizeCommand('corepack enable')).toBe('corepack enable');
  });
});

describe('nodeVersionFromCommand', () => {
  it('reads the version nvm, volta and friends select', () => {
    expect(nodeVersionFromCommand('nvm install 20.11.1')).toBe('20.11.1');
    expect(nodeVersionFromCommand('nvm use --lts')).toBe('lts/*');
    expect(nodeVersionFromCommand('volta install node@18')).toBe('18');
    expect(nodeVersionFromCommand('mise use node@22')).toBe('22');
    expect(nodeVersionFromCommand('npm ci')).toBeUndefined();
  });
});

describe('splitter and classifier fuzzing', () => {
  const shellish = fc.array(
    fc.constantFrom('npm', 'ci', 'run', 'build', '&&', '||', ';', '|', '&', '\\\n', '\n', '\r\n', '#', "'", '"', '`', '$(', ')', '(', '<<EOF', 'EOF', '<<-X', 'X', ' ', '\t', 'if', 'then', 'fi', 'FOO=1', 'sudo', 'npx', '-w', '--filter', 'x'),
    { maxLength: 60 },
  ).map((parts) => parts.join(' '));

  it('never throws, always returns trimmed non-empty commands, deterministically', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), shellish), (script) => {
        const a = splitScript(script);
        const b = splitScript(script);
        expect(a).toEqual(b);
        for (const cmd of a) {
          expect(cmd).toBe(cmd.trim());
          expect(cmd.length).toBeGreaterThan(0);
          expect(cmd.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
          expect(COMMAND_KINDS).toContain(classifyCommand(cmd));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('classifies any string to a known kind, the same way every time', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), shellish), (cmd) => {
        const kind = classifyCommand(cmd);
        expect(COMMAND_KINDS).toContain(kind);
        expect(classifyCommand(cmd)).toBe(kind);
      }),
      { numRuns: 300 },
    );
  });

  it('stays linear on inputs built to make regular expressions backtrack', () => {
    // Each of these took exponential time with an ambiguous flag pattern; now each is one pass.
    const hostile = [
      'npm ' + '-w '.repeat(400) + 'x',
      'pnpm ' + '--filter -F '.repeat(300),
      'npm ' + 'a '.repeat(900) + 'publis',
      'A=' + 'a'.repeat(1900) + '!',
      'yarn ' + 'workspace '.repeat(300),
      'nx affected ' + '-t'.repeat(900),
    ];
    for (const cmd of hostile) expect(COMMAND_KINDS).toContain(classifyCommand(cmd));
    expect(splitScript('$('.repeat(5000) + '\n' + '"'.repeat(5001)).length).toBeLessThanOrEqual(MAX_COMMANDS_PER_SCRIPT);
  });
});
