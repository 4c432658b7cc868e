/** Every route of the peer API this node serves, gathered from the flows that define them. */
import type { ClearingNetwork } from './network.js';
import type { PeerRoute } from './peer-routes.js';
import { configPushRoutes } from './config-push-routes.js';
import { distributeRoutes } from './distribute-routes.js';
import { sharedViewRoutes } from './shared-routes.js';
import { ackRoutes } from '../triage/ack-routes.js';

export function peerRoutes(network: ClearingNetwork): PeerRoute[] {
  return [...distributeRoutes(network), ...sharedViewRoutes(network), ...configPushRoutes(network), ...ackRoutes(network)];
}
