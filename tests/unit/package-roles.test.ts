import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyPackage, folderRole, nameRole } from '../../tools/package-roles';

describe('package roles', () => {
  it('classifies real repository shapes by their outermost folder', () => {
    const cases: Array<[string, boolean, string | undefined, string]> = [
      ['package.json', false, 'astro', 'root'],
      ['packages/astro/package.json', true, 'astro', 'workspace'],
      ['examples/blog/package.json', true, '@example/blog', 'example'],
      ['docs/package.json', true, 'docs', 'docs'],
      ['website/package.json', false, 'prettier-website', 'docs'],
      ['e2e/react-native/package.json', false, 'rn-app', 'test-app'],
      ['packages/jest-cli/__tests__/__fixtures__/app/package.json', false, undefined, 'test-app'],
      ['test/fixtures/lib/package.json', false, undefined, 'test-app'],
      ['fixtures/pkg/package.json', false, undefined, 'fixture'],
      ['playground/resolve/package.json', true, '@vitejs/test-resolve', 'test-app'],
      ['scripts/release/package.json', false, 'release-scripts', 'tooling'],
      ['packages/create-app-example/package.json', true, 'create-app-example', 'example'],
      ['vendor/thing/package.json', false, 'thing', 'nested'],
    ];
    for (const [path, member, name, role] of cases) {
      expect(classifyPackage({ path, isWorkspaceMember: member, name }).role, path).toBe(role);
    }
  });

  it('looks at folders only, never at the file name itself', () => {
    expect(folderRole('docs')).toBeUndefined();
    expect(folderRole('src/test.ts')).toBeUndefined();
    expect(folderRole('src/test/a.ts')?.role).toBe('test-app');
    expect(folderRole('Examples/A/package.json')?.folder).toBe('Examples');
  });

  it('reads scoped names without their scope', () => {
    expect(nameRole('@acme/docs')?.role).toBe('docs');
    expect(nameRole('@acme/core')).toBeUndefined();
  });

  it('a path under a support folder is never a product package, whatever its name or membership', () => {
    const support = fc.constantFrom('examples', 'fixtures', '__fixtures__', 'docs', 'e2e', 'playground');
    const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 3 }), support, fc.array(segment, { maxLength: 3 }), fc.boolean(), fc.option(segment), (before, folder, after, member, name) => {
        const path = [...before, folder, ...after, 'package.json'].join('/');
        const role = classifyPackage({ path, isWorkspaceMember: member, name: name ?? undefined }).role;
        expect(['root', 'workspace', 'nested']).not.toContain(role);
      }),
    );
  });
});
