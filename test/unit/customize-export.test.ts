/**
 * The export.res builder; against IBM's sample exports (resilient-sdk's test data, from the
 * reference directory beside the repo, skipped without it): same sections, for every object kind the keys real objects of that kind carry (computed from
 * the samples here, never hard-coded), the export key conventions, referential integrity, and
 * byte-for-byte reproducible output.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import {
  buildExport,
  customization,
  DefinitionError,
  serializeExport,
  summarize,
  type ExportRes,
} from '../../customize/build.js';
import { DEFINITIONS } from '../../customize/definitions.js';
import type { Definitions } from '../../customize/model.js';
import { isUuid, NAMESPACE, stableUuid, uuidV5 } from '../../customize/uuid.js';
import { functions as servedFunctions } from '../../functions/index.js';
import { readReferenceJson, referencePath, withoutReference } from '../support/reference.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };


const needsExports = { skip: withoutReference('soar', 'exports') };

function loadSamples(): Obj[] {
  const files = readdirSync(referencePath('soar', 'exports')).filter((f) => f.endsWith('.res')).sort();
  assert.ok(files.length > 0, `no .res file in ${referencePath('soar', 'exports')}`);
  return files.map((f) => readReferenceJson<Obj>('soar', 'exports', f));
}

const samples: Obj[] = needsExports.skip ? [] : loadSamples();
const built: ExportRes = buildExport();
/** The export as plain JSON, as SOAR receives it. */
const ours = JSON.parse(serializeExport(built)) as Obj;

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(o: Obj, key: string): Obj[] {
  const v = o[key];
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function kindOf(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * Compares our objects of one kind with the real ones: every key all real objects carry is
 * present, no key unknown to the real objects appears, and a key's JSON type matches the types
 * real objects use for it (null allowed where a real object has null).
 */
function compareKind(kind: string, real: readonly Obj[], mine: readonly Obj[]): void {
  assert.ok(real.length > 0, `${kind}: no real object to compare with`);
  assert.ok(mine.length > 0, `${kind}: we export none`);
  const required = real.map((o) => new Set(Object.keys(o))).reduce((a, b) => new Set([...a].filter((k) => b.has(k))));
  const known = new Set(real.flatMap((o) => Object.keys(o)));
  const types = new Map<string, Set<string>>();
  for (const o of real) for (const [k, v] of Object.entries(o)) types.set(k, (types.get(k) ?? new Set()).add(kindOf(v)));
  for (const o of mine) {
    const name = String(o['export_key'] ?? o['name'] ?? o['programmatic_name'] ?? o['content'] ?? '?');
    for (const k of required) assert.ok(k in o, `${kind} '${name}': missing key '${k}' that every real ${kind} has`);
    for (const [k, v] of Object.entries(o)) {
      assert.ok(known.has(k), `${kind} '${name}': key '${k}' is in no real ${kind}`);
      const allowed = types.get(k)!;
      assert.ok(allowed.has(kindOf(v)) || (kindOf(v) === 'null' && allowed.size > 0 && k !== 'uuid' && k !== 'export_key'),
        `${kind} '${name}': '${k}' is ${kindOf(v)}, real ones have ${[...allowed].join('/')}`);
    }
  }
}

const realFields = samples.flatMap((s) => list(s, 'fields')).filter((f) => f['internal'] !== true);
const realColumns = samples.flatMap((s) => list(s, 'types')).flatMap((t) => (isObj(t['fields']) ? Object.values(t['fields']).filter(isObj) : []));
const ourColumns = list(ours, 'types').flatMap((t) => (isObj(t['fields']) ? Object.values(t['fields']).filter(isObj) : []));

test('the same build twice gives identical bytes; object order in the definitions does not matter', () => {
  const a = serializeExport(buildExport());
  const b = serializeExport(buildExport());
  assert.equal(a, b);
  assert.equal(a, serializeExport(built));
  const shuffled: Definitions = {
    ...DEFINITIONS,
    functions: [...DEFINITIONS.functions].reverse(),
    functionInputs: [...DEFINITIONS.functionInputs].reverse(),
    incidentFields: [...DEFINITIONS.incidentFields].reverse(),
    rules: [...DEFINITIONS.rules].reverse(),
    workflows: [...DEFINITIONS.workflows].reverse(),
    tasks: [...DEFINITIONS.tasks].reverse(),
  };
  assert.equal(serializeExport(buildExport(shuffled)), a);
  assert.ok(a.endsWith('}\n'));
});

test('the top-level sections are those of the real exports, empty or null as theirs are', needsExports, () => {
  const realKeys = new Set(samples.flatMap((s) => Object.keys(s)));
  assert.deepEqual(Object.keys(ours).sort(), [...realKeys].sort());
  assert.equal(ours['export_format_version'], 2);
  for (const key of realKeys) {
    const realKinds = new Set(samples.filter((s) => key in s).map((s) => kindOf(s[key]!)));
    assert.ok(realKinds.has(kindOf(ours[key]!)), `section '${key}' is ${kindOf(ours[key]!)}, real exports have ${[...realKinds].join('/')}`);
  }
  assert.equal(typeof ours['export_date'], 'number');
});

test('every object kind carries the keys real objects of that kind carry', needsExports, () => {
  for (const section of ['functions', 'message_destinations', 'actions', 'workflows', 'automatic_tasks', 'phases', 'types']) {
    compareKind(section, samples.flatMap((s) => list(s, section)), list(ours, section));
  }
  compareKind('function input field', realFields.filter((f) => String(f['export_key']).startsWith('__function/')),
    list(ours, 'fields').filter((f) => String(f['export_key']).startsWith('__function/')));
  compareKind('incident field', realFields.filter((f) => String(f['export_key']).startsWith('incident/')),
    list(ours, 'fields').filter((f) => String(f['export_key']).startsWith('incident/')));
  // The reference exports hold no rule prompt; prompts are fields like the others.
  compareKind('rule prompt field', realFields, list(ours, 'fields').filter((f) => String(f['export_key']).startsWith('actioninvocation/')));
  compareKind('datatable column', realColumns, ourColumns);
  compareKind('select value', [...realFields, ...realColumns].flatMap((f) => list(f, 'values')),
    [...list(ours, 'fields'), ...ourColumns].flatMap((f) => list(f, 'values')));
  compareKind('function view item', samples.flatMap((s) => list(s, 'functions')).flatMap((f) => list(f, 'view_items')),
    list(ours, 'functions').flatMap((f) => list(f, 'view_items')));
  compareKind('function workflow reference', samples.flatMap((s) => list(s, 'functions')).flatMap((f) => list(f, 'workflows')),
    list(ours, 'functions').flatMap((f) => list(f, 'workflows')));
  compareKind('rule condition', samples.flatMap((s) => list(s, 'actions')).flatMap((a) => list(a, 'conditions')),
    list(ours, 'actions').flatMap((a) => list(a, 'conditions')));
  const content = (o: Obj): Obj[] => (isObj(o['content']) ? [o['content']] : []);
  compareKind('workflow content', samples.flatMap((s) => list(s, 'workflows')).flatMap(content), list(ours, 'workflows').flatMap(content));
});

test('every object has an export_key and a uuid; uuids are unique and stable', () => {
  const objects = ['functions', 'message_destinations', 'actions', 'workflows', 'automatic_tasks', 'phases', 'types', 'fields']
    .flatMap((s) => list(ours, s));
  const uuids = [...objects, ...ourColumns].map((o) => {
    assert.equal(typeof o['export_key'], 'string', JSON.stringify(o).slice(0, 80));
    assert.ok(typeof o['uuid'] === 'string' && isUuid(o['uuid']), `bad uuid in ${String(o['export_key'])}`);
    return o['uuid'];
  });
  assert.equal(new Set(uuids).size, uuids.length, 'uuids are unique');
  assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
  assert.equal(stableUuid('function', 'clearing_ping'), uuidV5(NAMESPACE, 'function:clearing_ping'));
  const ping = built.functions.find((f) => f.name === 'clearing_ping');
  assert.equal(ping?.uuid, stableUuid('function', 'clearing_ping'));
});

test('fields use the export key prefixes, type ids and prefixes of their kind', () => {
  const byPrefix = { '__function/': [11, null], 'incident/': [0, 'properties'], 'actioninvocation/': [6, 'properties'] } as const;
  for (const f of built.fields) {
    const entry = Object.entries(byPrefix).find(([p]) => f.export_key.startsWith(p));
    assert.ok(entry, `field ${f.export_key} has no known prefix`);
    const [prefix, [typeId, fieldPrefix]] = entry;
    assert.equal(f.name, f.export_key.slice(prefix.length));
    assert.equal(f.type_id, typeId, f.export_key);
    assert.equal(f.prefix, fieldPrefix, f.export_key);
    assert.ok(f.tooltip.length > 0, `${f.export_key} explains itself`);
  }
  const keys = built.fields.map((f) => f.export_key);
  for (const k of ['__function/incident_id', '__function/clearing_ping_message', '__function/clearing_ping_delay_ms',
    '__function/clearing_brand', '__function/clearing_reason', '__function/clearing_dry_run',
    'incident/clearing_origin_brand', 'incident/clearing_origin_incident_id', 'incident/clearing_shared_with',
    'incident/clearing_priority_score', 'incident/clearing_priority_explanation', 'actioninvocation/clearing_config_reason']) {
    assert.ok(keys.includes(k), `${k} is exported`);
  }
  const type = (k: string): string | undefined => built.fields.find((f) => f.export_key === k)?.input_type;
  assert.equal(type('__function/incident_id'), 'number');
  assert.equal(type('__function/clearing_ping_message'), 'text');
  assert.equal(type('__function/clearing_ping_delay_ms'), 'number');
  assert.equal(type('__function/clearing_dry_run'), 'boolean');
  assert.equal(type('incident/clearing_priority_score'), 'number');
  assert.equal(type('incident/clearing_priority_explanation'), 'textarea');
  assert.deepEqual([...keys].sort(), keys, 'fields are sorted by export key');
});

test('the distribution datatable: type 8 on incidents, with its columns', () => {
  assert.equal(built.types.length, 1);
  const t = built.types[0]!;
  assert.equal(t.type_name, 'clearing_distribution');
  assert.equal(t.export_key, 'clearing_distribution');
  assert.equal(t.type_id, 8);
  assert.deepEqual(t.parent_types, ['incident']);
  const cols = Object.values(t.fields).sort((a, b) => a.order - b.order);
  assert.deepEqual(cols.map((c) => [c.name, c.input_type]), [
    ['brand', 'text'], ['read_only', 'boolean'], ['distribute', 'boolean'], ['status', 'select'],
    ['remote_incident_id', 'text'], ['last_update', 'datetimepicker'], ['message', 'text'],
  ]);
  for (const c of cols) assert.equal(c.export_key, `clearing_distribution/${c.name}`);
  const status = t.fields['status']!;
  assert.equal(status.blank_option, true);
  assert.deepEqual(status.values.map((v) => v.label), ['Pending', 'Undelivered', 'Acknowledged', 'Not Acknowledged', 'Resolved', 'Informational']);
  assert.equal(new Set(status.values.map((v) => v.value)).size, status.values.length);
});

test('functions: destination fn_clearing, inputs that exist, as the summary and the served functions say', () => {
  assert.deepEqual(built.message_destinations.map((m) => [m.programmatic_name, m.destination_type, m.expect_ack]), [['fn_clearing', 0, true]]);
  const fieldByUuid = new Map(built.fields.map((f) => [f.uuid, f]));
  for (const f of built.functions) {
    assert.equal(f.destination_handle, 'fn_clearing', f.name);
    assert.ok(f.description.content && f.description.content.length > 20, `${f.name} is described`);
    for (const v of f.view_items) {
      const field = fieldByUuid.get(v.content);
      assert.ok(field, `${f.name}: view item ${v.content} is an exported field`);
      assert.ok(field.export_key.startsWith('__function/'), `${f.name}: ${field.export_key} is a function input`);
    }
    const summary = customization.functions.find((s) => s.name === f.name);
    assert.deepEqual(f.view_items.map((v) => fieldByUuid.get(v.content)?.name), summary?.inputs);
  }
  assert.deepEqual(built.functions.map((f) => f.name).sort(), [
    'clearing_assess_priority', 'clearing_distribute_configuration', 'clearing_distribute_incident',
    'clearing_involve_group_coordination', 'clearing_ping', 'clearing_share_incident',
  ]);
  // Every function the worker serves is defined, with the inputs its schema reads.
  for (const served of servedFunctions) {
    const def = customization.functions.find((f) => f.name === served.name);
    assert.ok(def, `served function ${served.name} is in the customization`);
    const props = Object.keys((served.inputSchema['properties'] ?? {}) as Record<string, unknown>).sort();
    assert.deepEqual([...def.inputs].sort(), props, `${served.name}: customization inputs = schema properties`);
  }
});

test('rules: automatic and menu items on incidents and on distribution rows, each naming existing workflows', () => {
  const workflows = new Map(built.workflows.map((w) => [w.programmatic_name, w]));
  const fieldByUuid = new Map(built.fields.map((f) => [f.uuid, f]));
  for (const a of built.actions) {
    assert.ok(a.type === 0 || a.type === 1, a.name);
    assert.ok(a.object_type === 'incident' || a.object_type === 'clearing_distribution', a.name);
    assert.ok(a.workflows.length > 0, `${a.name} runs a workflow`);
    for (const wn of a.workflows) {
      const w = workflows.get(wn);
      assert.ok(w, `${a.name}: workflow ${wn} exists`);
      assert.equal(w.object_type, a.object_type, `${a.name}: workflow ${wn} is on the rule's object`);
    }
    for (const v of a.view_items) {
      assert.equal(v.field_type, 'actioninvocation');
      assert.ok(fieldByUuid.get(v.content)?.export_key.startsWith('actioninvocation/'), `${a.name}: prompt ${v.content} exists`);
    }
    if (a.type === 0) assert.ok(a.conditions.length > 0, `${a.name}: automatic rules have conditions`);
  }
  const rule = (name: string): ExportRes['actions'][number] => {
    const r = built.actions.find((x) => x.name === name);
    assert.ok(r, `rule '${name}' exists`);
    return r;
  };
  const igc = rule('Clearing: involve group coordination');
  assert.equal(igc.type, 0);
  assert.equal(igc.object_type, 'incident');
  assert.ok(igc.conditions.some((c) => c.method === 'object_added' && c.field_name === null));
  const changed = rule('Clearing: distribution table changed');
  assert.equal(changed.type, 0);
  assert.equal(changed.object_type, 'clearing_distribution');
  assert.equal(changed.logic_type, 'any');
  assert.deepEqual(changed.conditions.map((c) => [c.field_name, c.method]).sort(),
    [['clearing_distribution.distribute', 'changed'], ['clearing_distribution.read_only', 'changed']]);
  for (const name of ['Clearing: share now', 'Clearing: distribute now', 'Clearing: assess priority', 'Clearing: distribute configuration']) {
    const r = rule(name);
    assert.equal(r.type, 1, name);
    assert.equal(r.object_type, 'incident', name);
  }
  const toBrand = rule('Clearing: distribute to this brand');
  assert.equal(toBrand.type, 1);
  assert.equal(toBrand.object_type, 'clearing_distribution');
  assert.equal(rule('Clearing: distribute configuration').view_items.length, 2);
  assert.deepEqual(customization.rules.map((r) => [r.name, r.type, r.object]).sort(),
    built.actions.map((a) => [a.name, a.type === 0 ? 'automatic' : 'menu', a.object_type]).sort());
});

test('task templates, phase and summary', () => {
  assert.deepEqual(built.automatic_tasks.map((t) => t.name).sort(), ['Acknowledge received incident', 'Involve Group Coordination']);
  const igc = built.automatic_tasks.find((t) => t.name === 'Involve Group Coordination')!;
  assert.match(igc.instructions, /Clearing: Distribution/);
  assert.match(igc.instructions, /Share read-only/);
  assert.match(igc.instructions, /Distribute/);
  const phases = new Set(built.phases.map((p) => p.name));
  for (const t of built.automatic_tasks) assert.ok(phases.has(t.phase_id), `${t.name}: phase ${t.phase_id} is exported`);
  assert.equal(customization.destination, 'fn_clearing');
  assert.deepEqual(customization.datatables, ['clearing_distribution']);
  assert.deepEqual([...customization.incidentFields].sort(), built.fields.filter((f) => f.type_id === 0).map((f) => f.name).sort());
  assert.deepEqual([...customization.workflows].sort(), built.workflows.map((w) => w.programmatic_name));
  assert.deepEqual([...customization.tasks].sort(), built.automatic_tasks.map((t) => t.programmatic_name));
  assert.ok(Object.isFrozen(customization) && Object.isFrozen(customization.functions));
});

// ---- broken definitions

function broken(change: (d: Definitions) => Definitions): DefinitionError {
  try {
    buildExport(change(DEFINITIONS));
  } catch (err) {
    assert.ok(err instanceof DefinitionError, `a DefinitionError, got ${String(err)}`);
    return err;
  }
  assert.fail('the build should have thrown');
}

test('a rule naming a missing workflow makes the build throw a clear error', () => {
  const err = broken((d) => ({
    ...d,
    rules: d.rules.map((r) => (r.name === 'Clearing: share now' ? { ...r, workflows: ['wf_clearing_nowhere'] } : r)),
  }));
  assert.match(err.message, /rule 'Clearing: share now': workflow 'wf_clearing_nowhere' does not exist/);
  // ... and the workflow that rule used to run is now run by none
  assert.match(err.message, /workflow 'wf_clearing_share_now' is run by no rule/);
});

test('every kind of dangling reference is named', () => {
  const cases: Array<[string, (d: Definitions) => Definitions, RegExp]> = [
    ['destination', (d) => ({ ...d, destinations: [] }), /function 'clearing_ping': message destination 'fn_clearing' does not exist/],
    ['function input', (d) => ({ ...d, functionInputs: d.functionInputs.filter((f) => f.name !== 'clearing_brand') }),
      /function 'clearing_distribute_incident': input field '__function\/clearing_brand' does not exist/],
    ['workflow function', (d) => ({ ...d, functions: d.functions.filter((f) => f.name !== 'clearing_assess_priority') }),
      /workflow 'wf_clearing_assess_priority' step 1 \(clearing_assess_priority\): function 'clearing_assess_priority' does not exist/],
    ['rule object', (d) => ({ ...d, datatables: [] }),
      /rule 'Clearing: distribution table changed': object type 'clearing_distribution' is neither 'incident' nor a datatable/],
    ['condition column', (d) => ({
      ...d,
      datatables: d.datatables.map((t) => ({ ...t, columns: t.columns.filter((c) => c.name !== 'read_only') })),
    }), /condition field 'clearing_distribution.read_only' is not a column of datatable 'clearing_distribution'/],
    ['prompt', (d) => ({ ...d, rulePrompts: d.rulePrompts.filter((f) => f.name !== 'clearing_config_dry_run') }),
      /prompt field 'actioninvocation\/clearing_config_dry_run' does not exist/],
    ['script subset', (d) => ({
      ...d,
      workflows: d.workflows.map((w) => (w.programmaticName === 'wf_clearing_share_now'
        ? { ...w, steps: [{ ...w.steps[0]!, pre: ['inputs.incident_id = incident.id + 1'] }] } : w)),
    }), /wf_clearing_share_now.*script outside the supported subset/],
    ['row outside a datatable workflow', (d) => ({
      ...d,
      workflows: d.workflows.map((w) => (w.programmaticName === 'wf_clearing_distribute_now'
        ? { ...w, steps: [{ ...w.steps[0]!, pre: ['inputs.incident_id = incident.id', 'inputs.clearing_brand = row.brand'] }] } : w)),
    }), /'row.brand' in a workflow on 'incident'/],
    ['input of another function', (d) => ({
      ...d,
      workflows: d.workflows.map((w) => (w.programmaticName === 'wf_clearing_share_now'
        ? { ...w, steps: [{ ...w.steps[0]!, pre: ['inputs.clearing_brand = "x"'] }] } : w)),
    }), /sets 'inputs.clearing_brand', not an input of 'clearing_share_incident'/],
    ['post-processing code', (d) => ({
      ...d,
      workflows: d.workflows.map((w) => (w.programmaticName === 'wf_clearing_share_now'
        ? { ...w, steps: [{ ...w.steps[0]!, post: ['incident.addNote("x")'] }] } : w)),
    }), /post-processing scripts hold only comments/],
    ['object mismatch', (d) => ({
      ...d,
      workflows: d.workflows.map((w) => (w.programmaticName === 'wf_clearing_distribute_to_brand' ? { ...w, object: 'incident' } : w)),
    }), /rule 'Clearing: distribute to this brand' is on 'clearing_distribution' but its workflow 'wf_clearing_distribute_to_brand' is on 'incident'/],
    ['task phase', (d) => ({ ...d, phases: [] }), /task 'clearing_task_involve_group_coordination': phase 'Engage' does not exist/],
  ];
  for (const [what, change, expected] of cases) {
    assert.match(broken(change).message, expected, what);
  }
});

test('summarize reads the definitions as given', () => {
  const s = summarize({ ...DEFINITIONS, rules: DEFINITIONS.rules.slice(0, 1) });
  assert.deepEqual(s.rules, [{ name: 'Clearing: involve group coordination', type: 'automatic', object: 'incident' }]);
});
