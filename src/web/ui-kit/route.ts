/**
 * The web UI's routes: method, path pattern (`/ui/shared/:owner/:id`) and handler. Paths are
 * split and checked by the HTTP layer's target check (no `..`, encoded `/`, controls...) and
 * matched by its router; parameters must match its PARAM_PATTERN.
 */
import type { HttpAnswer } from '../../http/answer.js';
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

export interface WebRoute {
  readonly method: WebMethod;
  readonly path: string;
  /** Reachable without a session (sign-in page, stylesheet). */
  readonly public?: boolean;
  handler(req: WebRequest): Promise<HttpAnswer>;
}
