/**
 * `${ENV_VAR}` substitution in app.config.yaml, done on the parsed YAML tree (string values
 * only, never keys) so that a secret containing `:`, `#` or quotes cannot break YAML syntax.
 *
 *   ${NAME}            the variable's value; an unset variable is a problem
 *   ${NAME:-default}   the value, or `default` when the variable is unset or empty
 *   $${                a literal `${` (so `$${NAME}` stays `${NAME}`)
 *
 * Substitution is single-pass: a variable's value is never itself expanded.
 * A string that came out of a substitution stays a string; load.ts lets ajv coerce it where the
 * schema wants a number or a boolean (`port: ${SOAR_PORT}`).
 */

import { type PathSegment, formatPath } from '../core/schema-problems.js';

/** One configuration problem; shown as `path: message`. */
export interface ConfigProblem {
  /** The YAML's own spelling: `soar.api_key_secret`, `brands.eu.stomp.port`, `destinations[1]`. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** Expands the references in one string. `errors` holds messages without a path. */
export function expandEnv(value: string, env: NodeJS.ProcessEnv): { value: string; errors: string[] } {
  const errors: string[] = [];
  let out = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!value.startsWith('${', i)) {
      out += value[i];
      i += 1;
      continue;
    }
    const end = value.indexOf('}', i + 2);
    if (end < 0) {
      errors.push('unterminated ${ (write $${ for a literal ${)');
      break;
    }
    const body = value.slice(i + 2, end);
    i = end + 1;
    const match = REFERENCE.exec(body);
    if (match === null) {
      errors.push(`invalid reference \${${body}}: expected \${NAME} or \${NAME:-default}`);
      continue;
    }
    const name = match[1] as string;
    const fallback = match[2];
    if (fallback !== undefined && fallback.includes('${')) {
      errors.push(`nested reference in the default of \${${name}:-...} is not supported`);
      continue;
    }
    const found = env[name];
    if (found !== undefined && (fallback === undefined || found !== '')) out += found;
    else if (fallback !== undefined) out += fallback;
    else errors.push(`environment variable ${name} is not set`);
  }
  return { value: out, errors };
}

export interface SubstitutionResult {
  /** A copy of the tree with every string expanded (the input is not modified). */
  readonly value: unknown;
  readonly problems: readonly ConfigProblem[];
}

/** Expands every string value of a parsed YAML tree (plain objects, arrays and scalars). */
export function substituteEnv(tree: unknown, env: NodeJS.ProcessEnv): SubstitutionResult {
  const problems: ConfigProblem[] = [];
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') {
      const { value, errors } = expandEnv(node, env);
      for (const message of errors) problems.push({ path: formatPath(path), message });
      return value;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        // defineProperty: a YAML key `__proto__` must stay a plain (and then unknown) key.
        Object.defineProperty(copy, key, {
          value: walk(item, [...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return copy;
    }
    return node;
  };
  const value = walk(tree, []);
  return { value, problems };
}
