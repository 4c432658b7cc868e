/**
 * Who may use a message destination (`api_keys`, `users`): read before an import, given back
 * after it, and this client's own entry added. Whether SOAR's import replaces those lists with
 * the export's is not documented, so the lists are read before and what went missing is put
 * back; entries this app did not write are never dropped.
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import type { SoarClient } from './client.js';

export const DestinationAccess = { Granted: 'granted', Already: 'already' } as const;
export type DestinationAccess = (typeof DestinationAccess)[keyof typeof DestinationAccess];

/** This client's entry in one destination's lists, after a grant. */
export interface DestinationGrant {
  readonly name: string;
  readonly id: number;
  readonly access: DestinationAccess;
  readonly who: string;
  /** Entries (other keys' and users') the import had removed and that were put back. */
  readonly restored: number;
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
): Promise<DestinationGrant> {
  const r = await updateDestinationAccess(soar, destination, keep, true);
  return { name: destination, id: r.id, access: r.access, who: r.who, restored: r.restored };
}

/** Puts back the entries of `keep` an import removed from the destination. */
export async function restoreDestinationAccess(soar: SoarClient, destination: string, keep: DestinationLists): Promise<number> {
  return (await updateDestinationAccess(soar, destination, keep, false)).restored;
}
