/**
 * Received values onto the receiving org's definitions. A copy arrives with the sender's select,
 * multiselect, incident type, severity and phase values (and the receiver's configured owner and
 * group) as names; a SOAR refuses a value its org does not define, so each one is looked up in
 * the receiving org, by name (case and surrounding blanks ignored), and written as that org
 * spells it; what the org lacks is left out and named, never a refused delivery. IBM's own
 * SOAR-to-SOAR sync (resilient-community-apps rc_data_feed_plugin_resilientfeed) maps values the
 * same way and drops what the target lacks.
 *
 * Definitions come from `GET /types/incident/fields` (each field's input type and its options)
 * and the org object `GET /rest/orgs/<id>` (users, groups, incident types, severities, phases:
 * maps keyed by name, each entry with its `name`, users with their `email`). A number cannot be
 * mapped: it is an id of the sender's org, meaningless here.
 */
import { isRecord } from '../core/json.js';
import type { SoarClient } from '../soar/client.js';
import type { JsonObject, JsonValue } from '../core/types.js';

/** One incident field of the receiving org, as `GET /types/incident/fields` describes it. */
export interface FieldDefinition {
  readonly inputType: string;
  /** Option labels by their lower-case form (select and multiselect fields). */
  readonly options: ReadonlyMap<string, string>;
}

/** What the receiving org defines, by name. */
export interface OrgDefinitions {
  /** Writable built-in fields by name (`prefix` null, not read-only). */
  readonly builtin: ReadonlyMap<string, FieldDefinition>;
  /** Custom fields (`properties.<name>`) by name. */
  readonly custom: ReadonlyMap<string, FieldDefinition>;
  /** Principals that may own or be members: user emails and group names, by lower-case form. */
  readonly users: ReadonlyMap<string, string>;
  readonly groups: ReadonlyMap<string, string>;
}

/** Handles looked up in the org object rather than in the field's options (SOAR lists them there). */
const ORG_LISTS: Readonly<Record<string, string>> = {
  incident_type_ids: 'incident_types',
  severity_code: 'incident_severities',
  phase_id: 'phases',
};
const SELECT_TYPES = new Set(['select', 'multiselect']);
const PRINCIPAL_TYPES = new Set(['select_owner', 'multiselect_members']);
const MANY_TYPES = new Set(['multiselect', 'multiselect_members']);

const key = (name: string): string => name.trim().toLowerCase();

function namesOf(entries: Iterable<JsonValue>, prop: string, enabledOnly: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (!isRecord(e) || (enabledOnly && e['enabled'] === false)) continue;
    const name = e[prop];
    if (typeof name === 'string' && name.trim() !== '') out.set(key(name), name);
  }
  return out;
}

/** A map keyed by name (the org object's shape) or a list, as its values. */
function entriesOf(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : [];
}

/** The receiving org's definitions: its incident fields and its org object, read now (they change). */
export async function readDefinitions(soar: SoarClient, signal?: AbortSignal): Promise<OrgDefinitions> {
  const ro = signal ? { signal } : {};
  const [list, org] = await Promise.all([soar.listIncidentFields(ro), soar.get<JsonValue>('', ro)]);
  const orgObj: JsonObject = isRecord(org) ? org : {};
  const builtin = new Map<string, FieldDefinition>();
  const custom = new Map<string, FieldDefinition>();
  for (const f of list) {
    if (typeof f['name'] !== 'string') continue;
    const name = f['name'];
    const inputType = typeof f['input_type'] === 'string' ? f['input_type'] : 'text';
    const orgList = ORG_LISTS[name];
    const options = f['prefix'] !== 'properties' && orgList !== undefined && orgList in orgObj
      ? namesOf(entriesOf(orgObj[orgList]), 'name', true)
      : namesOf(entriesOf(f['values']), 'label', true);
    const def: FieldDefinition = { inputType, options };
    if (f['prefix'] === 'properties') custom.set(name, def);
    else if ((f['prefix'] === null || f['prefix'] === undefined) && f['read_only'] !== true) builtin.set(name, def);
  }
  return {
    builtin,
    custom,
    users: namesOf(entriesOf(orgObj['users']), 'email', true),
    groups: namesOf(entriesOf(orgObj['groups']), 'name', true),
  };
}

/** A user (by email) or group (by name) of the receiving org, as it spells it; null when unknown. */
export function principalIn(defs: OrgDefinitions, handle: string): string | null {
  return defs.users.get(key(handle)) ?? defs.groups.get(key(handle)) ?? null;
}

/** Writes `value`'s text for the note: names as they came, anything else as JSON. */
function shown(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * `value` of field `label` mapped onto `def`: handles as the receiving org spells them, the
 * unknown ones appended to `unknown` (as `label: value`). Fields that hold no handles pass as
 * they are. Answers undefined when nothing of the value is left (a single unknown handle).
 */
function mapValue(defs: OrgDefinitions, def: FieldDefinition, label: string, value: JsonValue, unknown: string[]): JsonValue | undefined {
  const principal = PRINCIPAL_TYPES.has(def.inputType);
  if (!principal && !SELECT_TYPES.has(def.inputType)) return value;
  if (value === null) return null;
  const one = (h: JsonValue): string | null => {
    const hit = typeof h !== 'string' ? null : principal ? principalIn(defs, h) : def.options.get(key(h)) ?? null;
    if (hit === null) unknown.push(`${label}: ${shown(h)}`);
    return hit;
  };
  if (MANY_TYPES.has(def.inputType)) {
    const list = Array.isArray(value) ? value : [value];
    return list.map(one).filter((h): h is string => h !== null);
  }
  if (Array.isArray(value)) {
    unknown.push(`${label}: ${shown(value)}`);
    return undefined;
  }
  return one(value) ?? undefined;
}

/** Maps every handle of a received incident's fields (`top`) and custom fields (`props`) in place. */
export function mapIncidentValues(defs: OrgDefinitions, top: JsonObject, props: JsonObject, unknown: string[]): void {
  for (const [target, fields, prefix] of [[top, defs.builtin, ''], [props, defs.custom, 'properties.']] as const) {
    for (const [name, value] of Object.entries(target)) {
      const def = fields.get(name);
      if (!def) continue;
      const mapped = mapValue(defs, def, `${prefix}${name}`, value, unknown);
      if (mapped === undefined) delete target[name];
      else target[name] = mapped;
    }
  }
}
