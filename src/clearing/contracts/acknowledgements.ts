/**
 * Contract of `PUT /api/v1/brands/:brand/incidents/:id/acknowledgements`: the node serving the
 * brand that holds a copy of incident `:id` of `:brand` reports the copy's state to the origin,
 * which updates the distribution row of that brand tracking that copy (src/triage/lifecycle.ts).
 * Answer `{status, changed}` (200). The route is src/triage/ack-routes.ts; the sender is the
 * receiving node's triage sweep.
 */
import type { JSONSchemaType } from 'ajv';
import { DISTRIBUTION_STATUSES, type DistributionStatus } from '../../../customize/datatable.js';
import { ID_PATTERN } from '../../config/schema.js';
import { isRecord } from '../../core/json.js';
import { malformedAnswer } from './peer-error.js';
import { type PeerCaller, type PeerOperation, pathOf } from './peer-api.js';

/** What a receiving node may report about its copy. */
export const REPORTED_STATES = ['Pending', 'Acknowledged', 'Resolved'] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

/** The body. */
export interface AckReport {
  /** The brand holding the copy (must be served by the calling node). */
  receiving_brand: string;
  remote_incident_id: number;
  status: ReportedState;
  /** When the receiving node saw the state (epoch ms). */
  at: number;
}

/** The answer: the row's status now, and whether this report changed it. */
export interface AckAnswer {
  status: DistributionStatus;
  changed: boolean;
  [key: string]: string | boolean;
}

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

/** `:brand` is the origin brand (served by the called node), `:id` its incident. */
export const ACKNOWLEDGEMENTS: PeerOperation<AckReport> = {
  method: 'PUT',
  path: '/api/v1/brands/:brand/incidents/:id/acknowledgements',
  bodySchema: ackReportSchema,
  maxBodyBytes: 4096,
};

export function ackPath(originBrand: string, originIncidentId: number): string {
  return pathOf(ACKNOWLEDGEMENTS, { brand: originBrand, id: originIncidentId });
}

export function checkAckAnswer(peerId: string, answer: unknown): AckAnswer {
  const statuses: readonly string[] = DISTRIBUTION_STATUSES;
  if (!isRecord(answer) || typeof answer['status'] !== 'string' || !statuses.includes(answer['status']) || typeof answer['changed'] !== 'boolean') {
    throw malformedAnswer(peerId, 'the acknowledgement answer is not {status, changed}');
  }
  return { status: answer['status'] as DistributionStatus, changed: answer['changed'] };
}

/** Reports the state of a copy to the node serving its origin brand. */
export async function reportAcknowledgement(caller: PeerCaller, originBrand: string, originIncidentId: number, report: AckReport, signal?: AbortSignal): Promise<AckAnswer> {
  const answer = await caller.request(ACKNOWLEDGEMENTS.method, ackPath(originBrand, originIncidentId), report, signal ? { signal } : {});
  return checkAckAnswer(caller.peer.id, answer);
}
