import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { fixtureFolders } from '../../tools/testing';
import { integrityHashes, npmPurl } from '../../tools/sbom/build';
import { sbomText } from '../../tools/sbom/cli';

const LOCKFILES = join(__dirname, '..', '..', 'fixtures', 'lockfiles');
const ADV = join(__dirname, '..', '..', 'fixtures', 'advisories', 'lockfiles');
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

describe('codegenie sbom', () => {
  it.each([...fixtureFolders(LOCKFILES).map((f) => join(LOCKFILES, f)), ...fixtureFolders(ADV).map((f) => join(ADV, f))])(
    'is valid CycloneDX 1.6 and byte-identical across runs: %s',
    async (dir) => {
      const a = await sbomText(dir);
      expect(await validator.validate(a)).toBeNull();
      expect(await sbomText(dir)).toBe(a);
      const bom = JSON.parse(a);
      expect(bom.metadata.timestamp).toBeUndefined();
      expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a).not.toContain(dir);
    },
  );

  it('lists aliased packages under their real name with dev scope, hashes and the direct edges', async () => {
    const bom = JSON.parse(await sbomText(join(ADV, 'npm-v3')));
    const purls = bom.components.map((c: { purl: string }) => c.purl).sort();
    expect(purls).toEqual(['pkg:npm/%40hapi/hoek@9.0.2', 'pkg:npm/codify@0.3.1', 'pkg:npm/handlebars@4.5.1', 'pkg:npm/jquery@1.9.1']);
    const handlebars = bom.components.find((c: { name: string }) => c.name === 'handlebars');
    expect(handlebars).toMatchObject({ scope: 'optional', hashes: [{ alg: 'SHA-512' }] });
    expect(bom.components.find((c: { name: string }) => c.name === 'hoek')).toMatchObject({ group: '@hapi', scope: 'required' });
    expect(bom.metadata.component).toMatchObject({ name: 'app', version: '1.0.0', 'bom-ref': 'root' });
    expect(bom.dependencies.find((d: { ref: string }) => d.ref === 'root').dependsOn.sort()).toEqual(purls);
    // yarn classic records no dev flags; the manifest probe derives them from package.json by reachability
    const yarn = JSON.parse(await sbomText(join(ADV, 'yarn-classic')));
    const scopes = Object.fromEntries(yarn.components.map((c: { name: string; scope?: string }) => [c.name, c.scope]));
    expect(scopes).toEqual({ codify: 'required', handlebars: 'optional', hoek: 'required', jquery: 'required' });
  });

  it('decodes SRI integrity and drops what is not a whole hash', () => {
    expect(integrityHashes('sha1-qqqqqqqqqqqqqqqqqqqqqqqqqqo=')).toEqual([['SHA-1', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']]);
    expect(integrityHashes('sha512-AAAA md5-xyz')).toEqual([]);
    expect(integrityHashes('10c0/abcdef')).toEqual([]);
    expect(npmPurl('@types/node', '20.1.0').toString()).toBe('pkg:npm/%40types/node@20.1.0');
  });
});
