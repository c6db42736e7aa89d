// Side-by-side of `codegenie sbom` and cdxgen purl sets (run by hand; cdxgen is not a dependency):
//   node bench/advisories/compare-cdxgen.mjs <codegenie.json> <cdxgen.json>
// purls are compared without qualifiers/subpath (cdxgen may add some), percent-decoding the name.
import { readFileSync } from 'node:fs';

function purls(file) {
  const bom = JSON.parse(readFileSync(file, 'utf8'));
  const out = new Set();
  const visit = (list) => {
    for (const c of list ?? []) {
      if (c.purl && c.purl.startsWith('pkg:npm/')) out.add(decodeURIComponent(c.purl.split('?')[0].split('#')[0]));
      visit(c.components);
    }
  };
  visit(bom.components);
  // cdxgen lists workspace packages under metadata.component.components; codegenie as top-level components.
  visit(bom.metadata?.component?.components);
  return out;
}
const [ours, theirs] = [purls(process.argv[2]), purls(process.argv[3])];
const onlyOurs = [...ours].filter((p) => !theirs.has(p)).sort();
const onlyTheirs = [...theirs].filter((p) => !ours.has(p)).sort();
console.log(JSON.stringify({ ours: ours.size, cdxgen: theirs.size, common: ours.size - onlyOurs.length, only_ours: onlyOurs, only_cdxgen: onlyTheirs }, null, 1));
