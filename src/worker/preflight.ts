/**
 * Start-up check against SOAR: is every function this worker serves defined there, and bound
 * to a destination the worker listens on? Missing ones only warn: the admin may customize later.
 */
import type { SoarClient } from '../soar/client.js';
import type { Logger } from '../core/types.js';

export async function checkFunctionsDefined(
  soar: SoarClient,
  served: readonly string[],
  destinations: readonly string[],
  log: Logger,
): Promise<string[]> {
  const defined = new Map((await soar.listFunctions()).map((f) => [f.name, f.destination_handle]));
  const warnings: string[] = [];
  for (const name of served) {
    const destination = defined.get(name);
    if (destination === undefined) {
      warnings.push(`function '${name}' is not defined in SOAR; run 'soar-clearing customize' to install it`);
    } else if (!destinations.includes(destination)) {
      warnings.push(`function '${name}' is bound to destination '${destination}', which this worker does not subscribe to (${destinations.join(', ')})`);
    }
  }
  for (const w of warnings) log.warn(w);
  return warnings;
}
