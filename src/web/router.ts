/**
 * The web UI's routes: method, path pattern (`/ui/shared/:owner/:id`) and handler. Paths are
 * split and checked by the peer API's own target check (no `..`, encoded `/`, controls...), and
 * parameters must match its PARAM_PATTERN.
 */
import { matchPath, type PathPattern } from '../clearing/peer-routes.js';
import type { Session } from './session.js';

export type WebMethod = 'GET' | 'POST';

export interface WebRequest {
  readonly method: WebMethod;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client's address (for throttling). */
  readonly address: string;
  /** The origins a POST may come from (WebContext.origins). */
  readonly origins: readonly string[];
  /** The client asked for JSON (`Accept: application/json`, or a `/ui/api/` path). */
  readonly wantsJson: boolean;
  /** The signed-in session (routes with `public: true` may see null). */
  readonly session: Session | null;
  readonly cookies: ReadonlyMap<string, string>;
  /** The urlencoded form body of a POST (read once, at most 16 KiB). */
  form(): Promise<URLSearchParams>;
  readonly signal: AbortSignal;
}

export interface WebResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string | string[]>>;
}

export interface WebRoute {
  readonly method: WebMethod;
  readonly path: string;
  /** Reachable without a session (sign-in page, stylesheet). */
  readonly public?: boolean;
  handler(req: WebRequest): Promise<WebResponse>;
}

interface Compiled {
  readonly route: WebRoute;
  readonly pattern: PathPattern;
}

function compile(path: string): PathPattern {
  return path.slice(1).split('/').map((s) => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s }));
}

export class Router {
  private readonly routes: Compiled[];

  constructor(routes: readonly WebRoute[]) {
    this.routes = routes.map((route) => ({ route, pattern: compile(route.path) }));
  }

  /** The route and params for a request; `methods` lists what the path allows when the method does not match. */
  match(method: string, segments: readonly string[]): { route: WebRoute; params: Record<string, string> } | { methods: WebMethod[] } | null {
    const methods: WebMethod[] = [];
    for (const { route, pattern } of this.routes) {
      const params = matchPath(pattern, segments);
      if (params === null) continue;
      if (route.method === method) return { route, params };
      methods.push(route.method);
    }
    return methods.length ? { methods } : null;
  }
}
