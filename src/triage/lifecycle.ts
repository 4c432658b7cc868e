/**
 * The acknowledgement lifecycle of a distributed copy, with all its state in SOAR:
 *
 *   origin row (clearing_distribution)     set by
 *   Pending            copy delivered       clearing_distribute_incident (or a sweep retry)
 *   Undelivered        peer not reached     clearing_distribute_incident; the origin sweep retries it
 *   Acknowledged       ack task closed      the receiving node's report (PUT .../acknowledgements)
 *   Resolved           copy closed          the receiving node's report
 *   Not Acknowledged   Pending too long     the origin sweep (`triage.ack_timeout_hours`, from the row's last update)
 *   Informational      read-only share      clearing_share_incident
 *
 * The receiving node learns the state of its copies from its own SOAR (the task "Acknowledge
 * received incident" closed, the incident closed) in its sweep and reports every change to the
 * origin node; the copy's field `clearing_ack_reported` holds what was last reported, so a report
 * that failed (origin down) is sent again by the next sweep. The origin's field
 * `clearing_ack_open` marks incidents with a Pending or Undelivered row: the only incidents the
 * origin sweep reads.
 */
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK } from '../../customize/tasks.js';
import { type AckAnswer, type AckReport, type ReportedState, reportAcknowledgement } from '../clearing/contracts/acknowledgements.js';
import { type DistributionRow, readDistributionRows, updateDistributionRow } from '../clearing/distribution-table.js';
import type { ClearingNetwork } from '../clearing/network.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { SoarClient } from '../soar/client.js';
import type { Incident, Task } from '../soar/dto.js';

export const ACK_OPEN_FIELD = 'clearing_ack_open';
export const ACK_REPORTED_FIELD = 'clearing_ack_reported';

/** Rows the origin sweep must look at again. */
export function needsWatch(rows: readonly DistributionRow[]): boolean {
  return rows.some((r) => r.status === 'Pending' || r.status === 'Undelivered');
}

/** What the caller already read and need not be read again. */
export interface KnownState {
  /** The rows as they now stand (else read). */
  readonly rows?: readonly DistributionRow[];
  /** The incident as last read: the mark is compared with it, and a write starts from its `vers` (else read). */
  readonly incident?: Incident;
}

/** Keeps the incident's `clearing_ack_open` in step with its rows (written only when it changes). */
export async function refreshAckOpen(soar: SoarClient, incidentId: number, known: KnownState = {}, signal?: AbortSignal): Promise<boolean> {
  const open = needsWatch(known.rows ?? (await readDistributionRows(soar, incidentId, signal)));
  await soar.updateIncident(incidentId, (incident) => {
    const props = incident.properties ?? {};
    if ((props[ACK_OPEN_FIELD] === true) === open) return null;
    return { ...incident, properties: { ...props, [ACK_OPEN_FIELD]: open } };
  }, { signal, current: known.incident });
  return open;
}

/** The state of a received copy, read from the receiving SOAR. */
export function receiverState(incident: Incident, tasks: readonly Task[]): ReportedState {
  if (incident.plan_status === 'C') return 'Resolved';
  const ack = tasks.filter((t) => t.name === ACKNOWLEDGE_RECEIVED_INCIDENT_TASK.name);
  return ack.length > 0 && ack.every((t) => t.status === 'C') ? 'Acknowledged' : 'Pending';
}

/** A moment as ISO 8601 to the second, for row messages. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function reportMessage(report: AckReport): string {
  const where = `${report.receiving_brand} (incident ${report.remote_incident_id})`;
  switch (report.status) {
    case 'Acknowledged': return `acknowledged by ${where} at ${stamp(report.at)}`;
    case 'Resolved': return `resolved: ${where} closed its copy at ${stamp(report.at)}`;
    default: return `awaiting acknowledgement by ${where} again (reopened there at ${stamp(report.at)})`;
  }
}

/**
 * The one answer to a report about a copy the origin does not track: the same whether the
 * incident does not exist or has no row of that brand for that copy, so a peer learns nothing
 * about which incidents exist.
 */
export function ackNotFound(): ClearingError {
  return new ClearingError(ErrorCode.NotFound, 'no distribution row of this brand tracks that copy', { httpStatus: 404 });
}

/**
 * On the origin node: applies a receiving brand's report to the row of that brand which tracks
 * that very copy. Not found (no such incident, no row for the brand, another remote id): 404.
 */
export async function applyAckReport(soar: SoarClient, originIncidentId: number, report: AckReport, now: number, signal?: AbortSignal): Promise<AckAnswer> {
  const rows = await readDistributionRows(soar, originIncidentId, signal);
  const row = rows.find((r) => r.brand === report.receiving_brand && r.remoteIncidentId === String(report.remote_incident_id));
  if (row === undefined) throw ackNotFound();
  if (row.status === report.status) return { status: report.status, changed: false };
  await updateDistributionRow(soar, originIncidentId, row, { status: report.status, message: reportMessage(report) }, now, signal);
  const after = rows.map((r) => (r.rowId === row.rowId ? { ...r, status: report.status } : r));
  await refreshAckOpen(soar, originIncidentId, { rows: after }, signal);
  return { status: report.status, changed: true };
}

/** On the receiving node: sends a report to the origin brand (straight into its SOAR when this node serves it). */
export async function sendAckReport(network: ClearingNetwork, originBrand: string, originIncidentId: number, report: AckReport, now: number, signal?: AbortSignal): Promise<AckAnswer> {
  if (network.isLocal(originBrand)) return applyAckReport(network.soarOf(originBrand), originIncidentId, report, now, signal);
  return reportAcknowledgement(network.peerFor(originBrand), originBrand, originIncidentId, report, signal);
}
