/**
 * Peer API routes of the configuration push: the operations of contracts/config-push.ts,
 * served by every node; only the primary may call.
 *
 * Refusals: 403 forbidden when the caller is not the configured primary (its identity is its
 * client certificate); 409 config_push_busy while another push is under way here; 404 not_found
 * for an unknown push id; 400 chunk_invalid for a chunk out of range, of the wrong size or
 * failing its sha256, or an export failing its whole sha256.
 */
import { ConfigPushReceiver } from './config-push-receiver.js';
import {
  type AbortAnswer,
  type BeginAnswer,
  type BeginBody,
  type ChunkAnswer,
  type ChunkBody,
  CONFIG_PUSH_ABORT,
  CONFIG_PUSH_BEGIN,
  CONFIG_PUSH_CHUNK,
  CONFIG_PUSH_COMMIT,
  type NodePushResult,
} from './contracts/config-push.js';
import type { ClearingNetwork } from './network.js';
import { defineRoute, type PeerRoute } from './peer-routes.js';

export function configPushRoutes(network: ClearingNetwork): PeerRoute[] {
  const receiver = new ConfigPushReceiver(network);
  const primary = network.config.network?.primary ?? null;
  const onlyPrimary = (peer: { id: string }): true | string =>
    peer.id === primary || `only the primary node '${primary ?? '?'}' may push configuration to node '${network.nodeId}'; '${peer.id}' is not the primary`;
  return [
    defineRoute<BeginBody, BeginAnswer>({
      ...CONFIG_PUSH_BEGIN,
      authorize: onlyPrimary,
      handler: async ({ peer, params, body }) => receiver.begin(peer.id, params['push'] ?? '', body),
    }),
    defineRoute<ChunkBody, ChunkAnswer>({
      ...CONFIG_PUSH_CHUNK,
      authorize: onlyPrimary,
      handler: async ({ params, body }) => receiver.chunk(params['push'] ?? '', { index: Number(params['index']), ...body }),
    }),
    defineRoute<unknown, NodePushResult>({
      ...CONFIG_PUSH_COMMIT,
      authorize: onlyPrimary,
      handler: async ({ params, signal }) => receiver.commit(params['push'] ?? '', signal),
    }),
    defineRoute<unknown, AbortAnswer>({
      ...CONFIG_PUSH_ABORT,
      authorize: onlyPrimary,
      handler: async ({ params }) => {
        receiver.abort(params['push'] ?? '');
        return { aborted: true };
      },
    }),
  ];
}
