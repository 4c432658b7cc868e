/**
 * The org's definitions as the SOAR emulator plays them: the org object (`GET /rest/orgs/<id>`),
 * object handles of incidents (select values, owner, members, incident types, severity, phase)
 * checked and stored as ids on write, and answered as names when `handle_format=names` asks.
 *
 * Facts played (public sources):
 * - `GET /rest/orgs/<id>` is the full org (FullOrgDTO), not the session's org entry: it carries
 *   `actions_framework_enabled` (IBM resilient-python-api co3.py reads it right after login), the
 *   org's own fields under `org_info` (IBM resilient-community-apps rc_data_feed type_info.py
 *   reads `org_info.name`), and the definitions as maps keyed by name: groups, users, incident
 *   types, severities, phases, artifact types, task categories (shape probed on QRadar SOAR
 *   51.0.9, published in lancyandrade/qradar-soar-mcp docs/soar-api-verified.md).
 * - Handles come back as ids by default and as names with `handle_format=names`; writes accept
 *   either, a number being an id and a string a name (Custom Action Developer Guide, object
 *   handles). A value the org does not define is refused, and so is a custom field it does not
 *   define ("Invalid field name", which IBM's SOAR-to-SOAR sync rc_data_feed_plugin_resilientfeed
 *   looks for in the error).
 */
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { clone } from './samples.js';
import type { EmulatorState, UserRecord } from './state.js';

const SYSTEM: JsonObject = { id: 0, type: 'system', name: 'System User', display_name: 'System User' };
const T0 = 1_767_225_600_000;

/** SOAR's built-in task categories (TaskCategoryDTO: id, name). */
const TASK_CATEGORIES: ReadonlyArray<readonly [number, string]> = [
  [100, 'Initial'], [101, 'Engage'], [102, 'Detect/Analyze'], [103, 'Respond'], [104, 'Post-Incident'], [105, 'Custom'],
];

/** A select option: `{value, label}` of a field definition's `values`. */
interface Option {
  readonly value: number | string;
  readonly label: string;
}

/** Input types whose values are handles of the field's own options. */
const SELECT_TYPES = new Set(['select', 'multiselect']);
/** Fields whose handles are principals (users and groups), whatever their definition lists. */
const PRINCIPAL_FIELDS: Readonly<Record<string, 'one' | 'many'>> = { owner_id: 'one', members: 'many' };

function optionsOf(field: JsonObject): Option[] {
  const values = Array.isArray(field['values']) ? field['values'] : [];
  return values.filter(isJsonObject).flatMap((v) => {
    const value = v['value'];
    const label = v['label'];
    return (typeof value === 'number' || typeof value === 'string') && typeof label === 'string' && v['enabled'] !== false ? [{ value, label }] : [];
  });
}

function fieldDef(state: EmulatorState, name: string, custom: boolean): JsonObject | undefined {
  return state.incidentFields.find((f) => f['name'] === name && (custom ? f['prefix'] === 'properties' : f['prefix'] !== 'properties'));
}

/** The option a handle names: a number is an id, a string a label (or a code, e.g. plan_status `A`). */
function optionFor(options: readonly Option[], handle: JsonValue): Option | undefined {
  if (typeof handle === 'number') return options.find((o) => o.value === handle);
  if (typeof handle === 'string') return options.find((o) => o.label === handle) ?? options.find((o) => o.value === handle);
  return undefined;
}

/** Users and groups as owner/member handles: id, or the user's email, or the group's name. */
function principalFor(state: EmulatorState, handle: JsonValue): { id: number; name: string } | undefined {
  if (typeof handle === 'number') {
    const u = state.users.find((x) => x.id === handle);
    if (u) return { id: u.id, name: u.email };
    const g = [...state.groups].find(([, id]) => id === handle);
    return g ? { id: g[1], name: g[0] } : undefined;
  }
  if (typeof handle === 'string') {
    const u = state.users.find((x) => x.email.toLowerCase() === handle.toLowerCase());
    if (u) return { id: u.id, name: u.email };
    const id = state.groups.get(handle);
    return id === undefined ? undefined : { id, name: handle };
  }
  return undefined;
}

type Checked = { ok: true; value: JsonValue } | { ok: false; message: string };

function describe(v: JsonValue): string {
  return JSON.stringify(v);
}

/** One field's value as stored (ids), or why SOAR refuses it. */
function checkValue(state: EmulatorState, label: string, field: JsonObject | undefined, principal: 'one' | 'many' | undefined, value: JsonValue): Checked {
  if (value === null) return { ok: true, value };
  const many = principal === 'many' || field?.['input_type'] === 'multiselect';
  const one = (h: JsonValue): number | string | undefined =>
    principal ? principalFor(state, h)?.id : field ? optionFor(optionsOf(field), h)?.value : undefined;
  if (many) {
    if (!Array.isArray(value)) return { ok: false, message: `Invalid value for field '${label}': a list of handles is expected, not ${describe(value)}` };
    const out: JsonValue[] = [];
    for (const h of value) {
      const id = one(h);
      if (id === undefined) return { ok: false, message: `Invalid value for field '${label}': ${describe(h)} is not defined in this organization` };
      out.push(id);
    }
    return { ok: true, value: out };
  }
  const id = one(value);
  return id === undefined ? { ok: false, message: `Invalid value for field '${label}': ${describe(value)} is not defined in this organization` } : { ok: true, value: id };
}

/**
 * A write body's built-in handles (select, multiselect, owner, members, incident type, severity,
 * phase: an incident's or a task's) as ids, or SOAR's refusal of a value the org does not know.
 * `properties` is left as it is.
 */
export function checkHandles(state: EmulatorState, body: JsonObject): { ok: true; body: JsonObject } | { ok: false; message: string } {
  const out: JsonObject = { ...body };
  for (const [k, v] of Object.entries(body)) {
    if (k === 'properties' || v === undefined) continue;
    const principal = PRINCIPAL_FIELDS[k];
    const field = principal ? undefined : fieldDef(state, k, false);
    if (!principal && !(field && SELECT_TYPES.has(String(field['input_type'])))) continue;
    const checked = checkValue(state, k, field, principal, v);
    if (!checked.ok) return checked;
    out[k] = checked.value;
  }
  return { ok: true, body: out };
}

/**
 * The body of `POST /incidents` or `PUT /incidents/<id>` with every handle as an id, or SOAR's
 * refusal: a custom field the org does not define, or a select, multiselect, owner, member,
 * incident type, severity or phase value it does not know.
 */
export function checkIncidentWrite(state: EmulatorState, body: JsonObject): { ok: true; body: JsonObject } | { ok: false; message: string } {
  const top = checkHandles(state, body);
  if (!top.ok) return top;
  const out = top.body;
  const props = body['properties'];
  if (props === undefined || props === null) return { ok: true, body: out };
  if (!isJsonObject(props)) return { ok: false, message: "'properties' must be an object" };
  const outProps: JsonObject = {};
  for (const [k, v] of Object.entries(props)) {
    const field = fieldDef(state, k, true);
    if (!field) return { ok: false, message: `Invalid field name 'properties.${k}': the organization defines no such custom field` };
    const type = String(field['input_type']);
    const principal = type === 'select_owner' ? 'one' : type === 'multiselect_members' ? 'many' : undefined;
    if (!principal && !SELECT_TYPES.has(type)) {
      outProps[k] = v;
      continue;
    }
    const checked = checkValue(state, `properties.${k}`, field, principal, v);
    if (!checked.ok) return checked;
    outProps[k] = checked.value;
  }
  out['properties'] = outProps;
  return { ok: true, body: out };
}

// ---- the org object ----

function byName(entries: Iterable<JsonObject>): JsonObject {
  const out: JsonObject = {};
  for (const e of entries) out[String(e['name'])] = e;
  return out;
}

function userJson(state: EmulatorState, u: UserRecord, orgId: number): JsonObject {
  return {
    create_date: T0, display_name: `${u.fname} ${u.lname}`, email: u.email, enabled: true, fname: u.fname,
    group_ids: u.groups.map((g) => state.groups.get(g) ?? null).filter((id): id is number => id !== null),
    id: u.id, is_external: false, is_ldap: false, is_saml: false, last_login: T0, last_modified_time: T0, lname: u.lname,
    locked: false, org_id: orgId, org_last_modified_time: T0, password_changed: false, password_expiration_date: 0,
    role_handles: null, status: 'A', system_permission_handles: [], ui_theme: 'darkmode', use_highcharts: false,
  };
}

function optionEntries(state: EmulatorState, field: string, shape: (o: Option, i: number) => JsonObject): JsonObject[] {
  const def = fieldDef(state, field, false);
  return def ? optionsOf(def).map(shape) : [];
}

/** `GET /rest/orgs/<id>` (FullOrgDTO) for an org of the session. */
export function orgObject(state: EmulatorState, org: JsonObject): JsonObject {
  const orgId = org['id'] as number;
  const info = clone(org);
  for (const k of ['perms', 'effective_permissions', 'role_handles', 'enabled']) delete info[k];
  const groups = [...state.groups].map(([name, id]): JsonObject => {
    const members = state.users.filter((u) => u.groups.includes(name)).map((u) => u.id);
    return {
      config_org_group: false, enabled: true, export_key: name, id, is_assignable: true, is_default_owner: false,
      is_task_assignable: true, last_modified_by: { ...SYSTEM }, last_modified_time: T0, member_count: members.length,
      members, name, role_handles: null, uuid: `6f1d2e3c-0000-4000-8000-${String(id).padStart(12, '0')}`,
    };
  });
  const users: JsonObject = {};
  for (const u of state.users) if (u.orgs === null || u.orgs.includes(orgId)) users[u.email] = userJson(state, u, orgId);
  return {
    actions_framework_enabled: true,
    attachments_enabled: org['attachments_enabled'] !== false,
    attachments_used_bytes: [...state.attachments.values()].flat().reduce((n, a) => n + a.data.length, 0),
    automation_types: { create_task: 'Create Task', modify_field: 'Set Field', run_script: 'Run Script' },
    breach_enabled: false,
    canada_enabled: false,
    data_types: {},
    eu_enabled: false,
    field_value_modifications: { set_field: 'Set Field' },
    geos: {},
    groups: byName(groups),
    hide_breach_tab: false,
    id: orgId,
    inc_deletion_allowed: true,
    incident_artifact_types: byName(state.artifactTypeList().map((t) => ({
      default_scan_option: 'default', desc: t.name, enabled: true, file: false, id: t.id, multi_aware: false, name: t.name,
      parse_as_csv: false, programmatic_name: t.programmaticName, reg_exp: null, system: t.system, tags: [],
      use_for_relationships: true, uuid: `7e2f3a4b-0000-4000-8000-${String(t.id).padStart(12, '0')}`, version: 1,
    }))),
    incident_severities: byName(optionEntries(state, 'severity_code', (o) => ({ id: o.value, name: o.label }))),
    incident_types: byName(optionEntries(state, 'incident_type_ids', (o) => ({
      create_date: T0, description: null, enabled: true, hidden: false, id: o.value, name: o.label, parent_id: null,
      system: typeof o.value === 'number' && o.value < 1000, tags: [], update_date: T0,
      uuid: `8a3b4c5d-0000-4000-8000-${String(o.value).padStart(12, '0')}`,
    }))),
    nps_survey_enabled: false,
    nps_survey_offering_id: '',
    org_info: info,
    phases: byName(optionEntries(state, 'phase_id', (o, i) => ({
      enabled: true, id: o.value, name: o.label, order: i, perms: { deleteable: false, reorderable: true }, tags: [],
      uuid: `9b4c5d6e-0000-4000-8000-${String(o.value).padStart(12, '0')}`,
    }))),
    properties: [],
    regs: {},
    saas: false,
    sir_enabled: false,
    task_categories: byName(TASK_CATEGORIES.map(([id, name]) => ({ id, name }))),
    threat_sources: {},
    unknown_users: {},
    us_enabled: false,
    users,
  };
}
