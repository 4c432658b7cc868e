/**
 * Contract of `POST /api/v1/brands/:brand/incidents`: a node delivers a whitelisted copy of
 * one of its brands' incidents to `:brand`, a brand of the called node, which creates the copy
 * in that brand's SOAR or refreshes the one it finds by the origin (receive.ts). Answer
 * `{remote_incident_id, created}` (200). The route is distribute-routes.ts; the sender is the
 * function clearing_distribute_incident.
 */
import type { JSONSchemaType } from 'ajv';
import { ID_PATTERN } from '../../config/schema.js';
import { ClearingError, ErrorCode } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { type PeerCaller, type PeerOperation, pathOf } from './peer-api.js';
import { WIRE_BUNDLE_MAX_BYTES, type WireBundle } from './wire-bundle.js';

/** Where a copy comes from. */
export interface DistributeOrigin {
  /** The sending node's id. */
  node: string;
  /** The brand owning the original. */
  brand: string;
  /** The original's id in that brand's SOAR. */
  incident_id: number;
}

/** The body of a delivery: the sender's filtered incident with the origin, the dropped part as counts. */
export interface DistributeBody extends WireBundle {
  readonly origin: DistributeOrigin;
}

/** The answer of a delivery. */
export interface DistributeAnswer {
  /** The copy's incident id in the receiving brand's SOAR. */
  remote_incident_id: number;
  /** True when this delivery created the copy; false when it updated an existing one. */
  created: boolean;
}

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

/** `:brand` is the receiving brand. The body limit: the sender's whitelist holds the filtered incident to `max_total_bytes`. */
export const DISTRIBUTE: PeerOperation<DistributeBody> = {
  method: 'POST',
  path: '/api/v1/brands/:brand/incidents',
  // The free-form JSON objects of the body have no JSONSchemaType form; the schema above is exact.
  bodySchema: distributeBodySchema as unknown as JSONSchemaType<DistributeBody>,
  maxBodyBytes: WIRE_BUNDLE_MAX_BYTES,
};

/** The path delivering to `brand`. */
export function distributePath(brand: string): string {
  return pathOf(DISTRIBUTE, { brand });
}

/** A delivery may take long at the receiver (incident, notes, artifacts one call each): never less than this. */
export const MIN_DELIVERY_TIMEOUT_MS = 120_000;

export function checkDistributeAnswer(peerId: string, answer: unknown): DistributeAnswer {
  if (!isRecord(answer) || !Number.isSafeInteger(answer['remote_incident_id']) || typeof answer['created'] !== 'boolean') {
    throw new ClearingError(ErrorCode.PeerError, `node ${peerId} answered without a remote incident id: ${JSON.stringify(answer ?? null).slice(0, 200)}`);
  }
  return { remote_incident_id: answer['remote_incident_id'] as number, created: answer['created'] };
}

/** Delivers `body` to `brand` on the node `caller` calls, with at least MIN_DELIVERY_TIMEOUT_MS. */
export async function deliverCopy(caller: PeerCaller, brand: string, body: DistributeBody, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<DistributeAnswer> {
  const timeoutMs = Math.max(options.timeoutMs ?? 0, MIN_DELIVERY_TIMEOUT_MS);
  const answer = await caller.request(DISTRIBUTE.method, distributePath(brand), body, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs });
  return checkDistributeAnswer(caller.peer.id, answer);
}
