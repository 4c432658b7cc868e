/**
 * Peer API route of the acknowledgement lifecycle (origin side).
 *
 * `PUT /api/v1/brands/:brand/incidents/:id/acknowledgements`: the node serving the brand that
 * holds a copy of incident `:id` of `:brand` (one of this node's brands) reports the copy's
 * state. Body: AckReport (lifecycle.ts); answer `{status, changed}` (200). Refusals:
 *   403 forbidden     `:brand` is not served by this node (before the body is read), or the
 *                     body's `receiving_brand` is not served by the calling peer;
 *   400 body_invalid  the body does not match the schema; 404 not_found  no row of that brand
 *                     tracks that remote incident, `:id` is no incident, or no incident id: one
 *                     and the same answer (ackNotFound), so existence is never revealed.
 */
import type { JSONSchemaType } from 'ajv';
import { ID_PATTERN } from '../config/schema.js';
import { localBrandForPeers } from '../clearing/distribute-routes.js';
import type { ClearingNetwork } from '../clearing/network.js';
import { defineRoute, type PeerRoute } from '../clearing/peer-routes.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { SoarRequestError } from '../soar/errors.js';
import { type AckAnswer, type AckReport, ackNotFound, applyAckReport, REPORTED_STATES } from './lifecycle.js';

const ACK_ROUTE_PATH = '/api/v1/brands/:brand/incidents/:id/acknowledgements';

const ackReportSchema: JSONSchemaType<AckReport> = {
  type: 'object',
  additionalProperties: false,
  required: ['receiving_brand', 'remote_incident_id', 'status', 'at'],
  properties: {
    receiving_brand: { type: 'string', pattern: ID_PATTERN },
    remote_incident_id: { type: 'integer', minimum: 1 },
    status: { type: 'string', enum: [...REPORTED_STATES] },
    at: { type: 'integer', minimum: 0 },
  },
};

export function ackRoutes(network: ClearingNetwork, now: () => number = Date.now): PeerRoute[] {
  return [
    defineRoute<AckReport, AckAnswer>({
      method: 'PUT',
      path: ACK_ROUTE_PATH,
      bodySchema: ackReportSchema,
      maxBodyBytes: 4096,
      authorize: localBrandForPeers(network),
      handler: async ({ peer, params, body, signal }) => {
        if (!peer.peer.brands.includes(body.receiving_brand)) {
          throw new ClearingError(
            ErrorCode.Forbidden,
            `peer ${peer.id} does not serve brand '${body.receiving_brand}' (it serves ${peer.peer.brands.join(', ')}): it may only report on its own brands' copies`,
            { httpStatus: 403 },
          );
        }
        const id = Number(params['id']);
        if (!/^\d{1,15}$/.test(params['id'] ?? '') || id < 1) throw ackNotFound();
        const answer = await applyAckReport(network.soarOf(params['brand'] ?? ''), id, body, now(), signal).catch((err: unknown) => {
          // A missing incident answers like a missing row (and SOAR's words stay here).
          throw err instanceof SoarRequestError && err.status === 404 ? ackNotFound() : err;
        });
        if (answer.changed) network.log.info('distribution row updated from a report', { brand: params['brand'], incident_id: id, peer: peer.id, status: answer.status });
        return answer;
      },
    }),
  ];
}
