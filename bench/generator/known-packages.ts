/**
 * Real package names a Node.js service depends on, with versions current in 2025, so generated
 * manifests look like ones a probe meets in the wild. Transitive packages are mostly synthetic
 * (see `package-names.ts`); these are the names a reader of the manifest would recognise.
 */

export interface KnownPackage {
  name: string;
  version: string;
  /** Ships no dependencies of its own (typescript, zod, …). */
  leaf?: boolean;
  bin?: Record<string, string>;
  engines?: string;
  peers?: Record<string, string>;
  license?: string;
}

export const RUNTIME_PACKAGES: readonly KnownPackage[] = [
  { name: 'express', version: '4.21.2', engines: '>= 0.10.0' },
  { name: 'pg', version: '8.16.3', engines: '>= 16.0.0' },
  { name: 'zod', version: '3.25.76', leaf: true },
  { name: 'pino', version: '9.7.0', bin: { pino: 'bin.js' } },
  { name: 'pino-http', version: '10.5.0' },
  { name: 'dotenv', version: '16.6.1', leaf: true, engines: '>=12', license: 'BSD-2-Clause' },
  { name: 'cors', version: '2.8.5', engines: '>= 0.10' },
  { name: 'helmet', version: '8.1.0', leaf: true, engines: '>=18.0.0' },
  { name: 'compression', version: '1.8.1', engines: '>= 0.8.0' },
  { name: 'cookie-parser', version: '1.4.7', engines: '>= 0.8.0' },
  { name: 'express-rate-limit', version: '7.5.1', engines: '>= 16' },
  { name: 'jsonwebtoken', version: '9.0.2', engines: '>=12' },
  { name: 'bcryptjs', version: '3.0.2', leaf: true, bin: { bcrypt: 'bin/bcrypt' }, license: 'BSD-3-Clause' },
  { name: 'ioredis', version: '5.6.1', engines: '>=12.22.0' },
  { name: 'bullmq', version: '5.56.0' },
  { name: 'axios', version: '1.10.0' },
  { name: 'undici', version: '7.11.0', leaf: true, engines: '>=20.18.1' },
  { name: 'uuid', version: '11.1.0', leaf: true, bin: { uuid: 'dist/esm/bin/uuid' } },
  { name: 'date-fns', version: '4.1.0', leaf: true },
  { name: 'lodash', version: '4.17.21', leaf: true },
  { name: 'knex', version: '3.1.0', bin: { knex: 'bin/cli.js' }, engines: '>=16' },
  { name: 'prom-client', version: '15.1.3', engines: '^16 || ^18 || >=20', license: 'Apache-2.0' },
  { name: '@opentelemetry/api', version: '1.9.0', leaf: true, engines: '>=8.0.0', license: 'Apache-2.0' },
  { name: '@opentelemetry/sdk-node', version: '0.202.0', engines: '^18.19.0 || >=20.6.0', license: 'Apache-2.0' },
  { name: '@aws-sdk/client-s3', version: '3.837.0', engines: '>=18.0.0', license: 'Apache-2.0' },
  { name: 'nodemailer', version: '7.0.4', leaf: true, engines: '>=6.0.0', license: 'MIT-0' },
  { name: 'multer', version: '2.0.1', engines: '>= 10.16.0' },
  { name: 'sharp', version: '0.34.2', engines: '^18.17.0 || ^20.3.0 || >=21.0.0', license: 'Apache-2.0' },
  { name: 'http-errors', version: '2.0.0', engines: '>= 0.8' },
  { name: 'yaml', version: '2.8.0', leaf: true, bin: { yaml: 'bin.mjs' }, engines: '>= 14.6', license: 'ISC' },
  { name: 'commander', version: '14.0.0', leaf: true, engines: '>=20' },
  { name: 'p-limit', version: '6.2.0', engines: '>=18' },
  { name: 'lru-cache', version: '11.1.0', leaf: true, engines: '20 || >=22', license: 'ISC' },
  { name: 'semver', version: '7.7.2', leaf: true, bin: { semver: 'bin/semver.js' }, engines: '>=10', license: 'ISC' },
  { name: 'debug', version: '4.4.1', engines: '>=6.0' },
  { name: 'node-cron', version: '4.1.1', leaf: true, engines: '>=6.0.0', license: 'ISC' },
  { name: '@sentry/node', version: '9.33.0', engines: '>=18' },
  { name: 'stripe', version: '18.2.1', engines: '>=12.*' },
  { name: 'openid-client', version: '6.6.1' },
  { name: 'ajv', version: '8.17.1' },
  { name: 'reflect-metadata', version: '0.2.2', leaf: true, license: 'Apache-2.0' },
  { name: 'tslib', version: '2.8.1', leaf: true, license: '0BSD' },
  { name: 'luxon', version: '3.6.1', leaf: true, engines: '>=12' },
  { name: 'nanoid', version: '5.1.5', leaf: true, bin: { nanoid: 'bin/nanoid.js' }, engines: '^18 || >=20' },
  { name: 'fast-json-stringify', version: '6.0.1' },
  { name: 'graphql', version: '16.11.0', leaf: true, engines: '^12.22.0 || ^14.16.0 || ^16.0.0 || >=17.0.0' },
  { name: 'socket.io', version: '4.8.1', engines: '>=10.2.0' },
  { name: 'mongodb', version: '6.17.0', engines: '>=16.20.1', license: 'Apache-2.0' },
];

export const TOOLING_PACKAGES: readonly KnownPackage[] = [
  { name: 'typescript', version: '5.8.3', leaf: true, bin: { tsc: 'bin/tsc', tsserver: 'bin/tsserver' }, engines: '>=14.17', license: 'Apache-2.0' },
  { name: 'eslint', version: '8.57.1', bin: { eslint: 'bin/eslint.js' }, engines: '^12.22.0 || ^14.17.0 || >=16.0.0' },
  { name: '@typescript-eslint/parser', version: '7.18.0', engines: '^18.18.0 || >=20.0.0', peers: { eslint: '^8.56.0' }, license: 'BSD-2-Clause' },
  { name: '@typescript-eslint/eslint-plugin', version: '7.18.0', engines: '^18.18.0 || >=20.0.0', peers: { '@typescript-eslint/parser': '^7.0.0', eslint: '^8.56.0' } },
  { name: 'eslint-config-prettier', version: '9.1.0', bin: { 'eslint-config-prettier': 'bin/cli.js' }, peers: { eslint: '>=7.0.0' } },
  { name: 'eslint-plugin-import', version: '2.32.0', engines: '>=4', peers: { eslint: '^2 || ^3 || ^4 || ^5 || ^6 || ^7.2.0 || ^8 || ^9' } },
  { name: 'eslint-plugin-n', version: '17.20.0', engines: '^18.18.0 || ^20.9.0 || >=21.1.0', peers: { eslint: '>=8.23.0' } },
  { name: 'prettier', version: '3.6.2', leaf: true, bin: { prettier: 'bin/prettier.cjs' }, engines: '>=14' },
  { name: '@types/node', version: '20.19.1' },
  { name: '@types/express', version: '4.17.23' },
  { name: '@types/cors', version: '2.8.19' },
  { name: '@types/compression', version: '1.8.1' },
  { name: '@types/cookie-parser', version: '1.4.9' },
  { name: '@types/jsonwebtoken', version: '9.0.10' },
  { name: '@types/pg', version: '8.15.4' },
  { name: '@types/lodash', version: '4.17.18', leaf: true },
  { name: '@types/multer', version: '1.4.13' },
  { name: '@types/nodemailer', version: '6.4.17' },
  { name: '@types/supertest', version: '6.0.3' },
  { name: '@types/http-errors', version: '2.0.5', leaf: true },
  { name: '@types/luxon', version: '3.6.2', leaf: true },
  { name: '@types/debug', version: '4.1.12' },
  { name: 'supertest', version: '7.1.1', engines: '>=14.18.0' },
  { name: 'nock', version: '14.0.5', engines: '>=18.20.0 <20 || >=20.12.1' },
  { name: 'testcontainers', version: '11.0.3' },
  { name: 'tsx', version: '4.20.3', bin: { tsx: 'dist/cli.mjs' }, engines: '>=18.0.0' },
  { name: 'nodemon', version: '3.1.10', bin: { nodemon: 'bin/nodemon.js' }, engines: '>=10' },
  { name: 'husky', version: '9.1.7', leaf: true, bin: { husky: 'bin.js' }, engines: '>=18' },
  { name: 'lint-staged', version: '16.1.2', bin: { 'lint-staged': 'bin/lint-staged.js' }, engines: '>=20.17' },
  { name: 'rimraf', version: '6.0.1', bin: { rimraf: 'dist/esm/bin.mjs' }, engines: '20 || >=22', license: 'ISC' },
  { name: 'cross-env', version: '7.0.3', bin: { 'cross-env': 'src/bin/cross-env.js' }, engines: '>=10.14' },
  { name: 'concurrently', version: '9.2.0', bin: { concurrently: 'dist/bin/concurrently.js' }, engines: '>=18' },
  { name: '@commitlint/cli', version: '19.8.1', bin: { commitlint: 'cli.js' }, engines: '>=v18' },
  { name: '@commitlint/config-conventional', version: '19.8.1', engines: '>=v18' },
  { name: 'tsup', version: '8.5.0', bin: { tsup: 'dist/cli-default.js' }, engines: '>=18' },
  { name: 'esbuild', version: '0.25.5', bin: { esbuild: 'bin/esbuild' }, engines: '>=18' },
  { name: '@faker-js/faker', version: '9.8.0', leaf: true, engines: '>=18.0.0' },
  { name: 'msw', version: '2.10.2', bin: { msw: 'cli/index.js' }, engines: '>=18' },
  { name: 'typedoc', version: '0.28.5', bin: { typedoc: 'bin/typedoc' }, engines: '>= 18', license: 'Apache-2.0' },
  { name: 'knip', version: '5.61.3', bin: { knip: 'bin/knip.js' }, engines: '>=18.18.0', license: 'ISC' },
  { name: 'dotenv-cli', version: '8.0.0', bin: { dotenv: 'cli.js' } },
  { name: '@types/uuid', version: '10.0.0', leaf: true },
];

/** The two test runners a generated service may use, with the packages each brings. */
export const TEST_RUNNERS = {
  vitest: [
    { name: 'vitest', version: '3.2.4', bin: { vitest: 'vitest.mjs' }, engines: '^18.0.0 || ^20.0.0 || >=22.0.0' },
    { name: '@vitest/coverage-v8', version: '3.2.4', peers: { vitest: '3.2.4' } },
    { name: 'vite-tsconfig-paths', version: '5.1.4' },
  ],
  jest: [
    { name: 'jest', version: '29.7.0', bin: { jest: 'bin/jest.js' }, engines: '^14.15.0 || ^16.10.0 || >=18.0.0' },
    { name: 'ts-jest', version: '29.4.0', bin: { 'ts-jest': 'cli.js' }, engines: '^14.15.0 || ^16.10.0 || ^18.0.0 || >=20.0.0', peers: { jest: '^29.0.0', typescript: '>=4.3 <6' } },
    { name: '@types/jest', version: '29.5.14' },
  ],
} as const satisfies Record<string, readonly KnownPackage[]>;

export type TestRunner = keyof typeof TEST_RUNNERS;

/**
 * Real names that turn up deep in almost every lockfile. They are reused as shared transitive
 * dependencies so the graph has the "everything depends on debug and ms" shape of real ones.
 */
export const COMMON_TRANSITIVE_NAMES: readonly string[] = [
  'accepts', 'ansi-regex', 'ansi-styles', 'argparse', 'array-flatten', 'asynckit', 'balanced-match',
  'base64-js', 'body-parser', 'brace-expansion', 'braces', 'buffer', 'buffer-from', 'bytes', 'call-bind',
  'call-bound', 'callsites', 'camelcase', 'chalk', 'chokidar', 'cliui', 'color-convert', 'color-name',
  'combined-stream', 'concat-map', 'content-disposition', 'content-type', 'cookie', 'cookie-signature',
  'core-util-is', 'cross-spawn', 'define-data-property', 'delayed-stream', 'depd', 'destroy',
  'dunder-proto', 'eastasianwidth', 'ee-first', 'emoji-regex', 'encodeurl', 'es-define-property',
  'es-errors', 'es-object-atoms', 'escalade', 'escape-html', 'escape-string-regexp', 'etag', 'events',
  'fast-deep-equal', 'fast-glob', 'fast-json-stable-stringify', 'fastq', 'fill-range', 'finalhandler',
  'find-up', 'foreground-child', 'form-data', 'forwarded', 'fresh', 'fs.realpath', 'function-bind',
  'get-caller-file', 'get-intrinsic', 'get-proto', 'glob', 'glob-parent', 'gopd', 'graceful-fs',
  'has-flag', 'has-symbols', 'has-tostringtag', 'hasown', 'iconv-lite', 'ieee754', 'ignore',
  'imurmurhash', 'inflight', 'inherits', 'ipaddr.js', 'is-extglob', 'is-fullwidth-code-point',
  'is-glob', 'is-number', 'is-stream', 'isarray', 'isexe', 'js-tokens', 'js-yaml',
  'json-schema-traverse', 'json5', 'locate-path', 'lodash.merge', 'math-intrinsics', 'media-typer',
  'merge-descriptors', 'merge2', 'methods', 'micromatch', 'mime', 'mime-db', 'mime-types',
  'minimatch', 'minimist', 'minipass', 'ms', 'negotiator', 'normalize-path', 'object-assign',
  'object-inspect', 'on-finished', 'once', 'onetime', 'p-locate', 'p-try', 'parent-module',
  'parseurl', 'path-exists', 'path-is-absolute', 'path-key', 'path-scurry', 'path-to-regexp',
  'picocolors', 'picomatch', 'process-nextick-args', 'proxy-addr', 'punycode', 'qs', 'queue-microtask',
  'range-parser', 'raw-body', 'readable-stream', 'readdirp', 'require-directory', 'resolve',
  'resolve-from', 'reusify', 'run-parallel', 'safe-buffer', 'safer-buffer', 'send', 'serve-static',
  'set-function-length', 'setprototypeof', 'shebang-command', 'shebang-regex', 'side-channel',
  'signal-exit', 'source-map', 'source-map-support', 'sprintf-js', 'statuses', 'string-width',
  'string_decoder', 'strip-ansi', 'strip-json-comments', 'supports-color', 'to-regex-range',
  'toidentifier', 'tr46', 'type-check', 'type-fest', 'type-is', 'unpipe', 'uri-js', 'util-deprecate',
  'utils-merge', 'vary', 'webidl-conversions', 'whatwg-url', 'which', 'wrap-ansi', 'wrappy', 'y18n',
  'yallist', 'yargs', 'yargs-parser', 'yocto-queue',
];

/** Direct dependencies that packages deep in the tree may also depend on (no peers, no bins needed). */
export const SHARED_DIRECT_NAMES: ReadonlySet<string> = new Set([
  'debug', 'semver', 'lru-cache', 'yaml', 'uuid', 'ajv', 'lodash', 'tslib', 'http-errors', 'commander',
  'p-limit', '@opentelemetry/api', 'zod', '@types/node', 'undici', 'dotenv',
]);
