/**
 * Peer API routes of the configuration push (served by every node; only the primary may call):
 *
 *   PUT  /api/v1/config-pushes/:push                 begin (again: a no-op): {reason, dry_run, manifest}
 *   PUT  /api/v1/config-pushes/:push/chunks/:index   one chunk: {sha256, data (base64)}, <= 4 MiB
 *   POST /api/v1/config-pushes/:push/commit          import into this node's brands -> NodePushResult
 *   POST /api/v1/config-pushes/:push/abort           drop the push
 *
 * Refusals: 403 forbidden when the caller is not the configured primary (its identity is its
 * client certificate); 409 config_push_busy while another push is under way here; 404 not_found
 * for an unknown push id; 400 chunk_invalid for a chunk out of range, of the wrong size or
 * failing its sha256, or an export failing its whole sha256.
 */
import type { JSONSchemaType } from 'ajv';
import type { Chunk } from './config-chunks.js';
import { CHUNK_MAX_BODY_BYTES, MAX_CHUNKS } from './config-chunks.js';
import { type BeginBody, ConfigPushReceiver, type NodePushResult } from './config-push-receiver.js';
import type { ClearingNetwork } from './network.js';
import { defineRoute, type PeerRoute } from './peer-routes.js';

const CONFIG_PUSH_PATH = '/api/v1/config-pushes/:push';

/** The path of one push (begin); its chunks, commit and abort are below it. */
export function configPushPath(pushId: string): string {
  return `/api/v1/config-pushes/${encodeURIComponent(pushId)}`;
}

const SHA256 = '^[0-9a-f]{64}$';
const size = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

const beginBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'dry_run', 'manifest'],
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
    dry_run: { type: 'boolean' },
    manifest: {
      type: 'object',
      additionalProperties: false,
      required: ['json_bytes', 'bytes', 'sha256', 'chunk_count', 'chunk_bytes'],
      properties: {
        json_bytes: size,
        bytes: size,
        sha256: { type: 'string', pattern: SHA256 },
        chunk_count: { type: 'integer', minimum: 1, maximum: MAX_CHUNKS },
        chunk_bytes: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

type ChunkBody = Omit<Chunk, 'index'>;

const chunkBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sha256', 'data'],
  properties: {
    sha256: { type: 'string', pattern: SHA256 },
    data: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' },
  },
} as const;

export function configPushRoutes(network: ClearingNetwork): PeerRoute[] {
  const receiver = new ConfigPushReceiver(network);
  const primary = network.config.network?.primary ?? null;
  const onlyPrimary = (peer: { id: string }): true | string =>
    peer.id === primary || `only the primary node '${primary ?? '?'}' may push configuration to node '${network.nodeId}'; '${peer.id}' is not the primary`;
  return [
    defineRoute<BeginBody, { push_id: string; chunks_expected: number }>({
      method: 'PUT',
      path: CONFIG_PUSH_PATH,
      bodySchema: beginBodySchema as unknown as JSONSchemaType<BeginBody>,
      authorize: onlyPrimary,
      handler: async ({ peer, params, body }) => receiver.begin(peer.id, params['push'] ?? '', body),
    }),
    defineRoute<ChunkBody, { received: number }>({
      method: 'PUT',
      path: `${CONFIG_PUSH_PATH}/chunks/:index`,
      bodySchema: chunkBodySchema as unknown as JSONSchemaType<ChunkBody>,
      maxBodyBytes: CHUNK_MAX_BODY_BYTES,
      authorize: onlyPrimary,
      handler: async ({ params, body }) => receiver.chunk(params['push'] ?? '', { index: Number(params['index']), ...body }),
    }),
    defineRoute<unknown, NodePushResult>({
      method: 'POST',
      path: `${CONFIG_PUSH_PATH}/commit`,
      authorize: onlyPrimary,
      handler: async ({ params, signal }) => receiver.commit(params['push'] ?? '', signal),
    }),
    defineRoute<unknown, { aborted: boolean }>({
      method: 'POST',
      path: `${CONFIG_PUSH_PATH}/abort`,
      authorize: onlyPrimary,
      handler: async ({ params }) => {
        receiver.abort(params['push'] ?? '');
        return { aborted: true };
      },
    }),
  ];
}
