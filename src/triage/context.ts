/**
 * What triage work (distributing, thresholds) needs to act for one of this node's brands,
 * whether SOAR invoked a function for it (functions/ adapt their invocation context) or the
 * node works on its own (the sweep).
 */
import type { ClearingNetwork } from '../clearing/network.js';
import type { Logger } from '../core/types.js';
import type { SoarClient } from '../soar/client.js';

export interface BrandContext {
  readonly network: ClearingNetwork;
  /** The brand acted for: the one owning the incidents worked on. */
  readonly brand: string;
  /** That brand's SOAR client. */
  readonly soar: SoarClient;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Progress shown to the invoking workflow; work the node does on its own shows it nowhere. */
  status(message: string): Promise<void>;
}

/** The context of work the node does on its own for one of its brands. */
export function nodeContext(network: ClearingNetwork, brand: string, log: Logger, signal: AbortSignal): BrandContext {
  return { network, brand, soar: network.soarOf(brand), log, signal, status: async () => undefined };
}
