/**
 * Peer API route of the distribution flow (receiving a copy): the operation DISTRIBUTE
 * (contracts/distribute.ts), served for `:brand`, one of this node's brands. Refusals:
 *   403 forbidden     `:brand` is not served by this node (checked before the body is read), or
 *                     the body's `origin.brand` is not one of the calling peer's brands, or
 *                     `origin.node` is not the calling peer;
 *   400 body_invalid  the body does not match the schema; 413 body_too_large beyond 40 MiB;
 *   503 soar_unreachable / 502 soar_request ...  the brand's SOAR failed (receive.ts).
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import { DISTRIBUTE, type DistributeAnswer, type DistributeBody } from './contracts/distribute.js';
import type { ClearingNetwork } from './network.js';
import { defineRoute, localBrandForPeers, type PeerRoute } from './peer-routes.js';
import { receiveCopy } from './receive.js';

export function distributeRoutes(network: ClearingNetwork): PeerRoute[] {
  return [
    defineRoute<DistributeBody, DistributeAnswer>({
      ...DISTRIBUTE,
      authorize: localBrandForPeers(network),
      handler: async ({ peer, params, body, signal }) => {
        const brand = params['brand'] ?? '';
        const { origin } = body;
        if (origin.node !== peer.id) {
          throw new ClearingError(ErrorCode.Forbidden, `origin.node '${origin.node}' is not the calling node '${peer.id}'`, { httpStatus: 403 });
        }
        if (!peer.peer.brands.includes(origin.brand)) {
          throw new ClearingError(
            ErrorCode.Forbidden,
            `peer ${peer.id} does not serve brand '${origin.brand}' (it serves ${peer.peer.brands.join(', ')}): it may only distribute its own brands' incidents`,
            { httpStatus: 403 },
          );
        }
        return receiveCopy(network, brand, body, { signal, log: network.log.child({ component: 'receive', peer: peer.id }) });
      },
    }),
  ];
}
