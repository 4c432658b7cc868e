/**
 * Who may use a message destination, as SOAR lists it: `api_keys` and `users` hold numeric ids
 * (API key handles, user ids) by default, names with `handle_format=names` and in exports (an API
 * key's name is its client_id, a user's is the email). Writes accept either: a number is an id,
 * a string a name; one the org does not know is refused (the strict reading).
 * Sources: the GET /message_destinations sample (`users: [4]`), IBM's reference exports (names),
 * IBM resilient-circuits resilient_customize.py (appends the session's `api_key_handle`).
 */
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { clone } from './samples.js';
import type { ApiKeyRecord, EmulatorState, UserRecord } from './state.js';

function keyByHandle(state: EmulatorState, v: JsonValue): ApiKeyRecord | undefined {
  return typeof v === 'number'
    ? state.apiKeys.find((k) => k.handle === v)
    : state.apiKeys.find((k) => k.clientId === v || k.id === v);
}

function userByHandle(state: EmulatorState, v: JsonValue): UserRecord | undefined {
  return typeof v === 'number' ? state.users.find((u) => u.id === v) : state.users.find((u) => u.email === v);
}

/** An API key's name in names format and exports: its client_id (as the session tells it). */
function apiKeyName(k: ApiKeyRecord): string {
  return k.clientId;
}

/** The destination as stored (ids), or with names for `handle_format=names` and exports. */
export function destinationOut(state: EmulatorState, d: JsonObject, names: boolean): JsonObject {
  const out = clone(d);
  if (!names) return out;
  const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
  out['api_keys'] = list(d['api_keys']).map((h) => {
    const k = keyByHandle(state, h);
    return k ? apiKeyName(k) : h;
  });
  out['users'] = list(d['users']).map((h) => userByHandle(state, h)?.email ?? h);
  return out;
}

/** `api_keys` / `users` of a write, as ids; an error message for an entry nobody answers to. */
export function accessListsIn(
  state: EmulatorState, body: JsonObject,
): { ok: true; lists: { api_keys?: number[]; users?: number[] } } | { ok: false; message: string } {
  const lists: { api_keys?: number[]; users?: number[] } = {};
  for (const key of ['api_keys', 'users'] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) return { ok: false, message: `'${key}' must be a list of ids or names` };
    const ids: number[] = [];
    for (const h of v) {
      const id = key === 'api_keys' ? keyByHandle(state, h)?.handle : userByHandle(state, h)?.id;
      if (id === undefined) return { ok: false, message: `${key === 'api_keys' ? 'API key' : 'User'} ${JSON.stringify(h)} not found` };
      if (!ids.includes(id)) ids.push(id);
    }
    lists[key] = ids;
  }
  return { ok: true, lists };
}

/** An import's lists (names of another SOAR are common in exports): the ones this org knows, as ids. */
export function importedAccessLists(state: EmulatorState, d: JsonObject): { api_keys: number[]; users: number[] } {
  const ids = (v: JsonValue | undefined, find: (h: JsonValue) => number | undefined): number[] =>
    (Array.isArray(v) ? v : []).map(find).filter((x): x is number => x !== undefined);
  return {
    api_keys: ids(d['api_keys'], (h) => keyByHandle(state, h)?.handle),
    users: ids(d['users'], (h) => userByHandle(state, h)?.id),
  };
}
