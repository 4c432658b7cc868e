/**
 * The acknowledgement lifecycle of a distributed copy, with all its state in SOAR:
 *
 *   origin row (clearing_distribution)     set by
 *   Pending            copy delivered       the distribution (distribute.ts: the function, a threshold, a sweep retry)
 *   Undelivered        peer not reached     the distribution; the origin sweep retries it
 *   Acknowledged       ack task closed      the receiving node's report (PUT .../acknowledgements)
 *   Resolved           copy closed          the receiving node's report
 *   Not Acknowledged   Pending too long     the origin sweep (`triage.ack_timeout_hours`, from the row's last update)
 *   Informational      read-only share      clearing_share_incident
 *
 * Which change is allowed from which status: src/clearing/distribution-status.ts.
 *
 * The receiving node learns the state of its copies from its own SOAR (the task "Acknowledge
 * received incident" closed, the incident closed) in its sweep and reports every change to the
 * origin node; the copy's field `clearing_ack_reported` holds what was last reported, so a report
 * that failed (origin down) is sent again by the next sweep. The origin's field
 * `clearing_ack_open` marks incidents with a Pending or Undelivered row: the only incidents the
 * origin sweep reads.
 */
import { INCIDENT_FIELD } from '../../customize/fields.js';
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK } from '../../customize/tasks.js';
import { type AckAnswer, type AckReport, type ReportedState, reportAcknowledgement } from '../clearing/contracts/acknowledgements.js';
import { isWatched, transition } from '../clearing/distribution-status.js';
import { type DistributionRow, readDistributionRows, type RowUpdate, updateDistributionRow } from '../clearing/distribution-table.js';
import type { ClearingNetwork } from '../clearing/network.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { SoarClient } from '../soar/client.js';
import type { Incident, Task } from '../soar/dto.js';


/** Rows the origin sweep must look at again. */
export function needsWatch(rows: readonly DistributionRow[]): boolean {
  return rows.some((r) => isWatched(r.status));
}

/** What the caller already read and need not be read again. */
export interface KnownState {
  /** The rows as they now stand (else read). */
  readonly rows?: readonly DistributionRow[];
  /**
   * The incident as last read with `handle_format=names` (as a distribution reads it for the
   * whitelist): the mark is compared with it, and a write starts from it (else read).
   */
  readonly incident?: Incident;
}

/**
 * Keeps the incident's `clearing_ack_open` in step with its rows (written only when it changes).
 * Read and written with handle names, the one format a distribution reads the incident in.
 */
export async function refreshAckOpen(soar: SoarClient, incidentId: number, known: KnownState = {}, signal?: AbortSignal): Promise<boolean> {
  const open = needsWatch(known.rows ?? (await readDistributionRows(soar, incidentId, signal)));
  await soar.updateIncident(incidentId, (incident) => {
    const props = incident.properties ?? {};
    if ((props[INCIDENT_FIELD.ackOpen.name] === true) === open) return null;
    return { ...incident, properties: { ...props, [INCIDENT_FIELD.ackOpen.name]: open } };
  }, { signal, current: known.incident, query: { handle_format: 'names' } });
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
  const next = transition(row.status, { kind: 'reported', status: report.status });
  if (next.kind === 'keep') return { status: report.status, changed: false };
  // Decided again when the row changed meanwhile (the same report through the region's other node).
  const recheck = (fresh: DistributionRow): RowUpdate | null => {
    if (fresh.remoteIncidentId !== row.remoteIncidentId) return null;
    const again = transition(fresh.status, { kind: 'reported', status: report.status });
    return again.kind === 'keep' ? null : { status: again.status, message: reportMessage(report) };
  };
  const written = await updateDistributionRow(soar, originIncidentId, row, { status: next.status, message: reportMessage(report) }, now, signal, recheck);
  if (!written) return { status: report.status, changed: false };
  const after = rows.map((r) => (r.rowId === row.rowId ? { ...r, status: next.status } : r));
  await refreshAckOpen(soar, originIncidentId, { rows: after }, signal);
  return { status: report.status, changed: true };
}

/** On the receiving node: sends a report to the origin brand (straight into its SOAR when this node serves it). */
export async function sendAckReport(network: ClearingNetwork, originBrand: string, originIncidentId: number, report: AckReport, now: number, signal?: AbortSignal): Promise<AckAnswer> {
  if (network.isLocal(originBrand)) return applyAckReport(network.soarOf(originBrand), originIncidentId, report, now, signal);
  return reportAcknowledgement(network.peerFor(originBrand), originBrand, originIncidentId, report, signal);
}
