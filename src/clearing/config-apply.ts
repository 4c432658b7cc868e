/**
 * Applying a pushed configuration to one brand's SOAR: compare it with the brand's own export
 * (what would be added or changed), then, unless it is a dry run or nothing differs, import it
 * (POST, then PUT ACCEPTED) and let the brand's API key keep using its message destinations
 * (the pushed destinations carry no API keys), and every other key or user keep what it had.
 * One result per brand: imported, failed (with SOAR's messages), skipped (with the reason) or,
 * for a dry run, dry_run with the differences.
 */
import { destinationsIn, importConfiguration } from '../soar/configuration.js';
import { grantDestinationAccess, readDestinationAccess, restoreDestinationAccess } from '../soar/destination-access.js';
import { ClearingError } from '../core/errors.js';
import { SoarRequestError } from '../soar/errors.js';
import type { BrandConfig } from '../config/types.js';
import type { SoarClient } from '../soar/client.js';
import type { JsonObject, Logger } from '../core/types.js';
import { ALL_CONFIG_KINDS, type ConfigKind } from '../config/config-kinds.js';
import { CONFIG_KINDS } from './config-kinds.js';
import { type ConfigDiff, diffExports } from './config-diff.js';
import { exportConfiguration, scopeExport } from './config-export.js';
import { BrandOutcome, type BrandPushResult } from './contracts/config-push.js';
import type { ClearingNetwork } from './network.js';

export interface ApplyOptions {
  readonly node: string;
  readonly dryRun: boolean;
  /** The brand's message destinations, whose access is re-granted after an import. */
  readonly destinations: readonly string[];
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** The kinds a pushed export carries (its sections present). */
function kindsIn(data: JsonObject): ConfigKind[] {
  return ALL_CONFIG_KINDS.filter((k) => Array.isArray(data[CONFIG_KINDS[k]]));
}

export function brandResult(brand: string, node: string, outcome: BrandOutcome, reason: string | null, extra: Partial<BrandPushResult> = {}): BrandPushResult {
  return { brand, node, outcome, reason, import_id: null, messages: [], added: [], changed: [], unchanged: 0, ...extra };
}

function soarMessages(err: unknown): string[] {
  if (err instanceof SoarRequestError) return [err.soarMessage ?? err.message, ...err.hints];
  return [ClearingError.from(err).message];
}

export async function applyToBrand(soar: SoarClient, brand: string, data: JsonObject, opts: ApplyOptions): Promise<BrandPushResult> {
  const log = opts.log.child({ brand });
  const kinds = kindsIn(data);
  let diff: ConfigDiff;
  try {
    // Cut to the pushed kinds and stripped like the push, so only real differences show.
    const current = scopeExport(await exportConfiguration(soar, opts.signal), { kinds, tags: [], name_prefixes: [] }).data;
    diff = diffExports(data, current, kinds);
  } catch (err) {
    log.warn(`configuration push: cannot read the brand's current configuration: ${ClearingError.from(err).message}`);
    return brandResult(brand, opts.node, BrandOutcome.Failed, 'cannot export the current configuration to compare', { messages: soarMessages(err) });
  }
  const differs = diff.added.length + diff.changed.length > 0;
  if (opts.dryRun) return brandResult(brand, opts.node, BrandOutcome.DryRun, null, { ...diff });
  if (!differs) return brandResult(brand, opts.node, BrandOutcome.Skipped, 'already up to date: nothing would be added or changed', { ...diff });

  let before: Awaited<ReturnType<typeof readDestinationAccess>>;
  try {
    before = await readDestinationAccess(soar, [...opts.destinations, ...destinationsIn(data)]);
  } catch (err) {
    log.warn(`configuration push: cannot read who may use the message destinations: ${ClearingError.from(err).message}`);
    return brandResult(brand, opts.node, BrandOutcome.Failed, 'cannot read who may use the message destinations, so the import could lose it',
      { ...diff, messages: soarMessages(err) });
  }
  let imported: Awaited<ReturnType<typeof importConfiguration>>;
  try {
    imported = await importConfiguration(soar, data, log);
  } catch (err) {
    log.warn(`configuration push: SOAR refused the import: ${ClearingError.from(err).message}`);
    return brandResult(brand, opts.node, BrandOutcome.Failed, 'SOAR refused the import', { ...diff, messages: soarMessages(err) });
  }
  const messages = [...imported.messages];
  if (imported.status !== 'ACCEPTED') {
    return brandResult(brand, opts.node, BrandOutcome.Failed, `the import ended ${imported.status}`, { ...diff, import_id: imported.id, messages });
  }
  for (const destination of new Set([...opts.destinations, ...before.keys()])) {
    try {
      const keep = before.get(destination);
      let restored = 0;
      if (opts.destinations.includes(destination)) {
        const access = await grantDestinationAccess(soar, destination, keep);
        if (access.access === 'granted') messages.push(`message destination ${destination}: ${access.who} granted access again`);
        restored = access.restored;
      } else if (keep) {
        restored = await restoreDestinationAccess(soar, destination, keep);
      }
      if (restored > 0) messages.push(`message destination ${destination}: ${restored} entries the import removed put back`);
    } catch (err) {
      messages.push(`message destination ${destination}: ${ClearingError.from(err).message}`);
    }
  }
  return brandResult(brand, opts.node, BrandOutcome.Imported, null, { ...diff, import_id: imported.id, messages });
}

/** Applies the export to each of `brands` (this node's), one after the other; a brand not connected is skipped. */
export async function applyToBrands(
  network: ClearingNetwork,
  brands: readonly BrandConfig[],
  data: JsonObject,
  opts: Pick<ApplyOptions, 'dryRun' | 'log' | 'signal'>,
): Promise<BrandPushResult[]> {
  const node = network.nodeId;
  const results: BrandPushResult[] = [];
  for (const brand of brands) {
    let soar: SoarClient;
    try {
      soar = network.soarOf(brand.id);
    } catch (err) {
      results.push(brandResult(brand.id, node, BrandOutcome.Skipped, ClearingError.from(err).message));
      continue;
    }
    results.push(await applyToBrand(soar, brand.id, data, { ...opts, node, destinations: brand.destinations }));
  }
  return results;
}
