/**
 * The peer API's route registry: what a route declares: its operation (method, versioned
 * path with `:params`, body schema and limit: the operation's contract, contracts/*.ts),
 * authorization and handler. Paths are matched by the HTTP layer's router (src/http/router.ts),
 * parameters checked against its PARAM_PATTERN. Routes are declared with `defineRoute`, which
 * keeps the body type of the schema and the handler in step and erases it for the server's list:
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
import type { PeerOperation } from './contracts/peer-api.js';
import type { ClearingNetwork } from './network.js';
import type { PeerIdentity } from './peer-auth.js';

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

export interface PeerRoute<B = unknown, R = unknown> extends PeerOperation<B> {
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

/** Authorization of a route about `:brand`: one of this node's brands, called by a peer serving some brand. */
export function localBrandForPeers(network: ClearingNetwork): NonNullable<PeerRoute['authorize']> {
  return (peer, params) => {
    const brand = params['brand'] ?? '';
    if (!network.isLocal(brand)) return `brand '${brand}' is not served by node '${network.nodeId}'`;
    if (peer.peer.brands.length === 0) return `peer ${peer.id} serves no brand`;
    return true;
  };
}
