import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSchemas } from '../../tools/gather/compile-schemas';
import { schemaDigest, schemaFiles } from '../../tools/gather/schema-set';
import { validateAgainst } from '../../tools/gather/validate';

describe('precompiled schema validators', () => {
  // Inside the project: the generated code requires ajv's runtime helpers from node_modules.
  const cache = join(__dirname, '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'codegenie-validators-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('judge every sample exactly like validators compiled at run time, and carry the schemas digest', () => {
    const file = join(dir, 'validators.generated.js');
    expect(compileSchemas(file)).toBe(schemaFiles().length);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, (v: unknown) => boolean> & { __digest: string };
    expect(mod.__digest).toBe(schemaDigest());
    const samples: Array<[string, unknown]> = [
      ['envelope.schema.json', { probe: 'x', version: '1', schemaVersion: 1, confidence: 'high', slice: {}, errors: [], warnings: [] }],
      ['envelope.schema.json', { probe: 'X!', version: '', schemaVersion: 2 }],
      ['views.schema.json', {}],
      ['slices/language.schema.json', { total_files: -1 }],
      ['repo-context.schema.json', { codegenie: { version: '1', schema_version: 1, scope: { root: '/abs', kind: 'repository' }, probes: {} } }],
    ];
    for (const [id, value] of samples) {
      expect(mod[id](value), id).toBe(validateAgainst(id, value).length === 0);
    }
  });
});
