/**
 * The export.res builder: turns the definitions of customize/ into the JSON SOAR's configuration
 * import takes (`export_format_version` 2), after checking that every reference between them
 * resolves. Deterministic: stable uuids (uuid.ts), a fixed export date, sorted sections and
 * sorted keys, so the same definitions always give the same bytes.
 *
 *   buildExport()        the export as an object (throws DefinitionError on broken definitions)
 *   serializeExport(e)   the export as export.res text
 *   workflowFiles()      the BPMN files of workflows/, as rendered from customize/workflows.ts
 *   customization        what must exist in SOAR, for `selftest` and `customize`
 */
import { renderBpmn } from './bpmn.js';
import { DEFINITIONS } from './definitions.js';
import type {
  ExportAction,
  ExportAutomaticTask,
  ExportColumn,
  ExportDatatable,
  ExportField,
  ExportFieldValue,
  ExportFunction,
  ExportFunctionWorkflowRef,
  ExportJson,
  ExportMessageDestination,
  ExportPhase,
  ExportRes,
  ExportWorkflow,
  ViewItem,
} from './exportres.js';
import type { Definitions, FieldDef, FieldInputType, RuleDef, StaticInput, WorkflowDef, WorkflowStepDef } from './model.js';
import { checkPostProcessingScript, parsePreProcessingScript, ScriptSyntaxError } from './script.js';
import { stableUuid } from './uuid.js';

export type { ExportRes } from './exportres.js';

/** The export's date (2026-01-01T00:00:00Z): fixed, so builds are reproducible. */
const EXPORT_DATE = Date.UTC(2026, 0, 1);

/** The oldest SOAR the export is meant for; SOAR refuses exports from a newer server than itself. */
const SERVER_VERSION = { build_number: 0, major: 41, minor: 0, version: '41.0.0' } as const;

/** Who the export says made its objects. */
const AUTHOR = 'soar-clearing';

/** `type_id` of the field kinds in SOAR. */
const FieldTypeId = { Incident: 0, ActionInvocation: 6, Function: 11 } as const;

/** `type_id` the columns of the exported datatable carry (the datatable's id in the exporting org). */
const DATATABLE_COLUMN_TYPE_ID = 1000;

/** The repository directory of the workflow files, relative to the repository root. */
export const WORKFLOWS_DIR = 'workflows';

const API_NAME_RE = /^[a-z][a-z0-9_]*$/;
const CONDITION_METHODS = new Set([
  'object_added', 'object_removed', 'changed', 'changed_to', 'not_changed_to', 'equals', 'not_equals',
  'contains', 'not_contains', 'has_a_value', 'not_has_a_value', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte',
]);
const OBJECT_EVENT_METHODS = new Set(['object_added', 'object_removed']);

/** Raised when definitions reference something that does not exist; lists every problem. */
export class DefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`customization definitions are inconsistent (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'DefinitionError';
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

function staticMatches(type: FieldInputType, value: StaticInput): boolean {
  switch (type) {
    case 'text':
    case 'textarea':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

/** Every problem in the definitions, as sentences naming what is missing and who names it. */
function validateDefinitions(d: Definitions): string[] {
  const problems: string[] = [];
  const p = (msg: string): void => void problems.push(msg);

  const check = (kind: string, names: readonly string[], apiNames = true): void => {
    for (const dup of duplicates(names)) p(`${kind} '${dup}' is defined more than once`);
    if (apiNames) for (const n of names) if (!API_NAME_RE.test(n)) p(`${kind} '${n}' is not an API name (a-z, 0-9, _; starting with a letter)`);
  };
  check('message destination', d.destinations.map((x) => x.programmaticName));
  check('function input field', d.functionInputs.map((x) => x.name));
  check('function', d.functions.map((x) => x.name));
  check('incident field', d.incidentFields.map((x) => x.name));
  check('rule prompt field', d.rulePrompts.map((x) => x.name));
  check('datatable', d.datatables.map((x) => x.name));
  check('task', d.tasks.map((x) => x.programmaticName));
  check('task name', d.tasks.map((x) => x.name), false);
  check('phase', d.phases.map((x) => x.name), false);
  check('rule', d.rules.map((x) => x.name), false);
  check('workflow', d.workflows.map((x) => x.programmaticName));
  check('workflow name', d.workflows.map((x) => x.name), false);
  for (const t of d.datatables) {
    check(`column of datatable '${t.name}'`, t.columns.map((c) => c.name));
    if (t.name === 'incident') p(`datatable 'incident' would shadow the incident object`);
  }

  const allFields: Array<[string, FieldDef]> = [
    ...d.functionInputs.map((f): [string, FieldDef] => [`function input field '${f.name}'`, f]),
    ...d.incidentFields.map((f): [string, FieldDef] => [`incident field '${f.name}'`, f]),
    ...d.rulePrompts.map((f): [string, FieldDef] => [`rule prompt field '${f.name}'`, f]),
    ...d.datatables.flatMap((t) => t.columns.map((c): [string, FieldDef] => [`column '${t.name}.${c.name}'`, c])),
  ];
  for (const [what, f] of allFields) {
    const choice = f.inputType === 'select' || f.inputType === 'multiselect';
    if (choice && (!f.values || f.values.length === 0)) p(`${what} is a ${f.inputType} without values`);
    if (!choice && f.values) p(`${what} has values but is a ${f.inputType}`);
    if (f.values) for (const dup of duplicates(f.values)) p(`${what} has the value '${dup}' more than once`);
    if (f.tooltip.trim() === '') p(`${what} has no tooltip`);
  }

  const destinations = new Set(d.destinations.map((x) => x.programmaticName));
  const inputs = new Map(d.functionInputs.map((f) => [f.name, f]));
  const functions = new Map(d.functions.map((f) => [f.name, f]));
  const incidentFields = new Set(d.incidentFields.map((f) => f.name));
  const prompts = new Set(d.rulePrompts.map((f) => f.name));
  const datatables = new Map(d.datatables.map((t) => [t.name, t]));
  const workflows = new Map(d.workflows.map((w) => [w.programmaticName, w]));
  const phases = new Set(d.phases.map((x) => x.name));
  const objectExists = (o: string): boolean => o === 'incident' || datatables.has(o);

  for (const f of d.functions) {
    if (!destinations.has(f.destination)) p(`function '${f.name}': message destination '${f.destination}' does not exist`);
    for (const i of f.inputs) if (!inputs.has(i)) p(`function '${f.name}': input field '__function/${i}' does not exist`);
    for (const dup of duplicates(f.inputs)) p(`function '${f.name}' lists input '${dup}' more than once`);
  }
  const usedInputs = new Set(d.functions.flatMap((f) => f.inputs));
  for (const i of d.functionInputs) if (!usedInputs.has(i.name)) p(`function input field '${i.name}' is not an input of any function`);

  const rulesOf = new Map<string, RuleDef[]>();
  for (const r of d.rules) {
    const what = `rule '${r.name}'`;
    if (!objectExists(r.object)) p(`${what}: object type '${r.object}' is neither 'incident' nor a datatable of this app`);
    if (r.workflows.length === 0) p(`${what} runs no workflow`);
    for (const wn of r.workflows) {
      const w = workflows.get(wn);
      if (!w) {
        p(`${what}: workflow '${wn}' does not exist`);
        continue;
      }
      if (w.object !== r.object) p(`${what} is on '${r.object}' but its workflow '${wn}' is on '${w.object}'`);
      rulesOf.set(wn, [...(rulesOf.get(wn) ?? []), r]);
    }
    if (r.type === 'automatic' && r.conditions.length === 0) p(`${what} is automatic but has no condition: it would fire on every change`);
    if (r.type === 'automatic' && r.prompts && r.prompts.length > 0) p(`${what} is automatic and cannot prompt`);
    for (const pr of r.prompts ?? []) if (!prompts.has(pr)) p(`${what}: prompt field 'actioninvocation/${pr}' does not exist`);
    for (const c of r.conditions) {
      if (!CONDITION_METHODS.has(c.method)) p(`${what}: unknown condition method '${c.method}'`);
      if (OBJECT_EVENT_METHODS.has(c.method)) {
        if (c.field !== null) p(`${what}: condition '${c.method}' takes no field`);
        continue;
      }
      if (c.field === null) {
        p(`${what}: condition '${c.method}' needs a field`);
        continue;
      }
      const [head, ...rest] = c.field.split('.');
      if (head === 'incident') {
        if (rest[0] === 'properties' && (rest.length !== 2 || !incidentFields.has(rest[1]!))) {
          p(`${what}: condition field '${c.field}' is not an incident field of this app`);
        }
      } else if (head !== undefined && datatables.has(head)) {
        if (head !== r.object) p(`${what}: condition field '${c.field}' is on '${head}', the rule on '${r.object}'`);
        if (rest.length !== 1 || !datatables.get(head)!.columns.some((col) => col.name === rest[0])) {
          p(`${what}: condition field '${c.field}' is not a column of datatable '${head}'`);
        }
      } else {
        p(`${what}: condition field '${c.field}' names neither the incident nor a datatable of this app`);
      }
    }
  }

  for (const w of d.workflows) {
    const what = `workflow '${w.programmaticName}'`;
    if (!objectExists(w.object)) p(`${what}: object type '${w.object}' is neither 'incident' nor a datatable of this app`);
    const rules = rulesOf.get(w.programmaticName) ?? [];
    if (rules.length === 0) p(`${what} is run by no rule`);
    if (w.steps.length === 0) p(`${what} has no step`);
    w.steps.forEach((s, i) => validateStep(w, s, i, { functions, inputs, incidentFields, datatables, rules }, p));
  }

  for (const t of d.tasks) if (!phases.has(t.phase)) p(`task '${t.programmaticName}': phase '${t.phase}' does not exist`);
  return problems;
}

interface StepContext {
  functions: Map<string, Definitions['functions'][number]>;
  inputs: Map<string, FieldDef>;
  incidentFields: Set<string>;
  datatables: Map<string, Definitions['datatables'][number]>;
  rules: readonly RuleDef[];
}

function validateStep(w: WorkflowDef, s: WorkflowStepDef, index: number, ctx: StepContext, p: (m: string) => void): void {
  const what = `workflow '${w.programmaticName}' step ${index + 1} (${s.function})`;
  const fn = ctx.functions.get(s.function);
  if (!fn) {
    p(`${what}: function '${s.function}' does not exist`);
    return;
  }
  const assigned = new Set<string>();
  try {
    for (const a of parsePreProcessingScript(s.pre.join('\n'))) {
      if (!fn.inputs.includes(a.input)) p(`${what}: pre-processing sets 'inputs.${a.input}', not an input of '${fn.name}'`);
      if (assigned.has(a.input)) p(`${what}: pre-processing sets 'inputs.${a.input}' twice`);
      assigned.add(a.input);
      const e = a.expr;
      if (e.kind === 'incident_property' && !ctx.incidentFields.has(e.field)) {
        p(`${what}: 'incident.properties.${e.field}' is not an incident field of this app`);
      } else if (e.kind === 'row') {
        const table = ctx.datatables.get(w.object);
        if (!table) p(`${what}: 'row.${e.column}' in a workflow on '${w.object}', not on a datatable row`);
        else if (!table.columns.some((c) => c.name === e.column)) p(`${what}: 'row.${e.column}' is not a column of '${table.name}'`);
      } else if (e.kind === 'rule_property') {
        const without = ctx.rules.filter((r) => !(r.prompts ?? []).includes(e.field));
        if (ctx.rules.length === 0 || without.length > 0) {
          p(`${what}: 'rule.properties.${e.field}' is not a prompt of ${without.map((r) => `rule '${r.name}'`).join(', ') || 'any rule running it'}`);
        }
      }
    }
    checkPostProcessingScript(s.post.join('\n'));
  } catch (err) {
    if (!(err instanceof ScriptSyntaxError)) throw err;
    p(`${what}: script outside the supported subset, ${err.message}`);
  }
  for (const [name, value] of Object.entries(s.staticInputs ?? {})) {
    const field = ctx.inputs.get(name);
    if (!fn.inputs.includes(name) || !field) p(`${what}: static input '${name}' is not an input of '${fn.name}'`);
    else if (!staticMatches(field.inputType, value)) p(`${what}: static input '${name}' (${field.inputType}) cannot be ${JSON.stringify(value)}`);
    if (assigned.has(name)) p(`${what}: input '${name}' is both static and set by the pre-processing script`);
  }
}

// ---------------------------------------------------------------------------------------------
// Building

function exportKeyOf(kind: 'function' | 'incident' | 'actioninvocation', name: string): string {
  return `${kind === 'function' ? '__function' : kind}/${name}`;
}

function fieldUuid(exportKey: string, def?: FieldDef): string {
  return def?.uuid ?? stableUuid('field', exportKey);
}

/** A field with `id` 0 and value ids 0: numberField() numbers them once the fields are in order. */
function exportField(def: FieldDef, exportKey: string, typeId: number, prefix: 'properties' | null): ExportField {
  const values: ExportFieldValue[] = (def.values ?? []).map((label) => ({
    default: false,
    enabled: true,
    hidden: false,
    label,
    properties: null,
    uuid: stableUuid('field_value', `${exportKey}/${label}`),
    value: 0,
  }));
  return {
    allow_default_value: false,
    blank_option: def.blankOption ?? false,
    calculated: false,
    changeable: true,
    chosen: false,
    default_chosen_by_server: false,
    deprecated: false,
    export_key: exportKey,
    hide_notification: false,
    id: 0,
    input_type: def.inputType,
    internal: false,
    is_tracked: false,
    name: def.name,
    operation_perms: {},
    operations: [],
    placeholder: def.placeholder ?? '',
    prefix,
    read_only: false,
    ...(def.required ? { required: def.required } : {}),
    rich_text: def.richText ?? false,
    tags: [],
    templates: [],
    text: def.label,
    tooltip: def.tooltip,
    type_id: typeId,
    uuid: fieldUuid(exportKey, def),
    values,
  };
}

function viewItem(uuid: string, fieldType: ViewItem['field_type']): ViewItem {
  return { content: uuid, element: 'field_uuid', field_type: fieldType, show_if: null, show_link_header: false, step_label: null };
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

function staticInputJson(type: FieldInputType, value: StaticInput): ExportJson {
  switch (type) {
    case 'textarea':
      return { multiselect_value: [], text_content_value: { content: String(value), format: 'text' } };
    case 'number':
      return { multiselect_value: [], number_value: value };
    case 'boolean':
      return { boolean_value: value, multiselect_value: [] };
    default:
      return { multiselect_value: [], text_value: value };
  }
}

/** The JSON SOAR keeps inside `<resilient:function>` for one step. */
function stepPayload(s: WorkflowStepDef, d: Definitions): string {
  const fieldsByName = new Map(d.functionInputs.map((f) => [f.name, f]));
  const inputs: Record<string, ExportJson> = {};
  for (const [name, value] of Object.entries(s.staticInputs ?? {})) {
    const def = fieldsByName.get(name);
    if (!def) continue;
    inputs[fieldUuid(exportKeyOf('function', name), def)] = { input_type: 'static', static_input: staticInputJson(def.inputType, value) };
  }
  return JSON.stringify(sortKeys({
    inputs,
    post_processing_script: s.post.join('\n'),
    post_processing_script_language: 'python3',
    pre_processing_script: s.pre.join('\n'),
    pre_processing_script_language: 'python3',
    result_name: s.resultName,
  }));
}

/** The BPMN XML of one workflow: the content of `workflows/<programmatic_name>.bpmn`. */
function renderWorkflow(w: WorkflowDef, d: Definitions = DEFINITIONS): string {
  const fns = new Map(d.functions.map((f) => [f.name, f]));
  return renderBpmn({
    id: w.programmaticName,
    name: w.name,
    documentation: w.description,
    tasks: w.steps.map((s) => ({
      name: fns.get(s.function)?.displayName ?? s.function,
      functionUuid: stableUuid('function', s.function),
      payload: stepPayload(s, d),
    })),
  });
}

/** The files of workflows/ (path relative to the repository root -> content). */
export function workflowFiles(d: Definitions = DEFINITIONS): Array<{ path: string; content: string }> {
  return [...d.workflows]
    .sort(byKey((w) => w.programmaticName))
    .map((w) => ({ path: `${WORKFLOWS_DIR}/${w.programmaticName}.bpmn`, content: renderWorkflow(w, d) }));
}

/** The export.res object; throws DefinitionError when the definitions do not hold together. */
export function buildExport(d: Definitions = DEFINITIONS): ExportRes {
  const problems = validateDefinitions(d);
  if (problems.length > 0) throw new DefinitionError(problems);

  // Ids (the exporting org's, which SOAR ignores on import) are numbered in output order.
  let fieldId = 0;
  let valueId = 0;
  const numberField = <F extends ExportField>(f: F): F => {
    f.id = ++fieldId;
    for (const v of f.values) v.value = ++valueId;
    return f;
  };

  const fields: ExportField[] = [
    ...d.functionInputs.map((f) => exportField(f, exportKeyOf('function', f.name), FieldTypeId.Function, null)),
    ...d.incidentFields.map((f) => exportField(f, exportKeyOf('incident', f.name), FieldTypeId.Incident, 'properties')),
    ...d.rulePrompts.map((f) => exportField(f, exportKeyOf('actioninvocation', f.name), FieldTypeId.ActionInvocation, 'properties')),
  ].sort(byKey((f) => f.export_key)).map(numberField);

  const types: ExportDatatable[] = [...d.datatables].sort(byKey((t) => t.name)).map((t) => {
    const columns: Record<string, ExportColumn> = {};
    t.columns.forEach((c, order) => {
      const f = exportField(c, `${t.name}/${c.name}`, DATATABLE_COLUMN_TYPE_ID, null);
      columns[c.name] = numberField({ ...f, order, width: c.width });
    });
    return {
      actions: [],
      display_name: t.displayName,
      export_key: t.name,
      fields: columns,
      for_actions: d.rules.some((r) => r.object === t.name),
      for_custom_fields: false,
      for_notifications: false,
      for_workflows: d.workflows.some((w) => w.object === t.name),
      id: null,
      parent_types: ['incident'],
      properties: { can_create: t.canCreate, can_destroy: t.canDestroy, for_who: [] },
      scripts: [],
      tags: [],
      type_id: 8,
      type_name: t.name,
      uuid: stableUuid('datatable', t.name),
    };
  });

  const workflowsSorted = [...d.workflows].sort(byKey((w) => w.programmaticName));
  const workflowId = new Map(workflowsSorted.map((w, i) => [w.programmaticName, i + 1]));
  const workflows: ExportWorkflow[] = workflowsSorted.map((w) => ({
    actions: [],
    content: { version: 1, workflow_id: w.programmaticName, xml: renderWorkflow(w, d) },
    content_version: 1,
    description: w.description,
    export_key: w.programmaticName,
    last_modified_by: AUTHOR,
    last_modified_time: EXPORT_DATE,
    name: w.name,
    object_type: w.object,
    programmatic_name: w.programmaticName,
    tags: [],
    uuid: stableUuid('workflow', w.programmaticName),
    workflow_id: workflowId.get(w.programmaticName)!,
  }));

  const inputDefs = new Map(d.functionInputs.map((f) => [f.name, f]));
  const principal = { display_name: AUTHOR, id: 0, name: AUTHOR, type: 'apikey' } as const;
  const functions: ExportFunction[] = [...d.functions].sort(byKey((f) => f.name)).map((f, i) => ({
    created_date: EXPORT_DATE,
    description: { content: f.description, format: 'text' },
    destination_handle: f.destination,
    display_name: f.displayName,
    export_key: f.name,
    id: i + 1,
    last_modified_by: { ...principal },
    last_modified_time: EXPORT_DATE,
    name: f.name,
    output_description: { content: f.outputDescription ?? null, format: 'text' },
    tags: [],
    uuid: stableUuid('function', f.name),
    version: 1,
    view_items: f.inputs.map((name) => viewItem(fieldUuid(exportKeyOf('function', name), inputDefs.get(name)), '__function')),
    workflows: workflowsSorted
      .filter((w) => w.steps.some((s) => s.function === f.name))
      .map((w): ExportFunctionWorkflowRef => ({
        actions: [],
        description: null,
        name: w.name,
        object_type: w.object,
        programmatic_name: w.programmaticName,
        tags: [],
        uuid: null,
        workflow_id: workflowId.get(w.programmaticName)!,
      })),
  }));

  const promptDefs = new Map(d.rulePrompts.map((f) => [f.name, f]));
  const actions: ExportAction[] = [...d.rules].sort(byKey((r) => r.name)).map((r, i) => ({
    automations: [],
    conditions: r.conditions.map((c) => ({ evaluation_id: null, field_name: c.field, method: c.method, type: null, value: c.value ?? null })),
    enabled: true,
    export_key: r.name,
    id: i + 1,
    logic_type: r.logic,
    message_destinations: [],
    name: r.name,
    object_type: r.object,
    tags: [],
    timeout_seconds: 86400,
    type: r.type === 'automatic' ? 0 : 1,
    uuid: stableUuid('rule', r.name),
    view_items: (r.prompts ?? []).map((name) => viewItem(fieldUuid(exportKeyOf('actioninvocation', name), promptDefs.get(name)), 'actioninvocation')),
    workflows: [...r.workflows],
  }));

  const message_destinations: ExportMessageDestination[] = [...d.destinations].sort(byKey((m) => m.programmaticName)).map((m) => ({
    api_keys: [],
    destination_type: m.destinationType,
    expect_ack: m.expectAck,
    export_key: m.programmaticName,
    name: m.name,
    programmatic_name: m.programmaticName,
    tags: [],
    users: [],
    uuid: stableUuid('message_destination', m.programmaticName),
  }));

  const automatic_tasks: ExportAutomaticTask[] = [...d.tasks].sort(byKey((t) => t.programmaticName)).map((t) => ({
    associated_actions: null,
    category_id: null,
    date_source_handle: 'incident.discovered_date',
    deleted: false,
    due_date_offset: 0,
    due_date_units: null,
    enabled: true,
    export_key: t.programmaticName,
    form: null,
    id: 0,
    instructions: t.instructions,
    name: t.name,
    optional: t.optional,
    phase_id: t.phase,
    programmatic_name: t.programmaticName,
    tags: [],
    task_layout: [],
    uuid: stableUuid('task', t.programmaticName),
  }));

  const phases: ExportPhase[] = [...d.phases].sort(byKey((x) => x.name)).map((x) => ({
    enabled: true,
    export_key: x.name,
    id: 0,
    name: x.name,
    order: x.order,
    perms: null,
    tags: [],
    uuid: x.uuid,
  }));

  return {
    action_order: [],
    actions,
    apps: [],
    automatic_tasks,
    case_matching_profiles: [],
    export_date: EXPORT_DATE,
    export_format_version: 2,
    export_type: null,
    fields,
    functions,
    geos: null,
    groups: null,
    id: 1,
    inbound_destinations: [],
    inbound_mailboxes: null,
    incident_artifact_types: [],
    incident_types: [],
    industries: null,
    layouts: [],
    locale: null,
    message_destinations,
    notifications: null,
    overrides: [],
    phases,
    playbooks: [],
    regulators: null,
    roles: [],
    scripts: [],
    server_version: { ...SERVER_VERSION },
    tags: [],
    task_order: [],
    timeframes: null,
    types,
    workflows,
    workspaces: [],
  };
}

/** A copy of a JSON value with every object's keys in code-point order (as SOAR's exports). */
function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

/** export.res text: sorted keys, two-space indentation, a final newline. */
export function serializeExport(e: ExportRes): string {
  return `${JSON.stringify(sortKeys(e), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Summary for other code

export interface CustomizationSummary {
  /** Programmatic name of the message destination the functions use. */
  readonly destination: string;
  readonly functions: readonly { readonly name: string; readonly display_name: string; readonly inputs: readonly string[] }[];
  /** API names of the datatables. */
  readonly datatables: readonly string[];
  /** API names of the incident custom fields (without `properties.`). */
  readonly incidentFields: readonly string[];
  /** `object`: `incident` or the API name of a datatable (`clearing_distribution`). */
  readonly rules: readonly { readonly name: string; readonly type: 'automatic' | 'menu'; readonly object: string }[];
  /** Programmatic names of the workflows. */
  readonly workflows: readonly string[];
  /** Programmatic names of the task templates. */
  readonly tasks: readonly string[];
}

export function summarize(d: Definitions): CustomizationSummary {
  const freeze = <T>(list: T[]): readonly T[] => Object.freeze(list);
  return Object.freeze({
    destination: d.destinations[0]?.programmaticName ?? '',
    functions: freeze(d.functions.map((f) => Object.freeze({ name: f.name, display_name: f.displayName, inputs: freeze([...f.inputs]) }))),
    datatables: freeze(d.datatables.map((t) => t.name)),
    incidentFields: freeze(d.incidentFields.map((f) => f.name)),
    rules: freeze(d.rules.map((r) => Object.freeze({ name: r.name, type: r.type, object: r.object }))),
    workflows: freeze(d.workflows.map((w) => w.programmaticName)),
    tasks: freeze(d.tasks.map((t) => t.programmaticName)),
  });
}

/** What soar-clearing installs, in brief (from the same definitions as the export). */
export const customization: CustomizationSummary = summarize(DEFINITIONS);
