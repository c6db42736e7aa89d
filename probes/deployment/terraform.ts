/**
 * Terraform, opt-in: resource types, module sources and `image` attributes, read with a careful
 * scanner (comments and strings respected, brace depth tracked) rather than a full HCL parser.
 */
import { parseImageRef } from '../../tools/image-ref';
import type { ImageRef } from '../../tools/image-ref';

export interface TerraformFileFacts {
  /** Resource blocks per type. */
  resource_types: Record<string, number>;
  modules: Array<{ name: string; source: string | null }>;
  images: ImageRef[];
}

/** Replaces comments with spaces (strings and heredocs kept), so offsets and line structure survive. */
export function stripHclComments(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && source[j] !== '"' && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, Math.min(j + 1, n));
      i = j + 1;
    } else if (c === '<' && source.startsWith('<<', i)) {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(source.slice(i, i + 200));
      if (!m) {
        out += c;
        i++;
        continue;
      }
      // Heredoc: copied verbatim up to its terminator line.
      const terminator = new RegExp(`\\n[ \\t]*${m[1]}[ \\t]*(?=\\r?\\n|$)`, 'g');
      terminator.lastIndex = i + m[0].length - 1;
      const end = terminator.exec(source);
      const stop = end ? end.index + end[0].length : n;
      out += source.slice(i, stop);
      i = stop;
    } else if (c === '#' || (c === '/' && source[i + 1] === '/')) {
      while (i < n && source[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just past the `}` closing the block whose `{` is at `open` (strings skipped). */
function blockEnd(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      i++;
      while (i < code.length && code[i] !== '"' && code[i] !== '\n') i += code[i] === '\\' ? 2 : 1;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return code.length;
}

export function terraformFacts(source: string): TerraformFileFacts {
  const code = stripHclComments(source.replace(/^\uFEFF/, ''));
  const types = new Map<string, number>();
  for (const m of code.matchAll(/^[ \t]*resource[ \t]+"([^"\n]+)"[ \t]+"[^"\n]*"[ \t]*\{/gm)) types.set(m[1], (types.get(m[1]) ?? 0) + 1);
  const modules: TerraformFileFacts['modules'] = [];
  for (const m of code.matchAll(/^[ \t]*module[ \t]+"([^"\n]+)"[ \t]*\{/gm)) {
    const open = m.index! + m[0].length - 1;
    const body = code.slice(open + 1, blockEnd(code, open) - 1);
    // Only the module's own attribute, not one inside a nested block.
    let source: string | null = null;
    let depth = 0;
    for (const line of body.split('\n')) {
      if (depth === 0) {
        const s = /^[ \t]*source[ \t]*=[ \t]*"([^"\n]*)"/.exec(line);
        if (s) {
          source = s[1];
          break;
        }
      }
      depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
    }
    modules.push({ name: m[1], source });
  }
  const images = new Map<string, ImageRef>();
  for (const m of code.matchAll(/(?:^|[\s{,])"?image"?[ \t]*[=:][ \t]*"([^"\n]+)"/gm)) {
    const ref = m[1].trim();
    if (ref !== '' && !images.has(ref)) images.set(ref, parseImageRef(ref));
  }
  return {
    resource_types: Object.fromEntries([...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    modules: modules.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    images: [...images.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)),
  };
}
