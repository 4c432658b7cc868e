/**
 * The path router of both HTTPS servers: route paths with `:params` (`/ui/shared/:owner/:id`,
 * `/api/v1/brands/:brand/incidents`), matched against the segments checkTarget decoded.
 *
 * Literal segments win over parameters (`/a/b` before `/a/:x` for `/a/b`); two routes of one
 * method whose paths have the same shape are a programming error, refused when the router is
 * built. A path that matches with another method answers the methods it allows (405 + Allow).
 */

/** A path parameter's value (after percent-decoding): no `/`, `\`, dots-only, blanks or controls. */
const PARAM_PATTERN = /^[A-Za-z0-9_~-][A-Za-z0-9._~@+-]{0,127}$/;

const LITERAL_SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const PARAM_SEGMENT = /^:[A-Za-z_][A-Za-z0-9_]*$/;

/** A route's path, split: literal segments and parameter names. */
export type PathPattern = readonly ({ readonly literal: string } | { readonly param: string })[];

/** Parses and checks a route path; throws on a malformed one (a programming error). */
export function compilePath(path: string): PathPattern {
  if (!path.startsWith('/')) throw new Error(`route path ${path} must start with /`);
  const names = new Set<string>();
  return path
    .slice(1)
    .split('/')
    .map((segment) => {
      if (PARAM_SEGMENT.test(segment)) {
        const name = segment.slice(1);
        if (names.has(name)) throw new Error(`route path ${path} names :${name} twice`);
        names.add(name);
        return { param: name };
      }
      if (!LITERAL_SEGMENT.test(segment) || segment === '..' || segment === '.') {
        throw new Error(`route path ${path}: invalid segment ${JSON.stringify(segment)}`);
      }
      return { literal: segment };
    });
}

/** The params when `segments` (decoded) match the pattern, else null. Parameter values must match PARAM_PATTERN. */
function matchPath(pattern: PathPattern, segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] as PathPattern[number];
    const segment = segments[i] as string;
    if ('literal' in part) {
      if (part.literal !== segment) return null;
    } else {
      if (!PARAM_PATTERN.test(segment)) return null;
      params[part.param] = segment;
    }
  }
  return params;
}

/** Literal segments count before parameters: `/a/b` wins over `/a/:x` for `/a/b`. */
function specificity(pattern: PathPattern): number {
  return pattern.reduce((n, part, i) => n + ('literal' in part ? 2 ** (pattern.length - i) : 0), 0);
}

/** What a router routes: anything with a method and a path. */
export interface Routable {
  readonly method: string;
  readonly path: string;
}

export type RouteMatch<R extends Routable> =
  | { readonly route: R; readonly params: Readonly<Record<string, string>> }
  /** No route of this method: the methods the path allows (none: no such path). */
  | { readonly route: null; readonly allowed: readonly R['method'][] };

export class PathRouter<R extends Routable> {
  private readonly entries: readonly { readonly route: R; readonly pattern: PathPattern }[];

  constructor(routes: readonly R[]) {
    const seen = new Map<string, string>();
    const compiled = routes.map((route) => {
      const pattern = compilePath(route.path);
      const shape = `${route.method} /${pattern.map((p) => ('literal' in p ? p.literal : ':')).join('/')}`;
      const clash = seen.get(shape);
      if (clash !== undefined) throw new Error(`routes ${clash} and ${route.method} ${route.path} overlap`);
      seen.set(shape, `${route.method} ${route.path}`);
      return { route, pattern, specificity: specificity(pattern) };
    });
    this.entries = compiled.sort((a, b) => b.specificity - a.specificity);
  }

  /** The routes, most specific first. */
  get routes(): readonly R[] {
    return this.entries.map((e) => e.route);
  }

  match(method: string, segments: readonly string[]): RouteMatch<R> {
    const allowed: R['method'][] = [];
    for (const { route, pattern } of this.entries) {
      const params = matchPath(pattern, segments);
      if (params === null) continue;
      if (route.method === method) return { route, params };
      if (!allowed.includes(route.method)) allowed.push(route.method);
    }
    return { route: null, allowed };
  }
}
