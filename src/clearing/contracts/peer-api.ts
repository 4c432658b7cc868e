/**
 * The peer API's contract vocabulary, shared by the server's routes and the client's typed
 * calls: what an operation is on the wire (method, versioned path with `:params`, body schema
 * and limit), the one request function every typed call goes through, and how a path is built.
 *
 * Each operation has one module here (distribute.ts, acknowledgements.ts, shared-view.ts,
 * config-push.ts, health.ts) holding its path, body and answer types, schema, answer check and
 * typed call. The route (a `*-routes.ts` module) spreads the operation into its declaration and
 * adds authorization and the handler; callers use the typed call, never a path of their own.
 * These modules import nothing of the clearing flows, so both sides can import them.
 *
 * Paths are versioned (`/api/v1/...`); a later incompatible version adds `/api/v2/` operations
 * next to the old ones.
 */
import type { JSONSchemaType } from 'ajv';

export type PeerMethod = 'GET' | 'POST' | 'PUT';
export const PEER_METHODS: readonly PeerMethod[] = ['GET', 'POST', 'PUT'];

/** Every operation's path starts with this (the API's version 1). */
export const PEER_API_V1 = '/api/v1/';

/** An operation as both sides see it. */
export interface PeerOperation<B = unknown> {
  readonly method: PeerMethod;
  /** `/api/v1/...`; a segment `:name` is a parameter. */
  readonly path: string;
  /** JSON schema of the body (the server compiles it once at start). Bodies of POST/PUT without one may be any JSON. */
  readonly bodySchema?: JSONSchemaType<B>;
  /** Largest body the server accepts, in bytes (default: the server's, 1 MiB). */
  readonly maxBodyBytes?: number;
}

/** Options of one call. */
export interface PeerCallOptions {
  /** Aborts the call (then rejected with an `aborted` ClearingError). */
  readonly signal?: AbortSignal;
  /** This call's own time limit instead of the client's. */
  readonly timeoutMs?: number;
  /** This call's own answer body limit instead of the client's. */
  readonly maxResponseBytes?: number;
}

/**
 * The one request function of the peer client (PeerClient.request): sends `body` as JSON to
 * the peer and resolves with the parsed JSON answer (undefined for 204), unchecked; an error
 * answer or a failed call rejects with one of the peer error classes.
 */
export interface PeerCaller {
  readonly peer: { readonly id: string };
  request<R = unknown>(method: PeerMethod, path: string, body?: unknown, options?: PeerCallOptions): Promise<R>;
}

/** Segments whose next segment is a parameter, and its name (the inverse of pathOf, for metrics labels). */
const PARAM_AFTER: Readonly<Record<string, string>> = { brands: ':brand', incidents: ':id', shared: ':owner', 'config-pushes': ':push', chunks: ':index' };

/**
 * The path pattern of a filled-in operation path, query dropped: `/api/v1/brands/soar3/incidents/42/acknowledgements`
 * -> `/api/v1/brands/:brand/incidents/:id/acknowledgements` (a bounded set, fit for a label).
 */
export function routeOf(path: string): string {
  const segments = path.split('?')[0]!.split('/');
  return segments.map((s, i) => (i > 0 && PARAM_AFTER[segments[i - 1]!] !== undefined ? PARAM_AFTER[segments[i - 1]!]! : /^\d+$/.test(s) ? ':id' : s)).join('/');
}

/** The operation's path with its `:params` filled in (percent-encoded), and the query when given. */
export function pathOf(op: Pick<PeerOperation, 'path'>, params: Readonly<Record<string, string | number>> = {}, query?: Readonly<Record<string, string | number>>): string {
  const path = op.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${op.path}: no value for :${name}`);
    return encodeURIComponent(String(value));
  });
  if (query === undefined) return path;
  return `${path}?${Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}
