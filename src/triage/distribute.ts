/**
 * Distributing an incident to other brands: what the function clearing_distribute_incident
 * runs, and what the node runs on its own when a threshold fires or the sweep retries an
 * undelivered copy.
 *
 * Targets: without a brand, every distribution-table row flagged `distribute`; with one, that
 * brand's row alone, whatever its flag (a brand unknown to the network, the incident's own
 * brand or a brand without a row is an input error).
 *
 * The copy is filtered here, at the sender, with the brand's whitelist, and delivered to the
 * node serving the target brand (`POST /api/v1/brands/<brand>/incidents`), or straight into the
 * target brand's SOAR when this node serves it too. The receiving side finds an earlier copy by
 * its origin fields, so sending again refreshes that copy (fields, new notes and artifacts):
 * rows already delivered are sent again as an update, never as a second copy.
 *
 * Each row gets the outcome (statuses as src/clearing/distribution-status.ts moves them; the
 * node never touches the flags):
 *   delivered  status Pending, the remote incident id, "delivered to <brand> (node <n>) as incident <id>; <filtered>"
 *   updated    status kept when the row already tracked this copy (Pending, Acknowledged, Not
 *              Acknowledged, Resolved), else Pending; "copy in <brand> (node <n>) updated: incident <id>; <filtered>"
 *   failed     status Undelivered and "undelivered to <brand> (node <n>): <reason>"; when the
 *              row already tracked a delivered copy, its status and remote id are kept and the
 *              message says "could not update the copy in <brand> (node <n>), incident <id>: <reason>".
 * One brand's failure never fails the distribution: the result lists each brand's outcome.
 * A copy received from another brand is only distributed further when the node's config says
 * `network.allow_redistribution: true`.
 *
 * One distribution reads the incident once (with handle names, as the whitelist filters it):
 * the redistribution check, the copy and the acknowledgement mark all start from that read.
 * Each target brand's owner (this node or a peer) is resolved once.
 */
import { INCIDENT_FIELD } from '../../customize/fields.js';
import { readFilteredIncident, toWire } from '../clearing/bundle.js';
import { statusUpdate, transition } from '../clearing/distribution-status.js';
import { addDistributionRow, type DistributionRow, readDistributionRows, type RowUpdate, updateDistributionRow } from '../clearing/distribution-table.js';
import { type DistributeAnswer, type DistributeBody, deliverCopy } from '../clearing/contracts/distribute.js';
import { receiveCopy } from '../clearing/receive.js';
import { describeDropped, type FilterResult } from '../clearing/whitelist.js';
import type { BrandOwner } from '../config/index.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Incident } from '../soar/dto.js';
import type { BrandContext } from './context.js';
import { type KnownState, refreshAckOpen } from './lifecycle.js';

export type Outcome = 'delivered' | 'updated' | 'undelivered' | 'skipped';

/** One brand's outcome (a JSON object: the function answers it as it is). */
export interface BrandOutcome {
  brand: string;
  /** The node serving the brand (this node's id for a local brand), or null when none does. */
  node: string | null;
  outcome: Outcome;
  remote_incident_id: number | null;
  /** Why it was undelivered or skipped; null otherwise. */
  reason: string | null;
  [key: string]: string | number | null;
}

export type DistributionResult = { incident_id: number; distributions: BrandOutcome[] };

/** What the caller already read and need not be read again. */
export interface KnownRows {
  /** The incident's distribution rows as they now stand. */
  readonly rows?: readonly DistributionRow[];
}

/** A row to send to, with its brand's owner as resolved once. */
interface Target {
  readonly row: DistributionRow;
  readonly owner: BrandOwner | null;
}

function remoteIdOf(row: DistributionRow): number | null {
  const id = row.remoteIncidentId === null ? NaN : Number(row.remoteIncidentId);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function notInNetwork(ctx: BrandContext, brand: string): ClearingError {
  return new ClearingError(ErrorCode.InputInvalid, `brand '${brand}' is not part of the clearing network (known: ${ctx.network.brands.join(', ')})`);
}

/** A received copy goes no further unless the config allows it. */
function refuseRedistribution(ctx: BrandContext, incidentId: number, incident: Incident): void {
  const originBrand = incident.properties?.[INCIDENT_FIELD.originBrand.name];
  if (typeof originBrand !== 'string' || originBrand === '' || ctx.network.config.network?.allow_redistribution === true) return;
  const originId = incident.properties?.[INCIDENT_FIELD.originIncidentId.name];
  throw new ClearingError(
    ErrorCode.FunctionFailed,
    `incident ${incidentId} is a copy received from brand ${originBrand}${typeof originId === 'string' && originId !== '' ? ` (its incident ${originId})` : ''}; ` +
      `copies are not distributed further unless the clearing node's config sets network.allow_redistribution: true. Ask brand ${originBrand} to distribute the original.`,
  );
}

/** The rows to send to (`brand`'s alone, or every flagged one), and the flagged rows skipped. */
function chooseTargets(ctx: BrandContext, incidentId: number, rows: readonly DistributionRow[], brand: string | null): { targets: Target[]; skipped: BrandOutcome[] } {
  const { network } = ctx;
  if (brand !== null) {
    const owner = network.owner(brand);
    if (owner === null) throw notInNetwork(ctx, brand);
    if (brand === ctx.brand) throw new ClearingError(ErrorCode.InputInvalid, `incident ${incidentId} belongs to brand '${brand}' itself: nothing to distribute`);
    const row = rows.find((r) => r.brand === brand);
    if (row === undefined) {
      throw new ClearingError(
        ErrorCode.InputInvalid,
        `incident ${incidentId} has no distribution row for brand '${brand}'; run "Clearing: involve group coordination now" to add the missing rows`,
      );
    }
    return { targets: [{ row, owner }], skipped: [] };
  }
  const targets: Target[] = [];
  const skipped: BrandOutcome[] = [];
  const seen = new Set<string>();
  for (const row of rows.filter((r) => r.distribute)) {
    if (seen.has(row.brand) || row.brand === ctx.brand) {
      skipped.push({
        brand: row.brand, node: null, outcome: 'skipped', remote_incident_id: remoteIdOf(row),
        reason: row.brand === ctx.brand ? 'the row names the incident\'s own brand' : `another row for brand ${row.brand} comes first`,
      });
      continue;
    }
    seen.add(row.brand);
    targets.push({ row, owner: network.owner(row.brand) });
  }
  return { targets, skipped };
}

/**
 * Distributes incident `incidentId` of `ctx.brand` to `brand` (its row alone) or, when null, to
 * every row flagged `distribute`. Throws a ClearingError for an input error or a copy that may
 * not be distributed further; never for one brand's failure (its outcome says it).
 */
export async function distributeIncident(ctx: BrandContext, incidentId: number, brand: string | null, known: KnownRows = {}): Promise<DistributionResult> {
  const { network, signal } = ctx;
  const own = ctx.brand;
  // Checked before anything else is read.
  const incident = await ctx.soar.getIncident(incidentId, { signal, query: { handle_format: 'names' } });
  refuseRedistribution(ctx, incidentId, incident);

  const rows = known.rows ?? (await readDistributionRows(ctx.soar, incidentId, signal));
  const { targets, skipped } = chooseTargets(ctx, incidentId, rows, brand);
  const outcomes: BrandOutcome[] = [...skipped];
  if (targets.length === 0) {
    await ctx.status('no row of the distribution table is flagged "Distribute": nothing sent');
    return { incident_id: incidentId, distributions: outcomes };
  }

  await ctx.status(`reading incident ${incidentId} through the whitelist of brand ${own}`);
  const filtered = await readFilteredIncident(ctx.soar, incidentId, network.whitelistOf(own), signal, incident);
  const body: DistributeBody = {
    origin: { node: network.nodeId, brand: own, incident_id: incidentId },
    ...toWire(filtered),
  };

  // The rows as written below: the acknowledgement mark follows from them without reading them again.
  const current = new Map(rows.map((r) => [r.rowId, r]));
  let rowsKnown = true;
  for (const target of targets) {
    signal.throwIfAborted();
    const sent = await distributeTo(ctx, incidentId, target, body, filtered);
    outcomes.push(sent.outcome);
    if (sent.row === null) rowsKnown = false;
    else current.set(target.row.rowId, sent.row);
  }
  await watchAcknowledgements(ctx, incidentId, { incident, ...(rowsKnown ? { rows: [...current.values()] } : {}) });
  const summary = outcomes.map((o) => `${o.brand} ${o.outcome}${o.remote_incident_id !== null && o.outcome !== 'undelivered' ? ` (incident ${o.remote_incident_id})` : ''}`).join(', ');
  await ctx.status(`done: ${summary}`);
  return { incident_id: incidentId, distributions: outcomes };
}

/** One brand's outcome, and its row as written (null when the write failed: the row is then unknown). */
interface Sent {
  outcome: BrandOutcome;
  row: DistributionRow | null;
}

/** Delivers the copy to the target's owner: this node's receiving side, or the peer serving it. */
async function deliver(ctx: BrandContext, brand: string, owner: BrandOwner, body: DistributeBody): Promise<DistributeAnswer> {
  const { network } = ctx;
  if (owner.kind === 'local') return receiveCopy(network, brand, body, { signal: ctx.signal, log: ctx.log });
  return deliverCopy(network.clientOf(owner.peer), brand, body, { signal: ctx.signal, timeoutMs: network.config.network?.timeout_ms ?? 0 });
}

/** Sends one copy and writes the row; never throws for the brand's failure (only when aborted). */
async function distributeTo(ctx: BrandContext, incidentId: number, { row, owner }: Target, body: DistributeBody, filtered: FilterResult): Promise<Sent> {
  const brand = row.brand;
  const node = owner === null ? null : owner.kind === 'local' ? ctx.network.nodeId : owner.peer.id;
  const where = owner === null ? brand : `${brand} (node ${node}${owner.kind === 'local' ? ', this node' : ''})`;
  const previous = remoteIdOf(row);

  let answer: DistributeAnswer;
  try {
    if (owner === null) throw notInNetwork(ctx, brand);
    await ctx.status(`${brand}: sending the copy to ${owner.kind === 'local' ? 'its SOAR on this node' : `node ${owner.peer.id}`}`);
    answer = await deliver(ctx, brand, owner, body);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const reason = ClearingError.from(err).message;
    ctx.log.warn('copy undelivered', { brand, incident_id: incidentId, reason });
    const undelivered = (r: DistributionRow): RowUpdate => {
      const named = remoteIdOf(r);
      const next = transition(r.status, { kind: 'undelivered', namesCopy: named !== null });
      const message = next.kind === 'keep' ? `could not update the copy in ${where}, incident ${named}: ${reason}` : `undelivered to ${where}: ${reason}`;
      return { ...statusUpdate(next), message };
    };
    const update = undelivered(row);
    const written = await writeRow(ctx, incidentId, row, update, undelivered);
    const message = update.message!;
    await ctx.status(`${brand}: ${message}`);
    return { outcome: { brand, node, outcome: 'undelivered', remote_incident_id: previous, reason }, row: written.row };
  }

  const remote = answer.remote_incident_id;
  const filteredText = describeDropped(filtered.dropped);
  const message = answer.created
    ? `delivered to ${where} as incident ${remote}; ${filteredText}`
    : `copy in ${where} updated: incident ${remote}; ${filteredText}`;
  const delivered = (r: DistributionRow): RowUpdate => ({
    ...statusUpdate(transition(r.status, { kind: 'delivered', sameCopy: !answer.created && remoteIdOf(r) === remote })),
    remoteIncidentId: String(remote),
    message,
  });
  const written = await writeRow(ctx, incidentId, row, delivered(row), delivered);
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

/** Marks the incident for the triage sweep while a row is Pending or Undelivered (lifecycle.ts). */
async function watchAcknowledgements(ctx: BrandContext, incidentId: number, known: KnownState): Promise<void> {
  try {
    await refreshAckOpen(ctx.soar, incidentId, known, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.error('acknowledgement watch not updated', { incident_id: incidentId, error: ClearingError.from(err).message });
  }
}

/**
 * Writes the row; answers it as written (null when it was decided again on a fresh row: unknown
 * here), or the error text instead of throwing (the delivery itself is done).
 */
async function writeRow(
  ctx: BrandContext,
  incidentId: number,
  row: DistributionRow,
  update: RowUpdate,
  recheck: (fresh: DistributionRow) => RowUpdate,
): Promise<{ row: DistributionRow | null; error: string | null }> {
  const now = Date.now();
  try {
    // Decided again on the fresh row when it changed since it was read (a report, the region's other node).
    let wrote = update;
    await updateDistributionRow(ctx.soar, incidentId, row, update, now, ctx.signal, (fresh) => (wrote = recheck(fresh)));
    if (wrote !== update) return { row: null, error: null };
    return { row: { ...row, ...update, lastUpdate: now }, error: null };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const text = ClearingError.from(err).message;
    ctx.log.error('distribution row not updated', { brand: row.brand, incident_id: incidentId, row_id: row.rowId, error: text });
    return { row: null, error: text };
  }
}

/** A distribution the node started itself, as the thresholds and the sweep report it. */
export interface NodeDistribution {
  brand: string;
  /** The brand's outcome, or `failed` when the distribution itself was refused. */
  outcome: Outcome | 'failed';
  remote_incident_id: number | null;
  reason: string | null;
  [key: string]: string | number | null;
}

/**
 * Distributes `incidentId` to `brand` on the node's own initiative (a threshold firing, the sweep
 * retrying an undelivered copy), adding the brand's row first when the incident has none (flags
 * unset, as clearing_involve_group_coordination adds it). `rows`: the incident's rows as the
 * caller read them. Never throws for the brand's failure: the outcome says it.
 */
export async function distributeOnBehalf(ctx: BrandContext, incidentId: number, brand: string, rows?: readonly DistributionRow[]): Promise<NodeDistribution> {
  try {
    let known: readonly DistributionRow[] | undefined = rows ?? (await readDistributionRows(ctx.soar, incidentId, ctx.signal));
    if (!known.some((r) => r.brand === brand)) {
      await addDistributionRow(ctx.soar, incidentId, brand, ctx.signal);
      known = undefined; // read again with the new row
    }
    const result = await distributeIncident(ctx, incidentId, brand, known ? { rows: known } : {});
    const mine = result.distributions.find((d) => d.brand === brand);
    return { brand, outcome: mine?.outcome ?? 'skipped', remote_incident_id: mine?.remote_incident_id ?? null, reason: mine?.reason ?? null };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { brand, outcome: 'failed', remote_incident_id: null, reason: ClearingError.from(err).message };
  }
}
