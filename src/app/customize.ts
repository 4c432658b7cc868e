/**
 * Installs the app's customization (export.res) into one brand's SOAR through the configuration
 * import API, then lets the configured API key (or user) use the message destination.
 * SOAR matches imported objects by their export keys, so installing twice updates in place.
 *
 * Who may use a message destination (`api_keys`, `users`) is kept across an import
 * (src/soar/destination-access.ts).
 */
import type { Logger } from '../core/types.js';
import type { SoarClient } from '../soar/client.js';
import { type ImportResult, destinationsIn, importConfiguration } from '../soar/configuration.js';
import { type DestinationGrant, grantDestinationAccess, readDestinationAccess, restoreDestinationAccess } from '../soar/destination-access.js';

export interface InstallReport {
  readonly import: ImportResult;
  readonly destination: DestinationGrant;
}

export async function installCustomization(soar: SoarClient, exportRes: unknown, destination: string, log: Logger): Promise<InstallReport> {
  const before = await readDestinationAccess(soar, [destination, ...destinationsIn(exportRes)]);
  const imported = await importConfiguration(soar, exportRes, log);
  const access = await grantDestinationAccess(soar, destination, before.get(destination));
  for (const [name, keep] of before) if (name !== destination) await restoreDestinationAccess(soar, name, keep);
  return { import: imported, destination: access };
}
