/** Peer API routes of the shared view (listing and reading incidents shared with a brand). */
import type { ClearingNetwork } from './network.js';
import type { PeerRoute } from './peer-routes.js';

export function sharedViewRoutes(_network: ClearingNetwork): PeerRoute[] {
  return [];
}
