import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodeMajorOf, parseImageRef } from '../../tools/image-ref';

describe('parseImageRef', () => {
  it.each([
    ['node:20-alpine', { registry: null, repository: 'node', tag: '20-alpine', digest: null, pin: 'tag', node_version: '20', node_major: 20 }],
    ['node', { repository: 'node', tag: null, pin: 'none', node_version: null, node_major: null }],
    ['node:latest', { tag: 'latest', pin: 'floating', node_major: null }],
    ['node:lts-alpine', { pin: 'floating', node_version: 'lts', node_major: null }],
    ['node:iron-bookworm-slim', { pin: 'tag', node_version: 'iron', node_major: 20 }],
    ['docker.io/library/node:18.20.4', { registry: 'docker.io', repository: 'library/node', node_version: '18.20.4', node_major: 18 }],
    ['cimg/node:20.11.1-browsers', { node_version: '20.11.1', node_major: 20 }],
    ['gcr.io/distroless/nodejs22-debian12:nonroot', { registry: 'gcr.io', repository: 'distroless/nodejs22-debian12', tag: 'nonroot', node_major: 22 }],
    ['mcr.microsoft.com/devcontainers/javascript-node:1-20-bookworm', { node_version: '20', node_major: 20 }],
    ['public.ecr.aws/lambda/nodejs:20', { node_major: 20 }],
    ['localhost:5000/acme/api:1.2.3', { registry: 'localhost:5000', repository: 'acme/api', tag: '1.2.3', pin: 'tag', node_major: null }],
    ['ghcr.io/acme/api@sha256:abc', { registry: 'ghcr.io', repository: 'acme/api', tag: null, digest: 'sha256:abc', pin: 'digest', pinned: true }],
    ['redis:7@sha256:abc', { tag: '7', digest: 'sha256:abc', pin: 'digest', pinned: true }],
    ['node:${NODE_VERSION}-alpine', { pin: 'unresolved', pinned: false, node_major: null }],
    ['{{ .Values.image }}', { pin: 'unresolved' }],
    ['postgres:16', { pin: 'tag', node_version: null }],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toMatchObject({ ref, ...expected });
  });

  it('never throws and always gives a pin', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseImageRef(s);
        expect(['digest', 'tag', 'floating', 'none', 'unresolved']).toContain(r.pin);
        expect(r.pinned).toBe(r.pin === 'digest');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('nodeMajorOf', () => {
  it.each([
    ['20', 20],
    ['v20.11.1', 20],
    ['20.x', 20],
    ['18.x.x', 18],
    ['lts/iron', 20],
    ['hydrogen', 18],
    ['lts/*', null],
    ['>=18', null],
    ['latest', null],
    ['node-20', null],
  ])('%s → %s', (v, major) => expect(nodeMajorOf(v)).toBe(major));
});
