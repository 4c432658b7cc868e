/**
 * The triage sweep: what the clearing node does on its own, every `triage.sweep_interval_s`, for
 * each of its brands (lifecycle.ts describes the states):
 *
 * 1. origin side: incidents with `clearing_ack_open` (a row Pending or Undelivered): a Pending
 *    row whose last update is `ack_timeout_hours` old becomes Not Acknowledged; an Undelivered
 *    row is distributed again (Pending once the peer answers);
 * 2. receiving side: copies received from other brands (`clearing_origin_brand` set) not yet
 *    reported Resolved: their state (ack task closed, incident closed) is reported to the origin
 *    when it differs from `clearing_ack_reported`, which is then updated;
 * 3. shared-artifact distribution thresholds among the brand's recent incidents.
 *
 * Every read and write goes to SOAR; nothing is kept between runs. The clock is injected
 * (`now`), so tests move time instead of waiting. One run at a time in a process: a tick
 * arriving while a run is going is skipped.
 *
 * Two nodes of one region sweep the same brands: every transition is decided on the row as read
 * and written with its `version`, so when the other node wrote first the PUT meets SOAR's 409
 * and the transition is decided again on the fresh row (usually: nothing left to do). An
 * Undelivered row is claimed the same way before it is sent again, so only one node sends it.
 */
import { INCIDENT_FIELD } from '../../customize/fields.js';
import { allows, isRetried, OVERDUE, statusUpdate, transition } from '../clearing/distribution-status.js';
import { type DistributionRow, readDistributionRows, type RowUpdate, updateDistributionRow } from '../clearing/distribution-table.js';
import type { ClearingNetwork } from '../clearing/network.js';
import { ClearingError } from '../core/errors.js';
import type { Incident, QueryCondition } from '../soar/dto.js';
import type { Logger } from '../core/types.js';
import { nodeContext } from './context.js';
import { distributeOnBehalf } from './distribute.js';
import { needsWatch, receiverState, refreshAckOpen, sendAckReport, stamp } from './lifecycle.js';
import { applySharedArtifactThresholds } from './triggers.js';

/** Incidents read per query page. */
const PAGE = 100;

export interface SweepReport {
  /** Incidents with an open row looked at (origin side). */
  watched: number;
  notAcknowledged: number;
  retried: number;
  redelivered: number;
  /** Received copies looked at (receiving side). */
  copies: number;
  reported: number;
  reportFailures: number;
  thresholdsFired: number;
  errors: string[];
}

export interface SweepOptions {
  readonly now?: () => number;
  readonly log?: Logger;
}

/**
 * How long a claim on an Undelivered row (its message "sending again ...", stamped) keeps the
 * other node's sweep off it: the delivery it announces takes at most the peer timeout; one left
 * by a killed node runs out.
 */
const RETRY_CLAIM_MS = 5 * 60_000;
const RETRY_PREFIX = /^sending again \(node [^)]*\): /;

/** The message of an Undelivered row the sweep is sending again (its claim on the row). */
function retryMessage(row: DistributionRow, nodeId: string): string {
  return `sending again (node ${nodeId}): ${row.message?.replace(RETRY_PREFIX, '') ?? ''}`;
}

/** Whether a sweep may claim this row to send it again: Undelivered, and not claimed by a sweep still within its time. */
function claimable(row: DistributionRow, now: number): boolean {
  if (!isRetried(row.status)) return false;
  return !(RETRY_PREFIX.test(row.message ?? '') && row.lastUpdate !== null && now - row.lastUpdate < RETRY_CLAIM_MS);
}

export class TriageSweep {
  private readonly now: () => number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepReport> | null = null;
  private readonly stopping = new AbortController();

  constructor(private readonly network: ClearingNetwork, opts: SweepOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.log = (opts.log ?? network.log).child({ component: 'triage-sweep' });
  }

  /** Runs every `intervalMs` (0: never) until stop(). */
  start(intervalMs = this.network.config.triage.sweep_interval_ms): void {
    if (intervalMs <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => {
      if (this.running === null) void this.runOnce().catch((err: unknown) => this.log.error(`sweep failed: ${ClearingError.from(err).message}`));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  /** One pass over every local brand; a brand's failure is logged and reported, never thrown. */
  runOnce(): Promise<SweepReport> {
    if (this.running !== null) return this.running;
    const started = performance.now();
    this.running = this.pass().finally(() => {
      this.network.metrics.sweep(performance.now() - started);
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<SweepReport> {
    const report: SweepReport = { watched: 0, notAcknowledged: 0, retried: 0, redelivered: 0, copies: 0, reported: 0, reportFailures: 0, thresholdsFired: 0, errors: [] };
    for (const brand of this.network.localBrands.map((b) => b.id)) {
      for (const [what, step] of [
        ['origin rows', () => this.originSide(brand, report)],
        ['received copies', () => this.receivingSide(brand, report)],
        ['thresholds', () => this.thresholds(brand, report)],
      ] as const) {
        if (this.stopping.signal.aborted) return report;
        try {
          await step();
        } catch (err) {
          if (this.stopping.signal.aborted) return report;
          const message = `${brand} ${what}: ${ClearingError.from(err).message}`;
          report.errors.push(message);
          this.log.warn(`sweep: ${message}`, { brand });
        }
      }
    }
    return report;
  }

  /** Every incident of `brand` matching `conditions`, page by page (ids ascending). */
  private async *incidents(brand: string, conditions: QueryCondition[]): AsyncGenerator<Incident> {
    const soar = this.network.soarOf(brand);
    for (let start = 0; ; start += PAGE) {
      const page = await soar.queryIncidentsPaged(
        { filters: [{ conditions }], sorts: [{ field_name: 'id', type: 'asc' }], start, length: PAGE },
        { signal: this.stopping.signal },
      );
      for (const incident of page.data) yield incident;
      if (page.data.length < PAGE) return;
    }
  }

  private async originSide(brand: string, report: SweepReport): Promise<void> {
    const soar = this.network.soarOf(brand);
    const signal = this.stopping.signal;
    const timeout = this.network.config.triage.ack_timeout_ms;
    const ctx = nodeContext(this.network, brand, this.log, signal);
    // Collected first: the writes below change what the query matches.
    const ids: number[] = [];
    for await (const incident of this.incidents(brand, [{ field_name: `properties.${INCIDENT_FIELD.ackOpen.name}`, method: 'equals', value: true }])) ids.push(incident.id);
    for (const id of ids) {
      report.watched += 1;
      const now = this.now();
      let changed = false;
      const rows = await readDistributionRows(soar, id, signal);
      // The rows as written here; a retry writes its row itself, so after one they are read again.
      let after: DistributionRow[] | undefined = [...rows];
      for (const [i, row] of rows.entries()) {
        const overdue = (r: DistributionRow): boolean => r.lastUpdate !== null && now - r.lastUpdate >= timeout && allows(r.status, OVERDUE);
        if (overdue(row)) {
          const hours = Math.round((timeout / 3_600_000) * 100) / 100;
          const update = (r: DistributionRow): RowUpdate => ({
            ...statusUpdate(transition(r.status, OVERDUE)),
            message: `not acknowledged by ${r.brand} within ${hours} h of ${stamp(r.lastUpdate!)}${r.remoteIncidentId ? ` (incident ${r.remoteIncidentId} there)` : ''}`,
          });
          // Decided again on the fresh row when it changed meanwhile (another node's sweep, a report).
          const written = await updateDistributionRow(soar, id, row, update(row), now, signal, (fresh) => (overdue(fresh) ? update(fresh) : null));
          if (written) {
            if (after) after[i] = { ...row, ...update(row), lastUpdate: now };
            report.notAcknowledged += 1;
          } else {
            after = undefined;
          }
          changed = true;
        } else if (claimable(row, now)) {
          // The row is claimed first, written with its version, so of two nodes sweeping only one sends it again.
          const claimed = await updateDistributionRow(soar, id, row, { message: retryMessage(row, this.network.nodeId) }, now, signal, (fresh) =>
            claimable(fresh, now) ? { message: retryMessage(fresh, this.network.nodeId) } : null);
          after = undefined;
          changed = true;
          if (!claimed) continue;
          report.retried += 1;
          const outcome = await distributeOnBehalf(ctx, id, row.brand);
          if (outcome.outcome === 'delivered' || outcome.outcome === 'updated') report.redelivered += 1;
        }
      }
      // Still watched and nothing written: the mark is right as it is (saves a read per incident).
      if (changed || !needsWatch(rows)) await refreshAckOpen(soar, id, after ? { rows: after } : {}, signal);
    }
  }

  private async receivingSide(brand: string, report: SweepReport): Promise<void> {
    const soar = this.network.soarOf(brand);
    const signal = this.stopping.signal;
    for await (const copy of this.incidents(brand, [{ field_name: `properties.${INCIDENT_FIELD.originBrand.name}`, method: 'has_a_value' }])) {
      const props = copy.properties ?? {};
      const reported = typeof props[INCIDENT_FIELD.ackReported.name] === 'string' && props[INCIDENT_FIELD.ackReported.name] !== '' ? props[INCIDENT_FIELD.ackReported.name] : 'Pending';
      if (reported === 'Resolved') continue;
      report.copies += 1;
      const originBrand = props[INCIDENT_FIELD.originBrand.name];
      const originId = Number(props[INCIDENT_FIELD.originIncidentId.name]);
      if (typeof originBrand !== 'string' || !Number.isSafeInteger(originId) || originId < 1) continue;
      const state = receiverState(copy, copy.plan_status === 'C' ? [] : await soar.listIncidentTasks(copy.id, { signal }));
      if (state === reported) continue;
      try {
        await sendAckReport(this.network, originBrand, originId, { receiving_brand: brand, remote_incident_id: copy.id, status: state, at: this.now() }, this.now(), signal);
      } catch (err) {
        if (signal.aborted) throw err;
        // Reported again by the next sweep: the field still says what the origin knows.
        report.reportFailures += 1;
        this.log.warn(`could not report ${state} of incident ${copy.id} to brand ${originBrand}: ${ClearingError.from(err).message}`, { brand });
        continue;
      }
      // Written once: the other node of the region may have reported and written it meanwhile.
      await soar.updateIncident(copy.id, (incident) =>
        incident.properties?.[INCIDENT_FIELD.ackReported.name] === state ? null : { ...incident, properties: { ...incident.properties, [INCIDENT_FIELD.ackReported.name]: state } }, { signal });
      report.reported += 1;
    }
  }

  private async thresholds(brand: string, report: SweepReport): Promise<void> {
    if (!this.network.config.triage.thresholds.some((t) => t.when.kind === 'shared_artifact')) return;
    const ctx = nodeContext(this.network, brand, this.log, this.stopping.signal);
    const outcomes = await applySharedArtifactThresholds(ctx, this.network.config.triage, this.now());
    report.thresholdsFired += outcomes.filter((o) => o.fired).length;
  }
}
