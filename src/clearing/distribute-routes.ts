/**
 * Peer API routes of the distribution flow (receiving a copy).
 *
 * `POST /api/v1/brands/:brand/incidents`: a peer delivers a whitelisted copy of one of its
 * brands' incidents to `:brand`, one of this node's brands. Body: DistributeBody (receive.ts),
 * validated here; answer: `{remote_incident_id, created}` (200). Refusals:
 *   403 forbidden     `:brand` is not served by this node (checked before the body is read), or
 *                     the body's `origin.brand` is not one of the calling peer's brands, or
 *                     `origin.node` is not the calling peer;
 *   400 body_invalid  the body does not match the schema; 413 body_too_large beyond 40 MiB;
 *   503 soar_unreachable / 502 soar_request ...  the brand's SOAR failed (receive.ts).
 */
import type { JSONSchemaType } from 'ajv';
import { ID_PATTERN } from '../config/schema.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { WIRE_BUNDLE_MAX_BYTES } from './bundle.js';
import type { ClearingNetwork } from './network.js';
import { defineRoute, type PeerRoute } from './peer-routes.js';
import { type DistributeAnswer, type DistributeBody, receiveCopy } from './receive.js';

/** Route path (`:brand` = the receiving brand). */
const DISTRIBUTE_ROUTE_PATH = '/api/v1/brands/:brand/incidents';

/** Body limit of a delivery: the sender's whitelist holds the filtered incident to `max_total_bytes`. */
const DISTRIBUTE_MAX_BODY_BYTES = WIRE_BUNDLE_MAX_BYTES;

const count = { type: 'integer', minimum: 0 } as const;
const objects = { type: 'array', maxItems: 100_000, items: { type: 'object', required: [] } } as const;

/** JSON schema of DistributeBody. Incident and children are free-form objects (whitelisted by the sender). */
const distributeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'incident', 'notes', 'artifacts', 'attachments', 'tasks', 'dropped'],
  properties: {
    origin: {
      type: 'object',
      additionalProperties: false,
      required: ['node', 'brand', 'incident_id'],
      properties: {
        node: { type: 'string', pattern: ID_PATTERN },
        brand: { type: 'string', pattern: ID_PATTERN },
        incident_id: { type: 'integer', minimum: 1 },
      },
    },
    incident: {
      type: 'object',
      required: [],
      properties: { properties: { type: 'object', required: [] } },
    },
    notes: objects,
    artifacts: objects,
    attachments: objects,
    tasks: objects,
    dropped: {
      type: 'object',
      additionalProperties: false,
      required: ['incident_fields', 'properties', 'notes', 'artifacts', 'attachments', 'tasks', 'truncated_values'],
      properties: {
        incident_fields: count,
        properties: count,
        notes: count,
        artifacts: count,
        attachments: count,
        tasks: count,
        truncated_values: count,
        untyped_values: count,
      },
    },
  },
} as const;

/** Authorization of a route about `:brand`: one of this node's brands, called by a peer serving some brand. */
export function localBrandForPeers(network: ClearingNetwork): NonNullable<PeerRoute['authorize']> {
  return (peer, params) => {
    const brand = params['brand'] ?? '';
    if (!network.isLocal(brand)) return `brand '${brand}' is not served by node '${network.nodeId}'`;
    if (peer.peer.brands.length === 0) return `peer ${peer.id} serves no brand`;
    return true;
  };
}

export function distributeRoutes(network: ClearingNetwork): PeerRoute[] {
  return [
    defineRoute<DistributeBody, DistributeAnswer>({
      method: 'POST',
      path: DISTRIBUTE_ROUTE_PATH,
      // The free-form JSON objects of the body have no JSONSchemaType form; the schema above is exact.
      bodySchema: distributeBodySchema as unknown as JSONSchemaType<DistributeBody>,
      maxBodyBytes: DISTRIBUTE_MAX_BODY_BYTES,
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
