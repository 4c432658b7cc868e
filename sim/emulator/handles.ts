/**
 * SOAR's object handles in the emulator: what is stored is always the id; reads answer ids,
 * or names when the client asks with `handle_format=names` (query parameter or HTTP header).
 * Datatable cell writes take either (a number is an id, a string is resolved by name, `{id}` /
 * `{name}` too); incident and task writes are checked in org.ts. (Custom Action Developer Guide,
 * "Object handles".)
 *
 * Datatable rows follow the same rule for their cells: by default a row's cells are keyed by
 * the column's numeric field id (as a string) and select cells hold option ids; with names,
 * cells are keyed by the column's API name and selects hold labels.
 */
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { clone } from './samples.js';
import type { EmulatorState, TableDef } from './state.js';

/** Whether the request asks for names: `?handle_format=names` or the header `handle_format: names`. */
export function wantsNames(query: URLSearchParams, headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const h = headers['handle_format'];
  const header = Array.isArray(h) ? h[0] : h;
  return (query.get('handle_format') ?? header ?? '').toLowerCase() === 'names';
}

type Choice = readonly [JsonValue, string];

const PRINCIPAL_INPUTS = new Set(['select_owner', 'multiselect_members']);
const HANDLE_INPUTS = new Set(['select', 'multiselect', ...PRINCIPAL_INPUTS]);

/** The [id, name] pairs a handle field may hold: its values, or the org's users and groups. */
function choicesOf(state: EmulatorState, def: JsonObject): Choice[] {
  if (PRINCIPAL_INPUTS.has(String(def['input_type']))) {
    return [...state.users.map((u): Choice => [u.id, u.email]), ...[...state.groups].map(([name, id]): Choice => [id, name])];
  }
  const vals = Array.isArray(def['values']) ? def['values'].filter(isJsonObject) : [];
  return vals.map((v): Choice => [v['value'] ?? null, String(v['label'] ?? '')]);
}

function isHandleField(def: JsonObject): boolean {
  return HANDLE_INPUTS.has(String(def['input_type']));
}

/** One written handle -> the stored id; a value that resolves to nothing is left as it is. */
function toId(choices: readonly Choice[], v: JsonValue): JsonValue {
  if (v === null || typeof v === 'boolean') return v;
  if (isJsonObject(v)) {
    if (v['id'] !== undefined && v['id'] !== null) return toId(choices, v['id']);
    if (typeof v['name'] === 'string') return toId(choices, v['name']);
    return v;
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const byId = choices.find(([id]) => typeof id === 'string' && id === v);
    if (byId) return byId[0];
    const byName = choices.find(([, name]) => name === v) ?? choices.find(([, name]) => name.toLowerCase() === v.toLowerCase());
    if (byName) return byName[0];
  }
  return v;
}

function toName(choices: readonly Choice[], v: JsonValue): JsonValue {
  const hit = choices.find(([id]) => id === v);
  return hit ? hit[1] : v;
}

function mapHandle(v: JsonValue, one: (x: JsonValue) => JsonValue): JsonValue {
  return Array.isArray(v) ? v.map(one) : one(v);
}

/** The handle fields among `defs` (select, multiselect, owner, members), by name. */
function handleDefs(defs: readonly JsonObject[]): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const d of defs) if (isHandleField(d) && typeof d['name'] === 'string') out.set(d['name'], d);
  return out;
}

/** Principal handles every incident and task has, whether or not the field samples define them. */
const PRINCIPAL_FIELDS: readonly JsonObject[] = [
  { name: 'owner_id', input_type: 'select_owner' },
  { name: 'members', input_type: 'multiselect_members' },
];

function incidentHandleDefs(state: EmulatorState): Map<string, JsonObject> {
  const defs = handleDefs(state.incidentFields.filter((f) => f['prefix'] === null || f['prefix'] === undefined));
  for (const f of PRINCIPAL_FIELDS) if (!defs.has(String(f['name']))) defs.set(String(f['name']), f);
  return defs;
}

/** An incident or task as SOAR answers it: handles as ids, or as names when asked. */
export function withHandles(state: EmulatorState, obj: JsonObject, names: boolean): JsonObject {
  const out = clone(obj);
  if (!names) return out;
  for (const [k, def] of incidentHandleDefs(state)) {
    if (k in out && out[k] !== null) out[k] = mapHandle(out[k]!, (x) => toName(choicesOf(state, def), x));
  }
  // Custom select, multiselect, owner and members fields are handles too.
  const props = out['properties'];
  if (isJsonObject(props)) {
    for (const [k, def] of handleDefs(state.incidentFields.filter((f) => f['prefix'] === 'properties'))) {
      if (k in props && props[k] !== null) props[k] = mapHandle(props[k]!, (x) => toName(choicesOf(state, def), x));
    }
  }
  return out;
}

// ---- datatable rows ----

export type CellsResult = { ok: true; cells: Record<string, JsonValue> } | { ok: false; message: string };

/**
 * A row write's `cells` -> stored cells keyed by API name with handles as ids. A cell may be
 * keyed by API name or by the column's field id; a select value may be an option id or label.
 */
export function cellsToStored(state: EmulatorState, table: TableDef, body: JsonValue | undefined): CellsResult {
  if (!isJsonObject(body) || !isJsonObject(body['cells'])) return { ok: false, message: "A row needs 'cells': {column: {value}}" };
  const cells: Record<string, JsonValue> = {};
  for (const [key, cell] of Object.entries(body['cells'])) {
    if (!isJsonObject(cell) || !('value' in cell)) return { ok: false, message: `Cell '${key}' needs a 'value'` };
    const col = state.column(table, key);
    if (!col) return { ok: false, message: `Unknown column '${key}' in datatable '${table.name}'` };
    const value = cell['value'] as JsonValue;
    if (!isHandleField(col.def) || value === null) {
      cells[col.name] = value;
      continue;
    }
    const choices = choicesOf(state, col.def);
    const ids = Array.isArray(value) ? value.map((x) => toId(choices, x)) : [toId(choices, value)];
    const unknown = ids.find((x) => !choices.some(([id]) => id === x));
    if (unknown !== undefined) return { ok: false, message: `Invalid value ${JSON.stringify(unknown)} for column '${col.name}' of datatable '${table.name}'` };
    cells[col.name] = Array.isArray(value) ? ids : ids[0]!;
  }
  return { ok: true, cells };
}

/** A stored row as SOAR answers it: cells keyed by field id with option ids, or by API name with labels. */
export function rowOut(state: EmulatorState, table: TableDef, row: JsonObject, names: boolean): JsonObject {
  const out = clone(row);
  const cells: JsonObject = {};
  const stored = isJsonObject(row['cells']) ? row['cells'] : {};
  for (const [name, cell] of Object.entries(stored)) {
    const col = state.column(table, name);
    if (!col || !isJsonObject(cell)) continue;
    let value = cell['value'] ?? null;
    if (names && value !== null && isHandleField(col.def)) value = mapHandle(value, (x) => toName(choicesOf(state, col.def), x));
    const key = names ? col.name : String(col.id);
    cells[key] = { id: names ? col.name : col.id, row_id: row['id'] ?? null, value: clone(value) };
  }
  out['cells'] = cells;
  return out;
}
