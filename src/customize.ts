/**
 * Installs the app's customization (export.res) into one brand's SOAR through the configuration
 * import API, then lets the configured API key (or user) use the message destination.
 * SOAR matches imported objects by their export keys, so installing twice updates in place.
 */
import { ClearingError, ErrorCode } from './errors.js';
import type { SoarClient } from './soar/client.js';
import type { MessageDestination } from './soar/dto.js';
import type { JsonValue, Logger } from './types.js';

export interface ImportResult {
  readonly id: number;
  readonly status: string;
  /** What SOAR said about the import (warnings, skipped objects), as text lines. */
  readonly messages: readonly string[];
}

export const DestinationAccess = { Granted: 'granted', Already: 'already' } as const;
export type DestinationAccess = (typeof DestinationAccess)[keyof typeof DestinationAccess];

export interface InstallReport {
  readonly import: ImportResult;
  readonly destination: { readonly name: string; readonly id: number; readonly access: DestinationAccess; readonly who: string };
}

type ImportDto = { id?: JsonValue; status?: JsonValue; messages?: JsonValue; [key: string]: JsonValue | undefined };

function messagesOf(dto: ImportDto): string[] {
  const raw = dto.messages;
  if (!Array.isArray(raw)) return [];
  return raw.map((m) => {
    if (typeof m === 'string') return m;
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      const text = m['text'] ?? m['message'] ?? m['description'];
      const kind = m['type'] ?? m['level'] ?? m['severity'];
      if (typeof text === 'string') return typeof kind === 'string' ? `${kind}: ${text}` : text;
    }
    return JSON.stringify(m);
  });
}

/** POST the export as a pending import, then PUT it back ACCEPTED (SOAR's two-step import). */
export async function importConfiguration(soar: SoarClient, exportRes: unknown, log: Logger): Promise<ImportResult> {
  const pending = await soar.post<ImportDto>('/configurations/imports', exportRes);
  const id = pending.id;
  if (pending.status !== 'PENDING' || typeof id !== 'number') {
    throw new ClearingError(ErrorCode.SoarRequest,
      `SOAR did not accept the import for review (status ${JSON.stringify(pending.status)}): ${messagesOf(pending).join('; ') || 'no message'}`);
  }
  log.info(`import ${id} pending; accepting it`, { messages: messagesOf(pending).length });
  const accepted = await soar.put<ImportDto>(`/configurations/imports/${id}`, { ...pending, status: 'ACCEPTED' });
  const status = typeof accepted?.status === 'string' ? accepted.status : 'ACCEPTED';
  return { id, status, messages: [...messagesOf(pending), ...messagesOf(accepted ?? {})] };
}

/** Adds this client's API key (or user) to the destination's allowed list, if missing. */
export async function grantDestinationAccess(soar: SoarClient, destination: string): Promise<InstallReport['destination']> {
  const found = (await soar.listMessageDestinations()).find((d) => d.programmatic_name === destination);
  if (!found) {
    throw new ClearingError(ErrorCode.SoarRequest, `message destination '${destination}' is not in SOAR after the import`);
  }
  const { identity } = soar;
  const path = `/message_destinations/${found.id}`;
  let access: DestinationAccess = DestinationAccess.Already;
  await soar.getPut<MessageDestination>(path, (current) => {
    if (identity.kind === 'api_key') {
      if (!identity.apiKeyClientId) {
        throw new ClearingError(ErrorCode.SoarRequest, 'SOAR did not tell this API key\'s client_id; add the key to the destination by hand');
      }
      const keys = Array.isArray(current['api_keys']) ? current['api_keys'].filter((k): k is string => typeof k === 'string') : [];
      if (keys.includes(identity.apiKeyClientId)) return null;
      access = DestinationAccess.Granted;
      return { ...current, api_keys: [...keys, identity.apiKeyClientId] };
    }
    if (identity.userId === null) {
      throw new ClearingError(ErrorCode.SoarRequest, 'SOAR did not tell this user\'s id; add the user to the destination by hand');
    }
    if (current.users.includes(identity.userId)) return null;
    access = DestinationAccess.Granted;
    return { ...current, users: [...current.users, identity.userId] };
  });
  return { name: destination, id: found.id, access, who: identity.kind === 'api_key' ? `API key ${identity.principal}` : `user ${identity.principal}` };
}

export async function installCustomization(soar: SoarClient, exportRes: unknown, destination: string, log: Logger): Promise<InstallReport> {
  const imported = await importConfiguration(soar, exportRes, log);
  const access = await grantDestinationAccess(soar, destination);
  return { import: imported, destination: access };
}
