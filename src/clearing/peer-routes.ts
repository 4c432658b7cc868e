/**
 * The peer API's route registry: what a route declares (method, versioned path with `:params`,
 * body schema, size limit, authorization, handler). Paths are matched by the HTTP layer's
 * router (src/http/router.ts), parameters checked against its PARAM_PATTERN.
 *
 * Paths are versioned (`/api/v1/...`); a later incompatible version adds `/api/v2/` routes next
 * to the old ones. Routes are declared with `defineRoute`, which keeps the body type of the
 * schema and the handler in step and erases it for the server's list:
 *
 * ```ts
 * const ping = defineRoute<{ text: string }, { echo: string }>({
 *   method: 'POST',
 *   path: '/api/v1/echo/:brand',
 *   bodySchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
 *   authorize: (peer, params) => peer.peer.brands.includes(params.brand ?? '') || 'not your brand',
 *   handler: async ({ body }) => ({ echo: body.text }),
 * });
 * ```
 */
import type { JSONSchemaType } from 'ajv';
import type { PeerIdentity } from './peer-auth.js';

export type PeerMethod = 'GET' | 'POST' | 'PUT';
export const PEER_METHODS: readonly PeerMethod[] = ['GET', 'POST', 'PUT'];

/** Every route path starts with this (the API's version 1). */
export const PEER_API_V1 = '/api/v1/';

/** What a handler gets. */
export interface PeerRequest<B> {
  /** The calling node, identified by its client certificate. */
  readonly peer: PeerIdentity;
  /** The path's `:params`, percent-decoded and checked against the router's PARAM_PATTERN. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body validated against bodySchema; `undefined` for GET (and for an empty body without schema). */
  readonly body: B;
  /** Aborted when the peer goes away before the answer, or when the server stops. */
  readonly signal: AbortSignal;
}

export interface PeerRoute<B = unknown, R = unknown> {
  readonly method: PeerMethod;
  /** `/api/v1/...`; a segment `:name` is a parameter. */
  readonly path: string;
  /** JSON schema of the body (ajv, compiled once at server start). Bodies of POST/PUT without one may be any JSON. */
  readonly bodySchema?: JSONSchemaType<B>;
  /** Largest body accepted, in bytes (default: the server's, 1 MiB). */
  readonly maxBodyBytes?: number;
  /** HTTP status of a successful answer (default 200; 204 when the handler returns undefined). */
  readonly successStatus?: number;
  /**
   * May this peer call this route with these parameters? `true` to allow; `false` or a reason
   * to refuse with 403 `forbidden`. Runs before the body is read.
   */
  authorize?(peer: PeerIdentity, params: Readonly<Record<string, string>>, query: URLSearchParams): boolean | string;
  /** The answer (serialized as JSON), or a throw: a ClearingError answers with its own code and status. */
  handler(req: PeerRequest<B>): Promise<R>;
}

/** Declares a route with its body and result types checked, erased for the server's route list. */
export function defineRoute<B = undefined, R = unknown>(route: PeerRoute<B, R>): PeerRoute {
  return route as unknown as PeerRoute;
}
