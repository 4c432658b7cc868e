/**
 * What a configuration push carries: the reference brand's SOAR export (`POST
 * /configurations/exports`), cut down to the configured kinds (and, optionally, to objects
 * carrying given tags or name prefixes), with every trace of users, group members and API keys
 * removed.
 *
 * Every object's `tags` are emptied (after they selected what goes), as IBM's tools do before
 * an import: tag handles differ between orgs.
 *
 * Removal is by key, recursively, whatever section it is in, so an export that does contain
 * them (a newer SOAR, a hand-made file) still never lets them travel:
 *   - sections `users`, `groups`, `api_keys` are never copied (they are no kind);
 *   - `api_keys`, `users`, `members` anywhere become `[]` (message destinations list the keys
 *     and users allowed to use them; groups list their members);
 *   - principals (`creator_principal`, `last_modified_by`, `owner_id`, ...) are dropped: they
 *     name users or API keys of the source SOAR, meaningless (and private) elsewhere.
 */
import { customizationRefusal, emptyTags } from '../soar/configuration.js';
import { isJsonObject } from '../core/json.js';
import type { SoarClient } from '../soar/client.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import type { ConfigKind } from '../config/config-kinds.js';
import { CONFIG_KINDS, objectKey, objectName, tagsOf } from './config-kinds.js';

export interface ConfigScope {
  readonly kinds: readonly ConfigKind[];
  /** Only objects carrying one of these tags (with name_prefixes: either suffices). Empty: no filter. */
  readonly tags: readonly string[];
  /** Only objects whose programmatic name starts with one of these. Empty: no filter. */
  readonly name_prefixes: readonly string[];
}

/** Keys whose lists name users, group members or API keys: emptied. */
const EMPTIED_KEYS = new Set(['api_keys', 'users', 'members']);
/** Keys naming the source SOAR's users or API keys: dropped. */
const DROPPED_KEYS = new Set([
  'creator', 'creator_id', 'creator_principal', 'created_by', 'last_modified_by', 'last_modified_principal', 'owner', 'owner_id',
]);
/** Top-level keys of an export that are kept whatever the kinds (the import needs them). */
const HEADER_KEYS = ['export_format_version', 'export_date', 'export_type', 'server_version', 'locale'];

export interface ScopedExport {
  /** The export to import elsewhere. */
  readonly data: JsonObject;
  /** Objects per kind that made it in. */
  readonly counts: Readonly<Partial<Record<ConfigKind, number>>>;
  /** How many values naming users, members or API keys were removed. */
  readonly stripped: number;
}

/** Whether an object passes the scope's tag and name filters. */
export function inScope(scope: ConfigScope, o: JsonObject): boolean {
  if (scope.tags.length === 0 && scope.name_prefixes.length === 0) return true;
  const name = objectName(o);
  const fieldName = typeof o['name'] === 'string' ? o['name'] : name;
  if (scope.name_prefixes.some((p) => name.startsWith(p) || fieldName.startsWith(p))) return true;
  const tags = tagsOf(o);
  return scope.tags.some((t) => tags.includes(t));
}

/**
 * A deep copy without users, members, API keys and principals; `count` tallies what went.
 * The keys of a `fields` object are column names (a datatable's), data rather than keys of the
 * format: a column called `owner` stays.
 */
export function stripIdentities(value: JsonValue, count: { n: number } = { n: 0 }, keysAreNames = false): JsonValue {
  if (Array.isArray(value)) return value.map((v) => stripIdentities(v, count));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (!keysAreNames && DROPPED_KEYS.has(k)) {
      if (v !== null) count.n += 1;
      continue;
    }
    if (!keysAreNames && EMPTIED_KEYS.has(k)) {
      if (Array.isArray(v) ? v.length > 0 : v !== null) count.n += Array.isArray(v) ? v.length : 1;
      out[k] = [];
      continue;
    }
    const copy = stripIdentities(v, count, !keysAreNames && k === 'fields' && isJsonObject(v));
    Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The objects of one kind in an export (empty when the section is missing or null). */
export function objectsOf(data: JsonObject, kind: ConfigKind): JsonObject[] {
  const section = data[CONFIG_KINDS[kind]];
  return Array.isArray(section) ? section.filter(isJsonObject) : [];
}

/** The export cut to the scope and stripped of identities. */
export function scopeExport(raw: JsonObject, scope: ConfigScope): ScopedExport {
  const count = { n: 0 };
  const data: JsonObject = {};
  for (const k of HEADER_KEYS) if (raw[k] !== undefined) data[k] = stripIdentities(raw[k]!, count);
  const counts: Partial<Record<ConfigKind, number>> = {};
  for (const kind of scope.kinds) {
    const kept = objectsOf(raw, kind).filter((o) => inScope(scope, o));
    // Tags are emptied as before any import (see emptyTags); they select objects above.
    data[CONFIG_KINDS[kind]] = kept.map((o) => emptyTags(stripIdentities(o, count)));
    counts[kind] = kept.length;
  }
  // Sections never copied are still counted when present, so the report says they were there.
  for (const section of ['users', 'api_keys', 'apikeys', 'groups']) {
    const v = raw[section];
    if (Array.isArray(v)) count.n += v.length;
  }
  return { data, counts, stripped: count.n };
}

/** `kind: name` of every object of the scoped export, for reports. */
export function describeObjects(data: JsonObject, kinds: readonly ConfigKind[]): string[] {
  return kinds.flatMap((kind) => objectsOf(data, kind).map((o) => `${kind}: ${objectKey(kind, o)}`));
}

/** The first SOAR major version that exports playbooks only when asked (`"playbooks": true`). */
const PLAYBOOKS_SINCE_MAJOR = 44;

/** The body of the export request: what resilient-sdk asks for, and playbooks where SOAR has them. */
export function exportRequest(major: number): JsonObject {
  const body: JsonObject = { layouts: true, actions: true, phases_and_tasks: true };
  if (major >= PLAYBOOKS_SINCE_MAJOR) body['playbooks'] = true;
  return body;
}

/**
 * The brand's whole customization, as SOAR exports it. A key without the administrator
 * permissions gets 403: thrown as a SoarPermissionError naming what to grant.
 */
export async function exportConfiguration(soar: SoarClient, signal?: AbortSignal): Promise<JsonObject> {
  const ro = signal ? { signal } : {};
  try {
    const version = await soar.getServerVersion(ro);
    return await soar.post<JsonObject>('/configurations/exports/', exportRequest(version.major), ro);
  } catch (err) {
    throw customizationRefusal(err, soar, 'export the configuration');
  }
}
