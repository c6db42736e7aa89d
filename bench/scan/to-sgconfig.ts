/**
 * Writes the scan rules as an ast-grep project (`sgconfig.yml` + `rules/*.yml`) so the bench can
 * time `ast-grep scan` with exactly the same rules. ast-grep takes one language per rule, so a
 * rule for three languages becomes three documents, `<id>@<Language>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ScanRule } from '../../probes/scan/rules';

export const SG_ID_SEPARATOR = '@';

export function writeSgProject(dir: string, rules: readonly ScanRule[]): string {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  for (const rule of rules) {
    const docs = rule.languages.map((language) => ({
      id: `${rule.id}${SG_ID_SEPARATOR}${language}`,
      language,
      severity: rule.severity,
      message: rule.message,
      ...(rule.note ? { note: rule.note } : {}),
      ...(rule.files ? { files: rule.files } : {}),
      ...(rule.ignores ? { ignores: rule.ignores } : {}),
      rule: rule.matcher.rule,
      ...(rule.matcher.constraints ? { constraints: rule.matcher.constraints } : {}),
      ...(rule.matcher.utils ? { utils: rule.matcher.utils } : {}),
    }));
    writeFileSync(join(dir, 'rules', `${rule.id}.yml`), docs.map((d) => stringify(d)).join('---\n'));
  }
  const config = join(dir, 'sgconfig.yml');
  writeFileSync(config, 'ruleDirs:\n  - rules\n');
  return config;
}
