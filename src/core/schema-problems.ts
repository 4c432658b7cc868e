/**
 * ajv's errors as problems a person reads: where (a path into the validated data) and what, in
 * one wording for every schema the program checks: the config file, a whitelist, a function's
 * inputs, a peer's request body. Callers write the path in their own notation (`formatPath`
 * for YAML and inputs, `jsonPointer` on the wire) and may say more where only they know more
 * (the config's credentials rule, its id patterns).
 */
import type { ErrorObject } from 'ajv';

/** A position in validated data: map keys and list indexes. */
export type PathSegment = string | number;

/** One failed schema rule. */
export interface SchemaProblem {
  /**
   * From the root of the data: keys, and list indexes as numbers. For a missing or unknown key
   * (`required`, `additionalProperties`) it ends with that key.
   */
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** The ajv error it comes from, for a caller that words some keyword its own way. */
  readonly error: ErrorObject;
}

export interface SchemaWording {
  /** Regular expression source -> what a value must look like (`must be a host name ...`). */
  readonly patternHints?: Readonly<Record<string, string>>;
}

/** JSON Schema type names as a person reads them in a problem (`must be a whole number`). */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
};

/** `['brands', 'eu', 'soar', 'host']` -> `brands.eu.soar.host`; `['destinations', 1]` -> `destinations[1]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `['nested', 'flag']` -> `/nested/flag` (RFC 6901); the root is `/`. */
export function jsonPointer(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '/';
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function child(node: unknown, key: PathSegment): unknown {
  return node !== null && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[key] : undefined;
}

/** ajv's JSON pointer -> segments, list indexes as numbers (told apart by looking in the data). */
function pointerSegments(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    segments.push(segment);
    node = child(node, segment);
  }
  return segments;
}

/** Edit distance counting a swap of two neighbours as one edit (`hots` -> `host`: 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** ` (did you mean host?)` for a near miss of a known key, else ''. */
function suggestion(key: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= (key.length <= 4 ? 1 : 2) ? ` (did you mean ${best}?)` : '';
}

function problemOf(error: ErrorObject, data: unknown, wording: SchemaWording): SchemaProblem {
  const base = pointerSegments(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  const at = (message: string, ...more: PathSegment[]): SchemaProblem => ({ path: [...base, ...more], message, error });
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
      return at('required', String(params.missingProperty));
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      // parentSchema is there when the validator was compiled with `verbose`.
      const parent = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
      return at(`unknown key${suggestion(key, Object.keys(parent?.properties ?? {}))}`, key);
    }
    case 'propertyNames':
      return at('invalid key', String(params.propertyName));
    case 'oneOf':
      return at(Array.isArray(params.passingSchemas) ? 'matches more than one of its allowed forms' : 'matches none of its allowed forms');
    case 'type':
      return at(`must be ${String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`);
    case 'enum':
      return at(`must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return at(`must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'minLength':
    case 'minItems':
      return at(
        params.limit === 1
          ? 'must not be empty'
          : `must have at least ${String(params.limit)} ${error.keyword === 'minItems' ? 'items' : 'characters'}`,
      );
    case 'minProperties':
      return at('must not be empty');
    case 'pattern': {
      const pattern = String(params.pattern);
      return at(wording.patternHints?.[pattern] ?? `must match ${pattern}`);
    }
    case 'uniqueItems': {
      const list = base.reduce<unknown>(child, data);
      return at(Array.isArray(list) ? `lists ${String(list[Number(params.i)])} twice` : 'lists an item twice');
    }
    default:
      return at(error.message ?? `fails ${error.keyword}`);
  }
}

/**
 * The problems of `data` that a validator's `errors` describe, in ajv's order. The failures of
 * the branches inside a `oneOf`, and of a `propertyNames` pattern, are left out: their parent
 * error says it for them.
 */
export function schemaProblems(
  errors: readonly ErrorObject[] | null | undefined,
  data: unknown,
  wording: SchemaWording = {},
): SchemaProblem[] {
  return (errors ?? [])
    .filter((error) => !/\/(oneOf|propertyNames)\//.test(error.schemaPath))
    .map((error) => problemOf(error, data, wording));
}
