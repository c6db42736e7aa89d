/**
 * Configuration around the code: TypeScript, ESLint, the test runner, Node version, Git and
 * Docker ignores, GitHub Actions workflows, the Dockerfile and a Helm chart. Each follows the
 * chosen package manager (install command, cache, lockfile name).
 */
import { createHash } from 'node:crypto';
import type { TestRunner } from './known-packages';
import { LOCKFILE_NAMES, type PackageManager } from './lockfiles/types';
import type { Rng } from './prng';

export type Files = Record<string, string>;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const PACKAGE_MANAGER_FIELD: Record<PackageManager, string> = {
  npm: 'npm@10.9.3',
  pnpm: 'pnpm@10.12.4',
  'yarn-classic': 'yarn@1.22.22',
  'yarn-berry': 'yarn@4.9.2',
  bun: 'bun@1.3.1',
};

export const INSTALL_COMMAND: Record<PackageManager, string> = {
  npm: 'npm ci',
  pnpm: 'pnpm install --frozen-lockfile',
  'yarn-classic': 'yarn install --frozen-lockfile',
  'yarn-berry': 'yarn install --immutable',
  bun: 'bun install --frozen-lockfile',
};

export const RUN_COMMAND: Record<PackageManager, string> = {
  npm: 'npm run',
  pnpm: 'pnpm run',
  'yarn-classic': 'yarn',
  'yarn-berry': 'yarn',
  bun: 'bun run',
};

export function tsconfigFiles(rng: Rng, opts: { monorepo: boolean }): Files {
  const base = {
    $schema: 'https://json.schemastore.org/tsconfig',
    compilerOptions: {
      target: rng.pick(['ES2022', 'ES2023']),
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      strict: true,
      noUncheckedIndexedAccess: rng.chance(0.5),
      noImplicitOverride: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      forceConsistentCasingInFileNames: true,
      declaration: true,
      sourceMap: true,
      incremental: true,
    },
  };
  if (opts.monorepo) {
    return {
      'tsconfig.base.json': json(base),
      'tsconfig.json': json({ extends: './tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['packages/*/src', 'apps/*/src'] }),
    };
  }
  return {
    'tsconfig.base.json': json(base),
    'tsconfig.json': json({ extends: './tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src', types: ['node'] }, include: ['src'], exclude: ['**/*.test.ts', '**/*.spec.ts'] }),
    'tsconfig.test.json': json({ extends: './tsconfig.json', compilerOptions: { rootDir: '.', noEmit: true }, include: ['src', 'test'] }),
  };
}

export function workspaceTsconfig(): string {
  return json({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'], exclude: ['**/*.test.ts', '**/*.spec.ts'] });
}

export function eslintConfig(runner: TestRunner): string {
  return json({
    root: true,
    parser: '@typescript-eslint/parser',
    parserOptions: { ecmaVersion: 2023, sourceType: 'module', project: './tsconfig.json' },
    plugins: ['@typescript-eslint', 'import'],
    extends: ['eslint:recommended', 'plugin:@typescript-eslint/recommended', 'plugin:import/typescript', 'plugin:n/recommended', 'prettier'],
    env: { node: true, es2023: true, ...(runner === 'jest' ? { jest: true } : {}) },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import/order': ['warn', { 'newlines-between': 'never', alphabetize: { order: 'asc' } }],
      'n/no-missing-import': 'off',
      'no-console': 'warn',
    },
    overrides: [{ files: ['*.js'], rules: { '@typescript-eslint/no-var-requires': 'off' } }],
    ignorePatterns: ['dist/', 'coverage/', 'node_modules/'],
  });
}

export function testRunnerConfig(runner: TestRunner, rng: Rng): Files {
  if (runner === 'vitest') {
    return {
      'vitest.config.ts': [
        "import tsconfigPaths from 'vite-tsconfig-paths';",
        "import { defineConfig } from 'vitest/config';",
        '',
        'export default defineConfig({',
        '  plugins: [tsconfigPaths()],',
        '  test: {',
        "    environment: 'node',",
        "    include: ['src/**/*.{test,spec}.ts', 'test/**/*.test.ts'],",
        "    setupFiles: ['test/setup.ts'],",
        `    testTimeout: ${rng.pick([10_000, 20_000, 30_000])},`,
        "    pool: 'forks',",
        '    coverage: {',
        "      provider: 'v8',",
        "      reporter: ['text', 'lcov'],",
        "      include: ['src/**/*.ts'],",
        "      exclude: ['src/**/*.test.ts', 'src/**/*.spec.ts'],",
        `      thresholds: { lines: ${rng.pick([70, 75, 80])}, branches: ${rng.pick([60, 65, 70])} },`,
        '    },',
        '  },',
        '});',
        '',
      ].join('\n'),
    };
  }
  return {
    'jest.config.js': [
      "/** @type {import('jest').Config} */",
      'module.exports = {',
      "  preset: 'ts-jest',",
      "  testEnvironment: 'node',",
      "  roots: ['<rootDir>/src', '<rootDir>/test'],",
      "  testMatch: ['**/*.test.ts', '**/*.spec.ts'],",
      "  setupFiles: ['<rootDir>/test/setup.ts'],",
      "  transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },",
      "  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.spec.ts'],",
      `  coverageThreshold: { global: { lines: ${rng.pick([70, 75, 80])}, branches: ${rng.pick([60, 65, 70])} } },`,
      `  testTimeout: ${rng.pick([10000, 20000, 30000])},`,
      '};',
      '',
    ].join('\n'),
  };
}

export function gitignore(pm: PackageManager): string {
  const lines = ['node_modules/', 'dist/', 'coverage/', '.nx/', '.codegenie/', '*.log', '.env', '.env.*', '!.env.example', '*.tsbuildinfo', '.DS_Store'];
  if (pm === 'yarn-berry') lines.push('.yarn/*', '!.yarn/patches', '!.yarn/plugins', '!.yarn/releases', '.pnp.*');
  return `${lines.join('\n')}\n`;
}

/** Deterministic stand-in for an image digest. */
function digest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export const NODE_BUILDER_TAGS = ['20.18.1-alpine3.20', '20.18.3-alpine3.21', '20.19.0-alpine3.21', '20.19.2-alpine3.21', '20.19.4-alpine3.22'];

export function dockerfile(rng: Rng, pm: PackageManager, opts: { monorepo: boolean; port: number; seed: string }): string {
  const lock = LOCKFILE_NAMES[pm];
  const builderTag = rng.pick(NODE_BUILDER_TAGS);
  const setup =
    pm === 'pnpm' || pm === 'yarn-berry'
      ? ['RUN corepack enable']
      : pm === 'bun'
        ? [`RUN npm install -g ${PACKAGE_MANAGER_FIELD.bun}`]
        : [];
  const extraFiles = pm === 'yarn-berry' ? ' .yarnrc.yml' : pm === 'pnpm' && opts.monorepo ? ' pnpm-workspace.yaml' : '';
  const prune: Record<PackageManager, string> = {
    npm: 'npm prune --omit=dev',
    pnpm: 'pnpm prune --prod',
    'yarn-classic': 'yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline',
    'yarn-berry': 'yarn workspaces focus --all --production',
    bun: 'rm -rf node_modules && bun install --frozen-lockfile --production',
  };
  return [
    '# syntax=docker/dockerfile:1.7',
    '',
    `FROM node:${builderTag} AS builder`,
    'WORKDIR /app',
    ...setup,
    `COPY package.json ${lock}${extraFiles} ./`,
    ...(opts.monorepo ? ['COPY packages ./packages', 'COPY apps ./apps'] : []),
    `RUN --mount=type=cache,target=/root/.cache ${INSTALL_COMMAND[pm]}`,
    'COPY tsconfig*.json ./',
    ...(opts.monorepo ? [] : ['COPY src ./src', 'COPY migrations ./migrations']),
    `RUN ${RUN_COMMAND[pm]} build`,
    `RUN ${prune[pm]}`,
    '',
    `FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:${digest(`${opts.seed}/distroless`)} AS runtime`,
    'WORKDIR /app',
    'ENV NODE_ENV=production',
    `ENV NODE_OPTIONS=--max-old-space-size=${rng.pick([256, 384, 512])}`,
    'COPY --from=builder /app/node_modules ./node_modules',
    opts.monorepo ? 'COPY --from=builder /app/apps ./apps' : 'COPY --from=builder /app/dist ./dist',
    'COPY --from=builder /app/package.json ./package.json',
    'USER nonroot',
    `EXPOSE ${opts.port}`,
    `CMD ["${opts.monorepo ? 'apps/api/dist/index.js' : 'dist/index.js'}"]`,
    '',
  ].join('\n');
}

function setupSteps(pm: PackageManager): string[] {
  const cache = pm === 'yarn-classic' || pm === 'yarn-berry' ? 'yarn' : pm === 'bun' ? '' : pm;
  const steps: string[] = [];
  if (pm === 'pnpm') steps.push('      - uses: pnpm/action-setup@v4');
  if (pm === 'yarn-berry') steps.push('      - run: corepack enable');
  steps.push('      - uses: actions/setup-node@v4', '        with:', '          node-version: ${{ matrix.node-version }}');
  if (cache) steps.push(`          cache: ${cache}`);
  if (pm === 'bun') steps.push('      - uses: oven-sh/setup-bun@v2', '        with:', `          bun-version: ${PACKAGE_MANAGER_FIELD.bun.split('@')[1]}`);
  steps.push(`      - run: ${INSTALL_COMMAND[pm]}`);
  return steps;
}

export function workflows(rng: Rng, pm: PackageManager, opts: { name: string; runner: TestRunner }): Files {
  const run = RUN_COMMAND[pm];
  const matrix = rng.pick([['20.x', '22.x'], ['18.x', '20.x', '22.x'], ['20.x', '22.x', '24.x']]);
  const ci = [
    'name: ci',
    '',
    'on:',
    '  push:',
    '    branches: [main]',
    '  pull_request:',
    '',
    'concurrency:',
    '  group: ${{ github.workflow }}-${{ github.ref }}',
    '  cancel-in-progress: true',
    '',
    'permissions:',
    '  contents: read',
    '',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    `    timeout-minutes: ${rng.pick([15, 20, 30])}`,
    '    strategy:',
    '      fail-fast: false',
    '      matrix:',
    `        node-version: [${matrix.join(', ')}]`,
    '    services:',
    '      postgres:',
    '        image: postgres:16-alpine',
    '        env:',
    '          POSTGRES_PASSWORD: postgres',
    '          POSTGRES_DB: test',
    '        ports: ["5432:5432"]',
    '        options: >-',
    '          --health-cmd "pg_isready -U postgres"',
    '          --health-interval 5s',
    '          --health-retries 10',
    '    env:',
    '      TEST_DATABASE_URL: postgres://postgres:postgres@localhost:5432/test',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...setupSteps(pm),
    `      - run: ${run} lint`,
    `      - run: ${run} typecheck`,
    `      - run: ${run} test${opts.runner === 'vitest' ? ' -- --coverage' : ' -- --coverage'}`,
    '      - uses: actions/upload-artifact@v4',
    "        if: matrix.node-version == '20.x'",
    '        with:',
    '          name: coverage',
    '          path: coverage/',
    '',
  ].join('\n');
  const release = [
    'name: release',
    '',
    'on:',
    '  push:',
    "    tags: ['v*.*.*']",
    '',
    'permissions:',
    '  contents: write',
    '  packages: write',
    '  id-token: write',
    '',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    `    timeout-minutes: ${rng.pick([20, 30, 45])}`,
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/setup-buildx-action@v3',
    '      - uses: docker/login-action@v3',
    '        with:',
    '          registry: ghcr.io',
    '          username: ${{ github.actor }}',
    '          password: ${{ secrets.GITHUB_TOKEN }}',
    '      - uses: docker/metadata-action@v5',
    '        id: meta',
    '        with:',
    `          images: ghcr.io/\${{ github.repository_owner }}/${opts.name}`,
    '          tags: type=semver,pattern={{version}}',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          push: true',
    '          tags: ${{ steps.meta.outputs.tags }}',
    '          cache-from: type=gha',
    '          cache-to: type=gha,mode=max',
    '  chart:',
    '    needs: image',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: azure/setup-helm@v4',
    `      - run: helm lint charts/${opts.name}`,
    `      - run: helm package charts/${opts.name} --app-version \${GITHUB_REF_NAME#v}`,
    '',
  ].join('\n');
  return { '.github/workflows/ci.yml': ci, '.github/workflows/release.yml': release };
}

export function helmChart(rng: Rng, name: string, port: number): Files {
  const dir = `charts/${name}`;
  return {
    [`${dir}/Chart.yaml`]: [
      'apiVersion: v2',
      `name: ${name}`,
      `description: Helm chart for the ${name} service`,
      'type: application',
      `version: ${rng.int(0, 2)}.${rng.int(1, 12)}.${rng.int(0, 9)}`,
      `appVersion: "${rng.int(1, 4)}.${rng.int(0, 30)}.${rng.int(0, 9)}"`,
      'dependencies:',
      '  - name: postgresql',
      `    version: ${rng.pick(['15.5.38', '16.4.2', '16.7.13'])}`,
      '    repository: oci://registry-1.docker.io/bitnamicharts',
      '    condition: postgresql.enabled',
      '',
    ].join('\n'),
    [`${dir}/values.yaml`]: [
      `replicaCount: ${rng.int(2, 4)}`,
      '',
      'image:',
      `  repository: ghcr.io/example/${name}`,
      '  tag: ""',
      '  pullPolicy: IfNotPresent',
      '',
      'service:',
      '  type: ClusterIP',
      `  port: ${port}`,
      '',
      'resources:',
      '  requests:',
      `    cpu: ${rng.pick(['100m', '250m', '500m'])}`,
      `    memory: ${rng.pick(['256Mi', '384Mi', '512Mi'])}`,
      '  limits:',
      `    memory: ${rng.pick(['512Mi', '768Mi', '1Gi'])}`,
      '',
      'autoscaling:',
      '  enabled: true',
      `  minReplicas: ${rng.int(2, 3)}`,
      `  maxReplicas: ${rng.int(6, 12)}`,
      '  targetCPUUtilizationPercentage: 70',
      '',
      'env:',
      '  LOG_LEVEL: info',
      '',
      'postgresql:',
      '  enabled: false',
      '',
    ].join('\n'),
    [`${dir}/templates/_helpers.tpl`]: [
      `{{- define "${name}.fullname" -}}`,
      '{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}',
      '{{- end -}}',
      '',
      `{{- define "${name}.labels" -}}`,
      'app.kubernetes.io/name: {{ .Chart.Name }}',
      'app.kubernetes.io/instance: {{ .Release.Name }}',
      'app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}',
      '{{- end -}}',
      '',
    ].join('\n'),
    [`${dir}/templates/deployment.yaml`]: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: {{ include "${name}.fullname" . }}`,
      `  labels: {{- include "${name}.labels" . | nindent 4 }}`,
      'spec:',
      '  {{- if not .Values.autoscaling.enabled }}',
      '  replicas: {{ .Values.replicaCount }}',
      '  {{- end }}',
      '  selector:',
      '    matchLabels:',
      '      app.kubernetes.io/name: {{ .Chart.Name }}',
      '      app.kubernetes.io/instance: {{ .Release.Name }}',
      '  template:',
      '    metadata:',
      `      labels: {{- include "${name}.labels" . | nindent 8 }}`,
      '    spec:',
      '      securityContext:',
      '        runAsNonRoot: true',
      '      containers:',
      '        - name: {{ .Chart.Name }}',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
      '          imagePullPolicy: {{ .Values.image.pullPolicy }}',
      '          ports:',
      '            - name: http',
      '              containerPort: {{ .Values.service.port }}',
      '          env:',
      '            {{- range $key, $value := .Values.env }}',
      '            - name: {{ $key }}',
      '              value: {{ $value | quote }}',
      '            {{- end }}',
      '          readinessProbe:',
      '            httpGet:',
      '              path: /readyz',
      '              port: http',
      '          livenessProbe:',
      '            httpGet:',
      '              path: /healthz',
      '              port: http',
      '          resources: {{- toYaml .Values.resources | nindent 12 }}',
      '',
    ].join('\n'),
    [`${dir}/templates/service.yaml`]: [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: {{ include "${name}.fullname" . }}`,
      'spec:',
      '  type: {{ .Values.service.type }}',
      '  ports:',
      '    - port: {{ .Values.service.port }}',
      '      targetPort: http',
      '  selector:',
      '    app.kubernetes.io/name: {{ .Chart.Name }}',
      '',
    ].join('\n'),
  };
}

export function miscFiles(rng: Rng, pm: PackageManager, opts: { name: string; monorepo: boolean; workspaceGlobs: string[] }): Files {
  const files: Files = {
    '.nvmrc': `${rng.pick(['20.19.4', '20.18.3', '20', 'lts/iron'])}\n`,
    '.gitignore': gitignore(pm),
    '.dockerignore': 'node_modules\ndist\ncoverage\n.git\n.github\ncharts\n*.md\n',
    '.prettierrc': json({ singleQuote: true, printWidth: rng.pick([100, 120]), trailingComma: 'all' }),
    '.editorconfig': 'root = true\n\n[*]\nindent_style = space\nindent_size = 2\nend_of_line = lf\ninsert_final_newline = true\n',
    '.env.example': 'DATABASE_URL=postgres://postgres:postgres@localhost:5432/app\nREDIS_URL=redis://localhost:6379\nJWT_SECRET=change-me-change-me-change-me-change-me\n',
    'README.md': `# ${opts.name}\n\nInternal ${opts.monorepo ? 'monorepo' : 'service'}. Install with \`${INSTALL_COMMAND[pm]}\`, test with \`${RUN_COMMAND[pm]} test\`.\n`,
  };
  if (pm === 'yarn-berry') files['.yarnrc.yml'] = 'nodeLinker: node-modules\n\nenableTelemetry: false\n';
  if (pm === 'pnpm') files['.npmrc'] = 'auto-install-peers=true\nstrict-peer-dependencies=false\n';
  if (pm === 'pnpm' && opts.monorepo) files['pnpm-workspace.yaml'] = `packages:\n${opts.workspaceGlobs.map((g) => `  - '${g}'`).join('\n')}\n`;
  return files;
}
