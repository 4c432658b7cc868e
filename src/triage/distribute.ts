/**
 * Distribution started by the clearing node itself (a threshold firing, the sweep retrying an
 * undelivered copy): the same code path as the function clearing_distribute_incident, called
 * with a context that stands for the node instead of a SOAR invocation.
 */
import type { FunctionContext } from '../worker/function.js';
import { readDistributionRows, TABLE } from '../clearing/distribution-table.js';
import type { ClearingNetwork } from '../clearing/network.js';
import { ClearingError } from '../core/errors.js';
import type { JsonObject, JsonValue, Logger } from '../core/types.js';
import distributeFunction from '../../functions/clearing_distribute_incident.js';

/** A function context for work the node does on its own for one of its brands. */
export function nodeContext(network: ClearingNetwork, brand: string, log: Logger, signal: AbortSignal, what: string): FunctionContext {
  return {
    status: async () => undefined,
    log,
    soar: network.soarOf(brand),
    signal,
    invocation: {
      brand, functionName: what, correlationId: what, messageId: what,
      workflowInstanceId: null, workflow: null, principal: null, redelivered: false,
    },
    nodeId: network.nodeId,
    network,
  };
}

export interface NodeDistribution {
  brand: string;
  /** delivered | updated | undelivered | skipped, or `failed` when the function itself refused. */
  outcome: string;
  remote_incident_id: number | null;
  reason: string | null;
  [key: string]: string | number | null;
}

/**
 * Distributes `incidentId` to `brand` (adding the brand's row first when the incident has none,
 * flags unset as clearing_involve_group_coordination adds it). Never throws for the brand's
 * failure: the outcome says it.
 */
export async function distributeOnBehalf(ctx: FunctionContext, incidentId: number, brand: string): Promise<NodeDistribution> {
  try {
    const rows = await readDistributionRows(ctx.soar, incidentId, ctx.signal);
    if (!rows.some((r) => r.brand === brand)) await ctx.soar.addTableRow(incidentId, TABLE, { brand }, { signal: ctx.signal });
    const result = (await distributeFunction.handler({ incident_id: incidentId, clearing_brand: brand }, ctx)) as JsonObject;
    const list = Array.isArray(result['distributions']) ? result['distributions'] : [];
    const mine = list.find((d): d is JsonObject => typeof d === 'object' && d !== null && !Array.isArray(d) && d['brand'] === brand);
    const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' ? v : null);
    const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
    return { brand, outcome: str(mine?.['outcome']) ?? 'skipped', remote_incident_id: num(mine?.['remote_incident_id']), reason: str(mine?.['reason']) };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { brand, outcome: 'failed', remote_incident_id: null, reason: ClearingError.from(err).message };
  }
}
