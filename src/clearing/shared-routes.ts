/**
 * Peer API routes of the shared view: the operations SHARED_LIST and SHARED_DETAIL
 * (contracts/shared-view.ts, which describes them and checks their queries).
 *
 * `:brand` is the viewing brand: it must be one of the brands behind the calling node (its
 * entry in network.peers), else 403 `forbidden` before anything is read.
 */
import {
  incidentIdParam,
  onlyParams,
  pageParams,
  SHARED_DETAIL,
  SHARED_LIST,
  type SharedIncidentDetail,
  type SharedListPage,
} from './contracts/shared-view.js';
import type { ClearingNetwork } from './network.js';
import type { PeerIdentity } from './peer-auth.js';
import { defineRoute, type PeerRoute } from './peer-routes.js';
import { getShared, listSharedWith } from './shared-view.js';

/** The viewing brand must be behind the calling node. */
function viewerIsCaller(peer: PeerIdentity, params: Readonly<Record<string, string>>): boolean | string {
  const brand = params['brand'] ?? '';
  return peer.peer.brands.includes(brand) || `node ${peer.id} does not serve brand '${brand}'`;
}

export function sharedViewRoutes(network: ClearingNetwork): PeerRoute[] {
  return [
    defineRoute<undefined, SharedListPage>({
      ...SHARED_LIST,
      authorize: viewerIsCaller,
      handler: async ({ params, query, signal }) => listSharedWith(network, params['brand']!, pageParams(query), signal),
    }),
    defineRoute<undefined, SharedIncidentDetail>({
      ...SHARED_DETAIL,
      authorize: viewerIsCaller,
      handler: async ({ params, query, signal }) => {
        onlyParams(query, []);
        const id = incidentIdParam(params['id']!);
        return getShared(network, params['brand']!, params['owner']!, id, signal);
      },
    }),
  ];
}
