/** Peer API routes of the distribution flow (receiving a copy). */
import type { ClearingNetwork } from './network.js';
import type { PeerRoute } from './peer-routes.js';

export function distributeRoutes(_network: ClearingNetwork): PeerRoute[] {
  return [];
}
