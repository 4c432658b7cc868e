/**
 * Installs the app's customization (export.res) into one brand's SOAR through the configuration
 * import API, then lets the configured API key (or user) use the message destination.
 * SOAR matches imported objects by their export keys, so installing twice updates in place.
 *
 * Who may use a message destination (`api_keys`, `users`) is kept across an import: whether
 * SOAR's import replaces those lists with the export's is not documented, so the lists are read
 * before and what went missing is put back; entries this app did not write are never dropped.
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import { isJsonObject } from '../core/json.js';
import type { SoarClient } from '../soar/client.js';
import { SoarPermissionError, SoarRequestError } from '../soar/errors.js';
import type { JsonObject, JsonValue, Logger } from '../core/types.js';

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
  readonly destination: {
    readonly name: string;
    readonly id: number;
    readonly access: DestinationAccess;
    readonly who: string;
    /** Entries (other keys' and users') the import had removed and that were put back. */
    readonly restored: number;
  };
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

/**
 * What SOAR wants of a key that exports or imports the configuration: in apikey_permissions.txt,
 * the section "Customization and configuration distribution".
 */
const CUSTOMIZATION_PERMISSIONS = 'the administrator permissions listed under "Customization and configuration distribution"'
  + ' in apikey_permissions.txt (edit_data, create_function, edit_function, create_workflow, edit_workflow, create_script,'
  + ' read_script, edit_script, read_layouts, edit_layouts), or an administrator role';

/** A 403 of a configuration export or import, said as the permission that is missing; other errors as they are. */
export function customizationRefusal(err: unknown, soar: SoarClient, operation: string): unknown {
  if (!(err instanceof SoarRequestError) || err.status !== 403) return err;
  const principal = `${soar.identity.kind === 'api_key' ? 'API key' : 'user'} ${soar.identity.principal}`;
  return new SoarPermissionError({ operation, permissions: CUSTOMIZATION_PERMISSIONS, principal, err });
}

/**
 * A copy with every object's `tags` emptied, as IBM's tools do before an import (resilient's
 * helpers.remove_tag): tag handles differ between orgs. Column names of a datatable (`fields`
 * of a type) are data, not keys.
 */
export function emptyTags(value: JsonValue, keysAreNames = false): JsonValue {
  if (Array.isArray(value)) return value.map((v) => emptyTags(v));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const copy = !keysAreNames && k === 'tags' ? [] : emptyTags(v, !keysAreNames && k === 'fields' && isJsonObject(v));
    Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** POST the export (tags emptied) as a pending import, then PUT it back ACCEPTED (SOAR's two-step import). */
export async function importConfiguration(soar: SoarClient, exportRes: unknown, log: Logger): Promise<ImportResult> {
  let pending: ImportDto;
  try {
    pending = await soar.post<ImportDto>('/configurations/imports', emptyTags(exportRes as JsonValue));
  } catch (err) {
    throw customizationRefusal(err, soar, 'import the configuration');
  }
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

/** Who may use a message destination: its `api_keys` and `users` lists, as SOAR answered them. */
export interface DestinationLists {
  readonly api_keys: readonly JsonValue[];
  readonly users: readonly JsonValue[];
}

/**
 * How this client appears in a destination's lists. By default SOAR lists API keys and users by
 * numeric id (the session's `api_key_handle`, `user_id`); with handle_format=names by name (an
 * API key's client_id). SOAR 51.0.9 may give `api_key_handle` null: then the key is found by name.
 */
interface OwnEntry {
  readonly list: keyof DestinationLists;
  /** The entry to add. */
  readonly entry: number | string;
  /** Also this client when found (a SOAR answering names where ids were asked for). */
  readonly alias: string | null;
  /** Read and write the lists with handle_format=names. */
  readonly names: boolean;
  readonly who: string;
}

function ownEntry(identity: SoarClient['identity']): OwnEntry {
  if (identity.kind === 'api_key') {
    const who = `API key ${identity.principal}`;
    if (identity.apiKeyHandle !== null) return { list: 'api_keys', entry: identity.apiKeyHandle, alias: identity.apiKeyClientId, names: false, who };
    if (identity.apiKeyClientId) return { list: 'api_keys', entry: identity.apiKeyClientId, alias: null, names: true, who };
    throw new ClearingError(ErrorCode.SoarRequest,
      'SOAR told neither this API key\'s handle nor its client_id; add the key to the message destination by hand');
  }
  if (identity.userId === null) {
    throw new ClearingError(ErrorCode.SoarRequest, 'SOAR did not tell this user\'s id; add the user to the message destination by hand');
  }
  return { list: 'users', entry: identity.userId, alias: null, names: false, who: `user ${identity.principal}` };
}

function listOf(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

/** `current` with the entries of `add` it lacks appended; nothing is removed. */
function union(current: readonly JsonValue[], add: readonly JsonValue[]): JsonValue[] {
  const out = [...current];
  for (const v of add) if (!out.includes(v)) out.push(v);
  return out;
}

function handleQuery(names: boolean): { query?: { handle_format: string } } {
  return names ? { query: { handle_format: 'names' } } : {};
}

/**
 * Who may use each of `destinations` now (those that exist), read the way this client's grant is
 * read, so that what an import changes can be given back afterwards.
 */
export async function readDestinationAccess(soar: SoarClient, destinations: Iterable<string>): Promise<Map<string, DestinationLists>> {
  const wanted = new Set(destinations);
  const out = new Map<string, DestinationLists>();
  if (wanted.size === 0) return out;
  const all = await soar.listMessageDestinations(handleQuery(ownEntry(soar.identity).names));
  for (const d of all) {
    if (wanted.has(d.programmatic_name)) out.set(d.programmatic_name, { api_keys: listOf(d['api_keys']), users: listOf(d['users']) });
  }
  return out;
}

interface AccessUpdate {
  /** Whether this client's own entry was added (only asked for with `grant`). */
  readonly access: DestinationAccess;
  /** Entries of `keep` that were missing and were put back. */
  readonly restored: number;
}

/**
 * Updates one destination's lists: puts back the entries of `keep` that are missing and, with
 * `grant`, adds this client's own entry. Every entry it finds stays, whoever wrote it.
 */
async function updateDestinationAccess(
  soar: SoarClient, destination: string, keep: DestinationLists | undefined, grant: boolean,
): Promise<AccessUpdate & { id: number; who: string }> {
  const own = ownEntry(soar.identity);
  const found = (await soar.listMessageDestinations()).find((d) => d.programmatic_name === destination);
  if (!found) {
    throw new ClearingError(ErrorCode.SoarRequest, `message destination '${destination}' is not in SOAR after the import`);
  }
  let access: DestinationAccess = DestinationAccess.Already;
  let restored = 0;
  await soar.getPut<JsonObject>(`/message_destinations/${found.id}`, (current) => {
    access = DestinationAccess.Already;
    const lists = { api_keys: listOf(current['api_keys']), users: listOf(current['users']) };
    const next = { api_keys: union(lists.api_keys, keep?.api_keys ?? []), users: union(lists.users, keep?.users ?? []) };
    restored = next.api_keys.length - lists.api_keys.length + next.users.length - lists.users.length;
    const mine = next[own.list];
    if (grant && !mine.some((v) => v === own.entry || (own.alias !== null && v === own.alias))) {
      mine.push(own.entry);
      access = DestinationAccess.Granted;
    }
    if (restored === 0 && access === DestinationAccess.Already) return null;
    return { ...current, api_keys: next.api_keys, users: next.users };
  }, handleQuery(own.names));
  return { id: found.id, access, restored, who: own.who };
}

/** Adds this client's API key (or user) to the destination's allowed list, if missing; keeps every other entry. */
export async function grantDestinationAccess(
  soar: SoarClient, destination: string, keep?: DestinationLists,
): Promise<InstallReport['destination']> {
  const r = await updateDestinationAccess(soar, destination, keep, true);
  return { name: destination, id: r.id, access: r.access, who: r.who, restored: r.restored };
}

/** Puts back the entries of `keep` an import removed from the destination. */
export async function restoreDestinationAccess(soar: SoarClient, destination: string, keep: DestinationLists): Promise<number> {
  return (await updateDestinationAccess(soar, destination, keep, false)).restored;
}

/** The programmatic names of the message destinations an export carries. */
export function destinationsIn(exportRes: unknown): string[] {
  const list = isJsonObject(exportRes as JsonValue) ? (exportRes as JsonObject)['message_destinations'] : undefined;
  return Array.isArray(list) ? list.flatMap((d) => (isJsonObject(d) && typeof d['programmatic_name'] === 'string' ? [d['programmatic_name']] : [])) : [];
}

export async function installCustomization(soar: SoarClient, exportRes: unknown, destination: string, log: Logger): Promise<InstallReport> {
  const before = await readDestinationAccess(soar, [destination, ...destinationsIn(exportRes)]);
  const imported = await importConfiguration(soar, exportRes, log);
  const access = await grantDestinationAccess(soar, destination, before.get(destination));
  for (const [name, keep] of before) if (name !== destination) await restoreDestinationAccess(soar, name, keep);
  return { import: imported, destination: access };
}
