/**
 * SOAR's customization import and export (`/configurations/imports`, `/configurations/exports`)
 * and the REST views of what was imported (`/actions`, `/workflows`, `/types`, fields).
 *
 * Import, as resilient-sdk and resilient-circuits drive it:
 *   POST /rest/orgs/<org>/configurations/imports   <export.res JSON>
 *     -> 200 {...the export..., id, status: "PENDING", messages: [{type, text}]}
 *        400 SOAR error body when the export is unusable (format version, dangling references,
 *        malformed workflow XML)
 *   GET  /rest/orgs/<org>/configurations/imports/<id>  -> the import
 *   PUT  /rest/orgs/<org>/configurations/imports/<id>  {...the import..., status: "ACCEPTED"|"REJECTED"}
 *     -> 200 the import with its new status; ACCEPTED applies what was POSTed (the PUT body's
 *        other keys are not re-read). Re-importing updates objects in place, matched the way
 *        SOAR matches them: destinations by programmatic_name, functions by name, fields by
 *        type and name, datatables by type_name, rules by name, workflows, task templates by
 *        programmatic_name, phases and scripts by name. An import never deletes anything.
 * Export: POST /rest/orgs/<org>/configurations/exports[/] {layouts, actions, phases_and_tasks}
 *   -> 200 the org's customization in export.res shape (export_format_version 2).
 *
 * Definitions are kept per emulator (shared by its orgs), like the other definitions of the
 * emulator: run one emulator per SOAR server.
 */
import { randomUUID } from 'node:crypto';
import { isJsonObject } from '../../src/core/json.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { parseBpmnCached, BpmnError } from './bpmn.js';
import { destinationOut, importedAccessLists } from './destinations.js';
import { type Reply, soarError } from './reply.js';
import { clone, loadTypesSample } from './samples.js';
import type { EmulatorState, ImportRecord, TableDef } from './state.js';

/** Built-in object types a rule or workflow can be on, with their type ids (`/rest/const`). */
const BUILTIN_OBJECT_TYPES: Readonly<Record<string, number>> = {
  incident: 0,
  task: 1,
  note: 2,
  milestone: 3,
  artifact: 4,
  attachment: 5,
  __emailmessage: 13,
};

/** Sections this module understands; every other list-valued section is kept as is. */
const HANDLED = new Set([
  'message_destinations', 'functions', 'fields', 'types', 'actions', 'workflows', 'automatic_tasks', 'phases', 'scripts',
]);
/** Sections whose entries are not objects (orderings) and are not kept. */
const SKIPPED = new Set(['action_order', 'task_order']);

function list(data: JsonObject, section: string): JsonObject[] {
  const v = data[section];
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

function str(v: JsonValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

// ---------------------------------------------------------------------------------------------
// object types

export function objectTypeId(state: EmulatorState, name: JsonValue | undefined): number | null {
  if (typeof name === 'number') return name;
  if (typeof name !== 'string') return null;
  if (name in BUILTIN_OBJECT_TYPES) return BUILTIN_OBJECT_TYPES[name]!;
  return state.tables.get(name)?.id ?? null;
}

// ---------------------------------------------------------------------------------------------
// lookups

export function findRule(state: EmulatorState, idOrName: string | number): JsonObject | undefined {
  return state.rules.find((r) => String(r['id']) === String(idOrName) || r['name'] === idOrName);
}

export function findWorkflow(state: EmulatorState, idOrName: string | number): JsonObject | undefined {
  return state.workflows.find((w) => String(w['workflow_id']) === String(idOrName) || w['programmatic_name'] === idOrName);
}

export function findFunctionByUuid(state: EmulatorState, uuid: string): JsonObject | undefined {
  return state.functions.find((f) => f['uuid'] === uuid);
}

/** The fields of a field type: `incident` (custom and built-in), `__function`, `actioninvocation`. */
function fieldsOfType(state: EmulatorState, type: string): JsonObject[] | null {
  if (type === 'incident') return state.incidentFields;
  if (type === '__function') return state.functionFields;
  if (type === 'actioninvocation') return state.actionFields;
  return null;
}

/** Type of a field of the `fields` section: from export_key `<type>/<name>`, else type_id. */
function fieldType(f: JsonObject): string | null {
  const key = str(f['export_key']);
  if (key && key.includes('/')) return key.slice(0, key.indexOf('/'));
  if (f['type_id'] === 0) return 'incident';
  if (f['type_id'] === 11) return '__function';
  if (f['type_id'] === 6) return 'actioninvocation';
  return null;
}

// ---------------------------------------------------------------------------------------------
// validation (POST)

function validate(state: EmulatorState, data: JsonObject): string[] {
  const problems: string[] = [];
  if (data['export_format_version'] !== 2) {
    return [`Unsupported export_format_version ${JSON.stringify(data['export_format_version'] ?? null)}: this server imports version 2 only`];
  }
  for (const s of HANDLED) {
    const v = data[s];
    if (v !== undefined && v !== null && !Array.isArray(v)) problems.push(`'${s}' must be a list`);
  }
  if (problems.length) return problems;

  const dests = new Set(state.messageDestinations.map((d) => String(d['programmatic_name'])));
  for (const d of list(data, 'message_destinations')) {
    const name = str(d['programmatic_name']);
    if (!name) problems.push(`a message destination has no programmatic_name`);
    else dests.add(name);
  }
  const fnUuids = new Set(state.functions.map((f) => String(f['uuid'])));
  for (const f of list(data, 'functions')) {
    const name = str(f['name']);
    if (!name) {
      problems.push('a function has no name');
      continue;
    }
    if (str(f['uuid'])) fnUuids.add(String(f['uuid']));
    const dest = str(f['destination_handle']);
    if (!dest) problems.push(`Function '${name}' has no destination_handle`);
    else if (!dests.has(dest)) problems.push(`Function '${name}' uses message destination '${dest}', which neither the import nor the organization has`);
  }
  for (const f of list(data, 'fields')) {
    if (!str(f['name'])) problems.push(`a field (${String(f['export_key'] ?? '?')}) has no name`);
  }
  const tables = new Set(state.tables.keys());
  for (const t of list(data, 'types')) {
    if (t['type_id'] !== 8) continue;
    const name = str(t['type_name']);
    if (!name) problems.push('a datatable has no type_name');
    else tables.add(name);
    if (t['fields'] !== undefined && !isJsonObject(t['fields'])) problems.push(`datatable '${name ?? '?'}': 'fields' must be an object keyed by column name`);
  }
  const knownObject = (o: JsonValue | undefined): boolean =>
    typeof o === 'string' ? o in BUILTIN_OBJECT_TYPES || tables.has(o) : typeof o === 'number';
  const workflows = new Set(state.workflows.map((w) => String(w['programmatic_name'])));
  for (const w of list(data, 'workflows')) {
    const name = str(w['programmatic_name']);
    if (!name) {
      problems.push('a workflow has no programmatic_name');
      continue;
    }
    workflows.add(name);
    if (!knownObject(w['object_type'])) problems.push(`Workflow '${name}' is on unknown object type ${JSON.stringify(w['object_type'] ?? null)}`);
    const content = w['content'];
    const xml = isJsonObject(content) ? content['xml'] : undefined;
    if (typeof xml !== 'string') {
      problems.push(`Workflow '${name}' has no content.xml`);
      continue;
    }
    const proc = parseBpmnCached(xml);
    if (proc instanceof BpmnError) {
      problems.push(`Workflow '${name}': ${proc.message}`);
      continue;
    }
    for (const u of proc.functionUuids) {
      if (!fnUuids.has(u)) problems.push(`Workflow '${name}' calls function ${u}, which neither the import nor the organization has`);
    }
  }
  for (const r of list(data, 'actions')) {
    const name = str(r['name']);
    if (!name) {
      problems.push('a rule has no name');
      continue;
    }
    if (r['type'] !== 0 && r['type'] !== 1) problems.push(`Rule '${name}': type must be 0 (automatic) or 1 (menu item)`);
    if (!knownObject(r['object_type'])) problems.push(`Rule '${name}' is on unknown object type ${JSON.stringify(r['object_type'] ?? null)}`);
    for (const w of Array.isArray(r['workflows']) ? r['workflows'] : []) {
      if (!workflows.has(String(w))) problems.push(`Rule '${name}' runs workflow '${String(w)}', which neither the import nor the organization has`);
    }
    for (const d of Array.isArray(r['message_destinations']) ? r['message_destinations'] : []) {
      if (!dests.has(String(d))) problems.push(`Rule '${name}' uses message destination '${String(d)}', which neither the import nor the organization has`);
    }
  }
  return problems;
}

/** What an import would do, as SOAR's `messages` ({type, text}). */
function preview(state: EmulatorState, data: JsonObject): JsonObject[] {
  const msgs: JsonObject[] = [];
  const say = (kind: string, name: string, exists: boolean): void => {
    msgs.push({ type: 'INFO', text: `${kind} '${name}' will be ${exists ? 'updated' : 'created'}` });
  };
  for (const d of list(data, 'message_destinations')) say('Message destination', String(d['programmatic_name']), !!state.findDestination(String(d['programmatic_name'])));
  for (const f of list(data, 'functions')) say('Function', String(f['name']), !!state.functions.find((x) => x['name'] === f['name']));
  for (const f of list(data, 'fields')) {
    const type = fieldType(f);
    const existing = type ? fieldsOfType(state, type) : null;
    if (!existing || f['internal'] === true) continue;
    say('Field', `${type}/${String(f['name'])}`, existing.some((x) => x['name'] === f['name']));
  }
  for (const t of list(data, 'types')) if (t['type_id'] === 8) say('Datatable', String(t['type_name']), state.tables.has(String(t['type_name'])));
  for (const w of list(data, 'workflows')) say('Workflow', String(w['programmatic_name']), !!findWorkflow(state, String(w['programmatic_name'])));
  for (const r of list(data, 'actions')) say('Rule', String(r['name']), !!findRule(state, String(r['name'])));
  return msgs;
}

// ---------------------------------------------------------------------------------------------
// apply (PUT ACCEPTED)

function without(o: JsonObject, ...keys: string[]): JsonObject {
  const out = clone(o);
  for (const k of keys) delete out[k];
  return out;
}

function upsertDestination(state: EmulatorState, d: JsonObject): void {
  const name = String(d['programmatic_name']);
  const existing = state.findDestination(name);
  const target = existing ?? clone(state.samples.messageDestinations[0] ?? {});
  if (!existing) {
    target['id'] = state.nextId('dest');
    state.messageDestinations.push(target);
  }
  // Strict reading (SOAR does not document it): the import's lists replace the destination's,
  // so who may use an existing destination is what the export says, as far as this org knows them.
  Object.assign(target, importedAccessLists(state, d));
  target['programmatic_name'] = name;
  target['name'] = str(d['name']) ?? name;
  target['export_key'] = name;
  target['uuid'] = str(d['uuid']) ?? (existing ? target['uuid'] ?? randomUUID() : randomUUID());
  target['expect_ack'] = d['expect_ack'] === undefined ? true : Boolean(d['expect_ack']);
  target['destination_type'] = typeof d['destination_type'] === 'number' ? d['destination_type'] : 0;
  target['tags'] = Array.isArray(d['tags']) ? clone(d['tags']) : [];
}

function upsertField(state: EmulatorState, type: string, f: JsonObject): void {
  const fields = fieldsOfType(state, type);
  if (!fields) return;
  const name = String(f['name']);
  const match = (x: JsonObject): boolean => x['name'] === name && (type !== 'incident' || x['prefix'] === 'properties');
  const existing = fields.find(match);
  const body = without(f, 'export_key', 'id');
  if (existing) {
    const id = existing['id'] ?? state.nextId('field');
    for (const k of Object.keys(body)) existing[k] = body[k]!;
    existing['id'] = id;
    if (type === 'incident') existing['prefix'] = 'properties';
    return;
  }
  const base = type === 'incident' ? clone(state.incidentFields.find((x) => x['prefix'] === 'properties') ?? {}) : {};
  const created: JsonObject = { ...base, ...body, id: state.nextId('field') };
  if (type === 'incident') {
    created['type_id'] = 0;
    created['prefix'] = 'properties';
    for (const inc of state.incidents.values()) {
      const props = isJsonObject(inc['properties']) ? inc['properties'] : (inc['properties'] = {});
      if (!(name in props)) props[name] = null;
    }
  } else {
    created['type_id'] = type === '__function' ? 11 : 6;
  }
  if (!str(created['uuid'])) created['uuid'] = randomUUID();
  fields.push(created);
}

/** A select column's options with this org's ids (SOAR numbers them itself; kept by label across imports). */
function optionIds(state: EmulatorState, col: JsonObject, prev: JsonObject | null): JsonValue[] {
  const before = prev && Array.isArray(prev['values']) ? prev['values'].filter(isJsonObject) : [];
  const values = Array.isArray(col['values']) ? col['values'].filter(isJsonObject) : [];
  return values.map((v) => ({ ...v, value: before.find((b) => b['label'] === v['label'])?.['value'] ?? state.nextId('field') }));
}

function upsertTable(state: EmulatorState, t: JsonObject): void {
  const name = String(t['type_name']);
  const existing = state.tables.get(name);
  const id = existing?.id ?? state.nextId('table');
  const oldFields = existing?.type && isJsonObject(existing.type['fields']) ? existing.type['fields'] : {};
  const fields: JsonObject = clone(oldFields);
  const incoming = isJsonObject(t['fields']) ? t['fields'] : {};
  for (const [key, col] of Object.entries(incoming)) {
    if (!isJsonObject(col)) continue;
    const colName = str(col['name']) ?? key;
    const prev = isJsonObject(fields[colName]) ? (fields[colName] as JsonObject) : null;
    fields[colName] = { ...without(col, 'export_key'), id: prev?.['id'] ?? state.nextId('field'), name: colName, type_id: id, values: optionIds(state, col, prev) };
  }
  const type: JsonObject = {
    ...without(t, 'export_key', 'fields'),
    id,
    type_id: 8,
    type_name: name,
    display_name: str(t['display_name']) ?? name,
    fields,
    parent_types: Array.isArray(t['parent_types']) ? clone(t['parent_types']) : ['incident'],
    uuid: str(t['uuid']) ?? (existing?.type?.['uuid'] as string | undefined) ?? randomUUID(),
    actions: [],
    scripts: [],
    playbooks: [],
    tags: Array.isArray(t['tags']) ? clone(t['tags']) : [],
  };
  const columns = [...new Set([...(existing?.columns ?? []), ...Object.keys(fields)])];
  const def: TableDef = { id, name, columns, type };
  state.putTable(def);
  state.tablesFromImport = true;
}

function upsertFunction(state: EmulatorState, f: JsonObject): void {
  const name = String(f['name']);
  const existing = state.functions.find((x) => x['name'] === name);
  const body = without(f, 'export_key', 'id');
  if (existing) {
    const id = existing['id'] ?? state.nextId('fn');
    for (const k of Object.keys(body)) existing[k] = body[k]!;
    existing['id'] = id;
    if (!str(existing['uuid'])) existing['uuid'] = randomUUID();
    return;
  }
  const created: JsonObject = { ...body, id: state.nextId('fn') };
  if (!str(created['display_name'])) created['display_name'] = name;
  if (!str(created['uuid'])) created['uuid'] = randomUUID();
  if (!Array.isArray(created['view_items'])) created['view_items'] = [];
  if (created['version'] === undefined) created['version'] = 1;
  // SOAR lists every function with its `creator` (null for imported ones on 51.0.9).
  if (created['creator'] === undefined) created['creator'] = null;
  state.functions.push(created);
}

/** Upsert into a list of export-shaped objects; `idKey` names the emulator id's key. */
function upsertNamed(list: JsonObject[], o: JsonObject, match: (x: JsonObject) => boolean, idKey: string, newId: () => number): JsonObject {
  const existing = list.find(match);
  const copy = clone(o);
  if (existing) {
    const id = existing[idKey];
    for (const k of Object.keys(existing)) delete existing[k];
    Object.assign(existing, copy);
    existing[idKey] = id ?? newId();
    return existing;
  }
  copy[idKey] = newId();
  list.push(copy);
  return copy;
}

/** Recomputes each function's `workflows` (the workflows that call it). */
function refreshFunctionWorkflows(state: EmulatorState): void {
  const calls = new Map<string, JsonObject[]>();
  for (const w of state.workflows) {
    const xml = isJsonObject(w['content']) ? w['content']['xml'] : undefined;
    if (typeof xml !== 'string') continue;
    const proc = parseBpmnCached(xml);
    if (proc instanceof BpmnError) continue;
    for (const u of new Set(proc.functionUuids)) {
      const l = calls.get(u) ?? [];
      l.push({
        actions: [],
        description: typeof w['description'] === 'string' ? w['description'] : null,
        name: w['name'] ?? null,
        object_type: w['object_type'] ?? null,
        programmatic_name: w['programmatic_name'] ?? null,
        tags: [],
        uuid: null,
        workflow_id: w['workflow_id'] ?? null,
      });
      calls.set(u, l);
    }
  }
  for (const f of state.functions) f['workflows'] = calls.get(String(f['uuid'])) ?? [];
}

function apply(state: EmulatorState, data: JsonObject): void {
  for (const d of list(data, 'message_destinations')) upsertDestination(state, d);
  for (const f of list(data, 'fields')) {
    const type = fieldType(f);
    if (!type || f['internal'] === true) continue; // e.g. incident/internal_customizations_field
    upsertField(state, type, f);
  }
  for (const t of list(data, 'types')) if (t['type_id'] === 8) upsertTable(state, t);
  for (const f of list(data, 'functions')) upsertFunction(state, f);
  for (const p of list(data, 'phases')) upsertNamed(state.phases, p, (x) => x['name'] === p['name'], 'id', () => state.nextId('misc'));
  for (const t of list(data, 'automatic_tasks')) {
    upsertNamed(state.automaticTasks, t, (x) => x['programmatic_name'] === t['programmatic_name'], 'id', () => state.nextId('misc'));
  }
  for (const s of list(data, 'scripts')) upsertNamed(state.scripts, s, (x) => x['name'] === s['name'], 'id', () => state.nextId('misc'));
  for (const w of list(data, 'workflows')) {
    upsertNamed(state.workflows, w, (x) => x['programmatic_name'] === w['programmatic_name'], 'workflow_id', () => state.nextId('workflow'));
  }
  for (const r of list(data, 'actions')) {
    const rule = upsertNamed(state.rules, r, (x) => x['name'] === r['name'], 'id', () => state.nextId('rule'));
    if (rule['enabled'] === undefined) rule['enabled'] = true;
    if (!str(rule['export_key'])) rule['export_key'] = rule['name']!;
  }
  for (const [section, value] of Object.entries(data)) {
    if (HANDLED.has(section) || SKIPPED.has(section) || !Array.isArray(value)) continue;
    const items = value.filter(isJsonObject);
    if (items.length === 0) continue;
    const kept = state.otherSections.get(section) ?? [];
    for (const o of items) {
      const key = (x: JsonObject): string => String(x['export_key'] ?? x['programmatic_name'] ?? x['name'] ?? x['uuid'] ?? '');
      upsertNamed(kept, o, (x) => key(x) === key(o), 'id', () => (typeof o['id'] === 'number' ? o['id'] : state.nextId('misc')));
    }
    state.otherSections.set(section, kept);
  }
  refreshFunctionWorkflows(state);
}

// ---------------------------------------------------------------------------------------------
// REST: imports

function importJson(rec: ImportRecord): JsonObject {
  return {
    ...clone(rec.data),
    id: rec.id,
    status: rec.status,
    messages: clone(rec.messages),
    create_date: rec.createDate,
  };
}

export function postImport(state: EmulatorState, orgId: number, body: JsonValue | undefined): Reply {
  if (!isJsonObject(body)) return soarError(400, 'A configuration import needs the export (export.res) as a JSON object');
  const problems = validate(state, body);
  if (problems.length) return soarError(400, `The configuration cannot be imported: ${problems.join('; ')}`);
  const data = clone(body);
  for (const k of ['id', 'status', 'messages', 'create_date']) delete data[k];
  const rec: ImportRecord = { id: state.nextId('import'), orgId, status: 'PENDING', data, messages: preview(state, data), createDate: Date.now() };
  state.imports.set(rec.id, rec);
  return { status: 200, body: importJson(rec) };
}

export function getImport(state: EmulatorState, orgId: number, id: number): Reply {
  const rec = state.imports.get(id);
  if (!rec || rec.orgId !== orgId) return soarError(404, `Configuration import ${id} not found`);
  return { status: 200, body: importJson(rec) };
}

export function putImport(state: EmulatorState, orgId: number, id: number, body: JsonValue | undefined): Reply {
  const rec = state.imports.get(id);
  if (!rec || rec.orgId !== orgId) return soarError(404, `Configuration import ${id} not found`);
  if (!isJsonObject(body)) return soarError(400, 'A configuration import update needs a JSON object');
  if (body['id'] !== undefined && String(body['id']) !== String(id)) return soarError(400, `The body is import ${String(body['id'])}, not ${id}`);
  const status = body['status'];
  if (status !== 'ACCEPTED' && status !== 'REJECTED' && status !== 'PENDING') {
    return soarError(400, `Invalid import status ${JSON.stringify(status ?? null)}: use ACCEPTED or REJECTED`);
  }
  if (status === rec.status) return { status: 200, body: importJson(rec) };
  if (rec.status !== 'PENDING' || status === 'PENDING') {
    return soarError(400, `Configuration import ${id} is ${rec.status}; it cannot become ${String(status)}`);
  }
  if (status === 'ACCEPTED') {
    // The organization may have changed since the POST: check again before applying.
    const problems = validate(state, rec.data);
    if (problems.length) return soarError(400, `The configuration cannot be imported: ${problems.join('; ')}`);
    apply(state, rec.data);
  }
  rec.status = status;
  return { status: 200, body: importJson(rec) };
}

// ---------------------------------------------------------------------------------------------
// REST: rules, workflows, types

function destinationIds(state: EmulatorState, names: JsonValue | undefined): JsonValue[] {
  return (Array.isArray(names) ? names : []).map((n) => state.findDestination(String(n))?.['id'] ?? n);
}

/** A rule as `GET /actions` shows it: handles as ids, or as names with handle_format=names. */
export function ruleRest(state: EmulatorState, r: JsonObject, names: boolean): JsonObject {
  const out: JsonObject = {
    id: r['id'] ?? null,
    name: r['name'] ?? null,
    type: r['type'] ?? 0,
    enabled: r['enabled'] !== false,
    logic_type: r['logic_type'] ?? 'all',
    object_type: names ? (r['object_type'] ?? null) : objectTypeId(state, r['object_type']),
    conditions: clone(Array.isArray(r['conditions']) ? r['conditions'] : []),
    automations: clone(Array.isArray(r['automations']) ? r['automations'] : []),
    message_destinations: names ? clone(Array.isArray(r['message_destinations']) ? r['message_destinations'] : []) : destinationIds(state, r['message_destinations']),
    workflows: (Array.isArray(r['workflows']) ? r['workflows'] : []).map((w) => (names ? w : findWorkflow(state, String(w))?.['workflow_id'] ?? w)),
    view_items: clone(Array.isArray(r['view_items']) ? r['view_items'] : []),
    timeout_seconds: r['timeout_seconds'] ?? 86400,
    uuid: r['uuid'] ?? null,
    export_key: r['export_key'] ?? r['name'] ?? null,
    tags: clone(Array.isArray(r['tags']) ? r['tags'] : []),
  };
  if (typeof r['custom_condition'] === 'string') out['custom_condition'] = r['custom_condition'];
  return out;
}

/** A workflow as `GET /workflows` shows it. */
export function workflowRest(state: EmulatorState, w: JsonObject, names: boolean): JsonObject {
  return {
    workflow_id: w['workflow_id'] ?? null,
    programmatic_name: w['programmatic_name'] ?? null,
    name: w['name'] ?? null,
    description: w['description'] ?? null,
    object_type: names ? (w['object_type'] ?? null) : objectTypeId(state, w['object_type']),
    uuid: w['uuid'] ?? null,
    export_key: w['export_key'] ?? w['programmatic_name'] ?? null,
    content: clone(isJsonObject(w['content']) ? w['content'] : {}),
    content_version: w['content_version'] ?? (isJsonObject(w['content']) ? w['content']['version'] ?? 1 : 1),
    actions: [],
    tags: clone(Array.isArray(w['tags']) ? w['tags'] : []),
    last_modified_by: w['last_modified_by'] ?? null,
    last_modified_time: w['last_modified_time'] ?? null,
  };
}

function rulesOn(state: EmulatorState, objectType: string): JsonObject[] {
  return state.rules
    .filter((r) => r['object_type'] === objectType)
    .map((r) => ({ id: r['id'] ?? null, name: r['name'] ?? null, type: r['type'] ?? 0, enabled: r['enabled'] !== false }));
}

function byName(fields: readonly JsonObject[]): JsonObject {
  const out: JsonObject = {};
  for (const f of fields) out[String(f['name'])] = clone(f);
  return out;
}

/** A datatable's type DTO (synthesized for tables declared by the emulator's options). */
function tableType(state: EmulatorState, t: TableDef): JsonObject {
  const type: JsonObject = t.type
    ? clone(t.type)
    : {
        id: t.id, type_id: 8, type_name: t.name, display_name: t.name,
        fields: Object.fromEntries(state.columnsOf(t).map((c) => [c.name, clone(c.def)])),
        properties: { can_create: true, can_destroy: true, for_who: [] }, parent_types: ['incident'],
        for_notifications: false, for_actions: true, for_custom_fields: true, for_workflows: true,
        uuid: null, actions: [], scripts: [], playbooks: [], tags: [],
      };
  type['actions'] = rulesOn(state, t.name);
  return type;
}

function builtinType(state: EmulatorState, name: string): JsonObject | null {
  const sample = loadTypesSample();
  const t = sample[name];
  if (!isJsonObject(t) || t['type_id'] === 8) return null;
  const out = clone(t);
  if (name === 'incident') {
    const fields = isJsonObject(out['fields']) ? out['fields'] : {};
    out['fields'] = { ...fields, ...byName(state.incidentFields) };
    out['actions'] = rulesOn(state, 'incident');
  } else if (name === '__function') {
    out['fields'] = byName(state.functionFields);
  } else if (name === 'actioninvocation') {
    out['fields'] = byName(state.actionFields);
  } else if (name in BUILTIN_OBJECT_TYPES) {
    out['actions'] = rulesOn(state, name);
  }
  return out;
}

/** `GET /types`: every type by name, the org's datatables included. */
export function allTypes(state: EmulatorState): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(loadTypesSample())) {
    const t = builtinType(state, name);
    if (t) out[name] = t;
  }
  for (const t of state.tables.values()) out[t.name] = tableType(state, t);
  return out;
}

/** `GET /types/<name or id>`. */
export function typeRest(state: EmulatorState, nameOrId: string): JsonObject | null {
  for (const t of state.tables.values()) if (t.name === nameOrId || String(t.id) === nameOrId) return tableType(state, t);
  const direct = builtinType(state, nameOrId);
  if (direct) return direct;
  if (/^\d+$/.test(nameOrId)) {
    for (const [name, t] of Object.entries(loadTypesSample())) {
      if (isJsonObject(t) && String(t['id']) === nameOrId) return builtinType(state, name);
    }
  }
  return null;
}

/** `GET /types/<name or id>/fields`. */
export function typeFieldsRest(state: EmulatorState, nameOrId: string): JsonObject[] | null {
  const own = fieldsOfType(state, nameOrId);
  if (own) return own.map((f) => clone(f));
  const t = typeRest(state, nameOrId);
  if (!t) return null;
  return Object.values(isJsonObject(t['fields']) ? t['fields'] : {}).filter(isJsonObject);
}

// ---------------------------------------------------------------------------------------------
// REST: export

function exportField(type: string, f: JsonObject): JsonObject {
  return { ...clone(f), export_key: `${type}/${String(f['name'])}` };
}

function exportDestination(state: EmulatorState, d: JsonObject): JsonObject {
  const out = without(destinationOut(state, d, true), 'id');
  out['export_key'] = d['programmatic_name'] ?? null;
  if (!Array.isArray(out['tags'])) out['tags'] = [];
  return out;
}

function exportTable(state: EmulatorState, t: TableDef): JsonObject {
  const type = tableType(state, t);
  const fields = isJsonObject(type['fields']) ? type['fields'] : {};
  const exported: JsonObject = {};
  for (const [k, f] of Object.entries(fields)) if (isJsonObject(f)) exported[k] = { ...clone(f), export_key: `${t.name}/${k}` };
  return { ...type, id: null, fields: exported, actions: [], export_key: t.name };
}

/**
 * What the export body selects, beyond what is always exported (destinations, functions, fields,
 * datatables, workflows, scripts...): each flag and the sections it brings; unselected they come
 * empty. Playbooks come only when asked for (SOAR >= 44); resilient-sdk asks for the others.
 */
const SELECTED_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  actions: ['actions', 'action_order'],
  layouts: ['layouts'],
  phases_and_tasks: ['phases', 'automatic_tasks', 'task_order'],
  playbooks: ['playbooks'],
};

/** `POST /configurations/exports`: the org's customization in export.res shape, as selected by the body. */
export function postExport(state: EmulatorState, body: JsonValue | undefined): Reply {
  if (body !== undefined && !isJsonObject(body)) return soarError(400, 'The export request needs a JSON object body');
  const constInfo = state.samples.constInfo;
  const data: JsonObject = {
    action_order: [],
    actions: state.rules.map((r) => ({ ...clone(r), export_key: r['export_key'] ?? r['name'] ?? null })),
    apps: [],
    automatic_tasks: state.automaticTasks.map((t) => clone(t)),
    case_matching_profiles: [],
    export_date: Date.now(),
    export_format_version: 2,
    export_type: null,
    fields: [
      ...state.incidentFields.filter((f) => f['prefix'] === 'properties').map((f) => exportField('incident', f)),
      ...state.functionFields.map((f) => exportField('__function', f)),
      ...state.actionFields.map((f) => exportField('actioninvocation', f)),
    ],
    functions: state.functions.map((f) => ({ ...clone(f), export_key: f['name'] ?? null })),
    geos: null,
    groups: null,
    id: state.nextId('misc'),
    inbound_destinations: [],
    inbound_mailboxes: null,
    incident_artifact_types: [],
    incident_types: [],
    layouts: [],
    locale: null,
    message_destinations: state.messageDestinations.map((d) => exportDestination(state, d)),
    notifications: null,
    overrides: null,
    phases: state.phases.map((p) => clone(p)),
    playbooks: [],
    regulators: null,
    roles: [],
    scripts: state.scripts.map((s) => clone(s)),
    server_version: clone(isJsonObject(constInfo['server_version']) ? constInfo['server_version'] : {}),
    tags: [],
    task_order: [],
    timeframes: null,
    types: [...state.tables.values()].filter((t) => t.type || t.columns).map((t) => exportTable(state, t)),
    workflows: state.workflows.map((w) => clone(w)),
    workspaces: [],
  };
  for (const [section, items] of state.otherSections) data[section] = items.map((o) => clone(o));
  for (const [flag, sections] of Object.entries(SELECTED_SECTIONS)) {
    if (body?.[flag] !== true) for (const section of sections) data[section] = [];
  }
  return { status: 200, body: data };
}
