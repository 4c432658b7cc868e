/**
 * clearing_distribute_incident: sends a whitelist-filtered copy of the incident to other brands
 * (rule "Clearing: distribution table changed", menu items "Clearing: distribute now" and
 * "Clearing: distribute to this brand").
 *
 * Targets: without `clearing_brand`, every distribution-table row flagged `distribute`; with
 * it, that brand's row alone, whatever its flag (a brand unknown to the network, the incident's
 * own brand or a brand without a row is an input error).
 *
 * The copy is filtered here, at the sender, with this brand's whitelist, and delivered to the
 * node serving the target brand (`POST /api/v1/brands/<brand>/incidents`), or straight into the
 * target brand's SOAR when this node serves it too. The receiving side finds an earlier copy by
 * its origin fields, so sending again refreshes that copy (fields, new notes and artifacts):
 * rows already delivered are sent again as an update, never as a second copy.
 *
 * Each row gets the outcome (the node never touches the flags):
 *   delivered  status Pending, the remote incident id, "delivered to <brand> (node <n>) as incident <id>; <filtered>"
 *   updated    status kept when the row already tracked this copy (Pending, Acknowledged, Not
 *              Acknowledged, Resolved), else Pending; "copy in <brand> (node <n>) updated: incident <id>; <filtered>"
 *   failed     status Undelivered and "undelivered to <brand> (node <n>): <reason>"; when the
 *              row already tracked a delivered copy, its status and remote id are kept and the
 *              message says "could not update the copy in <brand> (node <n>), incident <id>: <reason>".
 * One brand's failure never fails the function: the result lists each brand's outcome.
 * A copy received from another brand is only distributed further when the node's config says
 * `network.allow_redistribution: true`.
 */
import type { FunctionContext } from '../src/worker/function.js';
import type { DistributionStatus } from '../customize/datatable.js';
import { readFilteredIncident, toWire } from '../src/clearing/bundle.js';
import {
  type DistributionRow,
  readDistributionRows,
  updateDistributionRow,
} from '../src/clearing/distribution-table.js';
import {
  type DistributeAnswer,
  type DistributeBody,
  distributePath,
  ORIGIN_BRAND_FIELD,
  ORIGIN_INCIDENT_FIELD,
  receiveCopy,
} from '../src/clearing/receive.js';
import { describeDropped, type FilterResult } from '../src/clearing/whitelist.js';
import { ClearingError, ErrorCode } from '../src/core/errors.js';
import { type KnownState, refreshAckOpen } from '../src/triage/lifecycle.js';
import { defineFunction } from './define.js';

interface DistributeInputs {
  incident_id: number;
  clearing_brand?: string;
}

type Outcome = 'delivered' | 'updated' | 'undelivered' | 'skipped';

interface BrandOutcome {
  brand: string;
  /** The node serving the brand (this node's id for a local brand), or null when none does. */
  node: string | null;
  outcome: Outcome;
  remote_incident_id: number | null;
  /** Why it was undelivered or skipped; null otherwise. */
  reason: string | null;
  [key: string]: string | number | null;
}

/** Statuses of a row whose copy exists at the other brand. */
const DELIVERED_STATUSES: ReadonlySet<DistributionStatus> = new Set(['Pending', 'Acknowledged', 'Not Acknowledged', 'Resolved']);

/** A delivery may take long at the receiver (incident, notes, artifacts one call each): never less than this. */
const MIN_DELIVERY_TIMEOUT_MS = 120_000;

function remoteIdOf(row: DistributionRow): number | null {
  const id = row.remoteIncidentId === null ? NaN : Number(row.remoteIncidentId);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The row tracks a delivered copy. */
function tracksCopy(row: DistributionRow): boolean {
  return remoteIdOf(row) !== null && row.status !== null && DELIVERED_STATUSES.has(row.status);
}

export default defineFunction<DistributeInputs, { incident_id: number; distributions: BrandOutcome[] }>({
  name: 'clearing_distribute_incident',
  displayName: 'Clearing: Distribute Incident',
  description: 'Sends a whitelist-filtered copy of the incident to the brands flagged "Distribute" (or to one brand), creating or refreshing it there.',
  inputSchema: {
    type: 'object',
    properties: {
      incident_id: { type: 'integer', minimum: 1 },
      clearing_brand: { type: 'string', nullable: true, maxLength: 200 },
    },
    required: ['incident_id'],
    additionalProperties: false,
  },
  async handler({ incident_id: incidentId, clearing_brand: brandInput }, ctx) {
    const { network } = ctx;
    const own = ctx.invocation.brand;
    const opts = { signal: ctx.signal };

    // A received copy goes no further unless the config allows it (checked before anything else is read).
    const incident = await ctx.soar.getIncident(incidentId, opts);
    const originBrand = incident.properties?.[ORIGIN_BRAND_FIELD];
    if (typeof originBrand === 'string' && originBrand !== '' && network.config.network?.allow_redistribution !== true) {
      const originId = incident.properties?.[ORIGIN_INCIDENT_FIELD];
      throw new ClearingError(
        ErrorCode.FunctionFailed,
        `incident ${incidentId} is a copy received from brand ${originBrand}${typeof originId === 'string' && originId !== '' ? ` (its incident ${originId})` : ''}; ` +
          `copies are not distributed further unless the clearing node's config sets network.allow_redistribution: true. Ask brand ${originBrand} to distribute the original.`,
      );
    }

    const rows = await readDistributionRows(ctx.soar, incidentId, ctx.signal);
    const brand = brandInput?.trim() ?? '';
    const targets: DistributionRow[] = [];
    const outcomes: BrandOutcome[] = [];
    if (brand !== '') {
      if (network.owner(brand) === null) {
        throw new ClearingError(ErrorCode.InputInvalid, `brand '${brand}' is not part of the clearing network (known: ${network.brands.join(', ')})`);
      }
      if (brand === own) throw new ClearingError(ErrorCode.InputInvalid, `incident ${incidentId} belongs to brand '${brand}' itself: nothing to distribute`);
      const row = rows.find((r) => r.brand === brand);
      if (row === undefined) {
        throw new ClearingError(
          ErrorCode.InputInvalid,
          `incident ${incidentId} has no distribution row for brand '${brand}'; run "Clearing: involve group coordination now" to add the missing rows`,
        );
      }
      targets.push(row);
    } else {
      const seen = new Set<string>();
      for (const row of rows.filter((r) => r.distribute)) {
        if (seen.has(row.brand) || row.brand === own) {
          outcomes.push({
            brand: row.brand, node: null, outcome: 'skipped', remote_incident_id: remoteIdOf(row),
            reason: row.brand === own ? 'the row names the incident\'s own brand' : `another row for brand ${row.brand} comes first`,
          });
          continue;
        }
        seen.add(row.brand);
        targets.push(row);
      }
    }
    if (targets.length === 0) {
      await ctx.status('no row of the distribution table is flagged "Distribute": nothing sent');
      return { incident_id: incidentId, distributions: outcomes };
    }

    await ctx.status(`reading incident ${incidentId} through the whitelist of brand ${own}`);
    const filtered = await readFilteredIncident(ctx.soar, incidentId, network.whitelistOf(own), ctx.signal);
    const body: DistributeBody = {
      origin: { node: ctx.nodeId, brand: own, incident_id: incidentId },
      ...toWire(filtered),
    };

    // The rows as written below: the acknowledgement mark follows from them without reading them again.
    const current = new Map(rows.map((r) => [r.rowId, r]));
    let rowsKnown = true;
    for (const row of targets) {
      ctx.signal.throwIfAborted();
      const sent = await distributeTo(ctx, incidentId, row, body, filtered);
      outcomes.push(sent.outcome);
      if (sent.row === null) rowsKnown = false;
      else current.set(row.rowId, sent.row);
    }
    await watchAcknowledgements(ctx, incidentId, { incident, ...(rowsKnown ? { rows: [...current.values()] } : {}) });
    const summary = outcomes.map((o) => `${o.brand} ${o.outcome}${o.remote_incident_id !== null && o.outcome !== 'undelivered' ? ` (incident ${o.remote_incident_id})` : ''}`).join(', ');
    await ctx.status(`done: ${summary}`);
    return { incident_id: incidentId, distributions: outcomes };
  },
});

/** One brand's outcome, and its row as written (null when the write failed: the row is then unknown). */
interface Sent {
  outcome: BrandOutcome;
  row: DistributionRow | null;
}

/** Sends one copy and writes the row; never throws for the brand's failure (only when aborted). */
async function distributeTo(ctx: FunctionContext, incidentId: number, row: DistributionRow, body: DistributeBody, filtered: FilterResult): Promise<Sent> {
  const { network } = ctx;
  const brand = row.brand;
  const owner = network.owner(brand);
  const node = owner === null ? null : owner.kind === 'local' ? network.nodeId : owner.peer.id;
  const where = owner === null ? brand : `${brand} (node ${node}${owner.kind === 'local' ? ', this node' : ''})`;
  const previous = remoteIdOf(row);

  let answer: DistributeAnswer;
  try {
    if (owner === null) {
      throw new ClearingError(ErrorCode.InputInvalid, `brand '${brand}' is not part of the clearing network (known: ${network.brands.join(', ')})`);
    }
    await ctx.status(`${brand}: sending the copy to ${owner.kind === 'local' ? 'its SOAR on this node' : `node ${owner.peer.id}`}`);
    if (owner.kind === 'local') {
      answer = await receiveCopy(network, brand, body, { signal: ctx.signal, log: ctx.log });
    } else {
      const timeoutMs = Math.max(network.config.network?.timeout_ms ?? 0, MIN_DELIVERY_TIMEOUT_MS);
      const answered = await network.peerFor(brand).request<Partial<DistributeAnswer> | undefined>('POST', distributePath(brand), body, { signal: ctx.signal, timeoutMs });
      if (!Number.isSafeInteger(answered?.remote_incident_id) || typeof answered?.created !== 'boolean') {
        throw new ClearingError(ErrorCode.PeerError, `node ${owner.peer.id} answered without a remote incident id: ${JSON.stringify(answered ?? null).slice(0, 200)}`);
      }
      answer = answered as DistributeAnswer;
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const reason = ClearingError.from(err).message;
    ctx.log.warn('copy undelivered', { brand, incident_id: incidentId, reason });
    const keep = tracksCopy(row);
    const message = keep
      ? `could not update the copy in ${where}, incident ${previous}: ${reason}`
      : `undelivered to ${where}: ${reason}`;
    const written = await writeRow(ctx, incidentId, row, keep ? { message } : { status: 'Undelivered', message });
    await ctx.status(`${brand}: ${message}`);
    return { outcome: { brand, node, outcome: 'undelivered', remote_incident_id: previous, reason }, row: written.row };
  }

  const remote = answer.remote_incident_id;
  const filteredText = describeDropped(filtered.dropped);
  const message = answer.created
    ? `delivered to ${where} as incident ${remote}; ${filteredText}`
    : `copy in ${where} updated: incident ${remote}; ${filteredText}`;
  const keepStatus = !answer.created && previous === remote && tracksCopy(row);
  const status: DistributionStatus = keepStatus && row.status !== null ? row.status : 'Pending';
  const written = await writeRow(ctx, incidentId, row, { status, remoteIncidentId: String(remote), message });
  await ctx.status(`${brand}: ${message}`);
  return {
    outcome: {
      brand,
      node,
      outcome: answer.created ? 'delivered' : 'updated',
      remote_incident_id: remote,
      reason: written.error === null ? null : `the copy was delivered, but the distribution row could not be updated: ${written.error}`,
    },
    row: written.row,
  };
}

/** Marks the incident for the triage sweep while a row is Pending or Undelivered (src/triage/lifecycle.ts). */
async function watchAcknowledgements(ctx: FunctionContext, incidentId: number, known: KnownState): Promise<void> {
  try {
    await refreshAckOpen(ctx.soar, incidentId, known, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.error('acknowledgement watch not updated', { incident_id: incidentId, error: ClearingError.from(err).message });
  }
}

/** Writes the row; answers it as written, or the error text instead of throwing (the delivery itself is done). */
async function writeRow(
  ctx: FunctionContext,
  incidentId: number,
  row: DistributionRow,
  update: { status?: DistributionStatus; remoteIncidentId?: string; message: string },
): Promise<{ row: DistributionRow; error: null } | { row: null; error: string }> {
  const now = Date.now();
  try {
    await updateDistributionRow(ctx.soar, incidentId, row, update, now, ctx.signal);
    return { row: { ...row, ...update, lastUpdate: now }, error: null };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const text = ClearingError.from(err).message;
    ctx.log.error('distribution row not updated', { brand: row.brand, incident_id: incidentId, row_id: row.rowId, error: text });
    return { row: null, error: text };
  }
}
