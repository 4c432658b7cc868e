/**
 * Every route of the peer API this node serves, gathered from the flows that define them: here,
 * where both the clearing flows and triage are visible (src/clearing never imports triage).
 */
import { configPushRoutes } from '../clearing/config-push-routes.js';
import { distributeRoutes } from '../clearing/distribute-routes.js';
import type { ClearingNetwork } from '../clearing/network.js';
import type { PeerRoute } from '../clearing/peer-routes.js';
import { sharedViewRoutes } from '../clearing/shared-routes.js';
import { ackRoutes } from '../triage/ack-routes.js';

export function peerRoutes(network: ClearingNetwork): PeerRoute[] {
  return [...distributeRoutes(network), ...sharedViewRoutes(network), ...configPushRoutes(network), ...ackRoutes(network)];
}
