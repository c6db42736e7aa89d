/**
 * Expanding CI expressions (`${{ matrix.node }}`, `<< parameters.version >>`, `$(nodeVersion)`,
 * `$NODE_VERSION`) into the values a matrix or a default gives them. An expression the resolver
 * does not know stays as written, so nothing is invented.
 */

/** Candidate values of one expression, or undefined when it cannot be resolved. */
export type Resolver = (expression: string) => string[] | undefined;

/** At most this many expansions of one template (a 5×5×5 matrix in one string is already odd). */
export const MAX_EXPANSIONS = 64;
/** Longer values are not expanded: versions and image names are short, hostile input is not. */
export const MAX_TEMPLATE_LENGTH = 4096;

/**
 * All strings `template` can become. `pattern` must be global, with the expression in group 1.
 */
export function expandTemplate(template: string, pattern: RegExp, resolve: Resolver): string[] {
  if (template.length > MAX_TEMPLATE_LENGTH) return [template];
  const matches = [...template.matchAll(pattern)];
  if (matches.length === 0) return [template];
  let results: string[] = [''];
  let last = 0;
  for (const m of matches) {
    const literal = template.slice(last, m.index);
    const values = resolve(m[1].trim());
    const options = values && values.length > 0 ? [...new Set(values)] : [m[0]];
    const next: string[] = [];
    for (const prefix of results) {
      for (const option of options) {
        if (next.length >= MAX_EXPANSIONS) break;
        next.push(prefix + literal + option);
      }
    }
    results = next;
    last = m.index! + m[0].length;
  }
  const tail = template.slice(last);
  return [...new Set(results.map((r) => r + tail))];
}

/** GitHub Actions / Azure template expressions: `${{ expr }}`. */
export const GITHUB_EXPRESSION = /\$\{\{([^}]*)\}\}/g;
/** CircleCI parameters: `<< parameters.x >>`, `<< matrix.x >>`, `<< pipeline.parameters.x >>`. */
export const CIRCLECI_EXPRESSION = /<<\s*([\w.-]+)\s*>>/g;
/** Azure macro variables: `$(name)`. */
export const AZURE_MACRO = /\$\(([\w.-]+)\)/g;
/** Shell-style variables in GitLab, Bitbucket, Buildkite: `$NAME`, `${NAME}`. */
export const SHELL_VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** `expandTemplate` for SHELL_VARIABLE, whose name sits in group 1 or 2. */
export function expandShell(template: string, resolve: Resolver): string[] {
  const normalized = template.replace(SHELL_VARIABLE, (whole, braced: string | undefined, bare: string | undefined) => `\u0000${braced ?? bare}\u0001${whole}\u0002`);
  const values = expandTemplate(normalized, /\u0000([^\u0001]*)\u0001[^\u0002]*\u0002/g, resolve);
  // Unresolved variables come back as the marker; put the original text back.
  return [...new Set(values.map((v) => v.replace(/\u0000[^\u0001]*\u0001([^\u0002]*)\u0002/g, '$1')))];
}
