/**
 * The SOAR emulator's customization side: configuration import/export through SOAR's REST API
 * (with IBM's real reference exports and with small exports built here), and rules firing
 * workflows whose function steps run on the real broker and a real worker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { defineFunction } from '../../functions/define.js';
import { functions } from '../../functions/index.js';
import type { JsonObject } from '../../src/core/types.js';
import type { BrandWorker } from '../../src/worker/worker.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import type { WorkflowInstance } from '../../sim/emulator/workflows.js';
import { readReferenceJson, withoutReference } from '../support/reference.js';
import { memoryLogger, uniqueDestination, World } from '../support/world.js';
import { cond, field, fnDef, importExport, restFor, rule, workflow } from '../support/export-builder.js';

const REFERENCE_EXPORTS = ['sdk_mock_fn_main_mock_integration_export.res', 'sdk_mock_export_w_playbook_w_scripts.res'];

function readExport(name: string): JsonObject {
  return readReferenceJson<JsonObject>('soar', 'exports', name);
}

function namesOf(list: JsonObject[], key = 'name'): string[] {
  return list.map((x) => String(x[key]));
}

function buildExport(dest: string): { exp: JsonObject; ids: Record<string, string> } {
  const pingMessage = field('__function', 'clearing_ping_message', 'text');
  const pingDelay = field('__function', 'clearing_ping_delay_ms', 'number');
  const recordValue = field('__function', 'test_record_value', 'text');
  const failReason = field('__function', 'test_fail_reason', 'text');
  const note = field('actioninvocation', 'emu_note', 'text', { required: 'always' });
  const brand = field('incident', 'emu_brand', 'text');
  const ping = fnDef('clearing_ping', dest, [pingMessage, pingDelay]);
  const record = fnDef('test_record', dest, [recordValue]);
  const fails = fnDef('test_fails', dest, [failReason]);
  const table = 'emu_distribution';
  const col = (name: string, inputType: string, order: number): JsonObject => ({
    export_key: `${table}/${name}`, name, text: name, input_type: inputType, uuid: randomUUID(), order, width: 100,
    blank_option: false, internal: false, read_only: false, rich_text: false, values: [], templates: [], tags: [], type_id: 1000,
  });
  const exp: JsonObject = {
    export_format_version: 2,
    export_date: Date.now(),
    id: 1,
    server_version: { major: 51, minor: 0, build_number: 0, version: '51.0.0' },
    message_destinations: [
      { programmatic_name: dest, name: dest, export_key: dest, destination_type: 0, expect_ack: true, uuid: randomUUID(), api_keys: [], users: [], tags: [] },
    ],
    fields: [pingMessage, pingDelay, recordValue, failReason, note, brand],
    functions: [ping, record, fails],
    types: [
      {
        type_name: table, display_name: 'Emulator distribution', export_key: table, type_id: 8, id: null, parent_types: ['incident'],
        fields: { brand: col('brand', 'text', 0), distribute: col('distribute', 'boolean', 1) },
        properties: { can_create: true, can_destroy: true, for_who: [] }, uuid: randomUUID(), tags: [], actions: [], scripts: [],
        for_actions: false, for_custom_fields: false, for_notifications: false, for_workflows: false,
      },
    ],
    workflows: [
      workflow('emu_wf_auto_ping', 'incident', [{ fn: ping, pre: '# who is it?\ninputs.clearing_ping_message = incident.name', post: '# nothing to do', result: 'ping' }]),
      workflow('emu_wf_menu', 'incident', [
        { fn: record, pre: 'inputs.test_record_value = rule.properties.emu_note', result: 'recorded' },
        {
          fn: ping,
          inputs: { [String(pingDelay['uuid'])]: { input_type: 'static', static_input: { number_value: 1, multiselect_value: [] } } },
          pre: "inputs.clearing_ping_message = u'second step'",
          result: 'ping',
        },
      ]),
      workflow('emu_wf_row_ping', table, [{ fn: ping, pre: 'inputs.clearing_ping_message = row.brand', result: 'ping' }]),
      workflow('emu_wf_fails', 'incident', [
        { fn: fails, inputs: { [String(failReason['uuid'])]: { input_type: 'static', static_input: { text_value: 'disk full', multiselect_value: [] } } } },
        { fn: ping, result: 'never' },
      ]),
      workflow('emu_wf_bad_script', 'incident', [
        { fn: ping, pre: 'inputs.clearing_ping_message = incident.name\ninputs.clearing_ping_message = incident.name.upper()' },
      ]),
      workflow('emu_wf_bad_post', 'incident', [{ fn: ping, post: '# fine\nincident.addNote("x")' }]),
      workflow('emu_wf_slow', 'incident', [
        { fn: ping, inputs: { [String(pingDelay['uuid'])]: { input_type: 'static', static_input: { number_value: 1500 } } }, result: 'slow' },
        { fn: ping, result: 'never' },
      ]),
    ],
    actions: [
      rule('EMU: auto ping', 0, 'incident', ['emu_wf_auto_ping'], [cond(null, 'object_added'), cond('incident.name', 'contains', '[auto]')]),
      rule('EMU: menu', 1, 'incident', ['emu_wf_menu'], [], {
        view_items: [{ content: note['uuid']!, element: 'field_uuid', field_type: 'actioninvocation', show_if: null, show_link_header: false, step_label: null }],
      }),
      rule('EMU: row distribute', 0, table, ['emu_wf_row_ping'], [cond(`${table}.distribute`, 'changed_to', true)]),
      rule('EMU: row menu', 1, table, ['emu_wf_row_ping'], [cond(`${table}.brand`, 'has_a_value')]),
      rule('EMU: fails', 1, 'incident', ['emu_wf_fails']),
      rule('EMU: bad script', 1, 'incident', ['emu_wf_bad_script']),
      rule('EMU: bad post', 1, 'incident', ['emu_wf_bad_post']),
      rule('EMU: slow', 1, 'incident', ['emu_wf_slow']),
    ],
    automatic_tasks: [],
    phases: [],
    scripts: [],
  };
  return { exp, ids: { ping: String(ping['uuid']) } };
}

// ---------------------------------------------------------------------------------------------

// IBM's sample exports (resilient-sdk's test data), from the reference directory beside the repo.
describe('emulator: configuration import of the real reference exports', { skip: withoutReference('soar', 'exports') }, () => {
  let emu: SoarEmulator;
  let rest: ReturnType<typeof restFor>;

  before(async () => {
    const world = await World.start();
    emu = world.soar;
    rest = restFor(emu);
  });
  after(async () => {
    await emu?.stop();
  });

  for (const name of REFERENCE_EXPORTS) {
    test(`${name}: imported, visible through the REST GETs, re-import updates in place`, async () => {
      const exp = readExport(name);
      await importExport(rest, exp);
      const check = async (): Promise<void> => {
        const fns = (await rest('GET', '/functions')).body.entities as JsonObject[];
        for (const f of exp['functions'] as JsonObject[]) {
          assert.equal(fns.filter((x) => x['name'] === f['name']).length, 1, `function ${String(f['name'])}`);
          const one = await rest('GET', `/functions/${String(f['name'])}`);
          assert.equal(one.status, 200);
          assert.equal(one.body.destination_handle, f['destination_handle']);
          assert.equal(one.body.uuid, f['uuid']);
          assert.deepEqual(one.body.view_items, f['view_items']);
        }
        const dests = (await rest('GET', '/message_destinations')).body.entities as JsonObject[];
        for (const d of exp['message_destinations'] as JsonObject[]) {
          assert.equal(dests.filter((x) => x['programmatic_name'] === d['programmatic_name']).length, 1);
        }
        const rules = (await rest('GET', '/actions')).body.entities as JsonObject[];
        const rulesNamed = (await rest('GET', '/actions?handle_format=names')).body.entities as JsonObject[];
        for (const r of exp['actions'] as JsonObject[]) {
          const hits = rules.filter((x) => x['name'] === r['name']);
          assert.equal(hits.length, 1, `rule ${String(r['name'])}`);
          assert.equal(typeof hits[0]!['object_type'], 'number', 'object_type is a type id');
          assert.equal(typeof hits[0]!['id'], 'number');
          assert.deepEqual(hits[0]!['conditions'], r['conditions']);
          const named = rulesNamed.find((x) => x['name'] === r['name'])!;
          assert.equal(named['object_type'], r['object_type']);
          assert.deepEqual(named['workflows'], r['workflows']);
          assert.deepEqual(named['message_destinations'], r['message_destinations']);
        }
        const wfs = (await rest('GET', '/workflows')).body.entities as JsonObject[];
        for (const w of (exp['workflows'] as JsonObject[] | undefined) ?? []) {
          const hits = wfs.filter((x) => x['programmatic_name'] === w['programmatic_name']);
          assert.equal(hits.length, 1);
          assert.equal((hits[0]!['content'] as JsonObject)['xml'], (w['content'] as JsonObject)['xml'], 'the BPMN is kept as is');
        }
        const incidentFields = (await rest('GET', '/types/incident/fields')).body as JsonObject[];
        const fnFields = (await rest('GET', '/types/__function/fields')).body as JsonObject[];
        for (const f of exp['fields'] as JsonObject[]) {
          if (f['internal'] === true) continue;
          const [type, fname] = String(f['export_key']).split('/');
          const list = type === 'incident' ? incidentFields.filter((x) => x['prefix'] === 'properties') : fnFields;
          assert.equal(list.filter((x) => x['name'] === fname).length, 1, String(f['export_key']));
        }
        const types = (await rest('GET', '/types')).body as Record<string, JsonObject>;
        for (const t of (exp['types'] as JsonObject[] | undefined) ?? []) {
          const dt = types[String(t['type_name'])]!;
          assert.equal(dt['type_id'], 8);
          assert.deepEqual(Object.keys(dt['fields'] as JsonObject).sort(), Object.keys(t['fields'] as JsonObject).sort());
          const byName = await rest('GET', `/types/${String(t['type_name'])}`);
          assert.equal(byName.body.id, dt['id']);
        }
      };
      await check();
      await importExport(rest, readExport(name));
      await check();
    });
  }

  test('the datatable answers table_data once defined; undefined tables then answer 404', async () => {
    const inc = await rest('POST', '/incidents', { name: 'dt check', discovered_date: Date.now() });
    assert.equal(inc.status, 200);
    const rows = await rest('GET', `/incidents/${inc.body.id}/table_data/mock_data_table`);
    assert.equal(rows.status, 200);
    assert.deepEqual(rows.body.rows, []);
    const row = await rest('POST', `/incidents/${inc.body.id}/table_data/mock_data_table/row_data`, { cells: { mock_col_one: { value: 'x' }, mok_col_two: { value: 2 } } });
    assert.equal(row.status, 200);
    const badCol = await rest('POST', `/incidents/${inc.body.id}/table_data/mock_data_table/row_data`, { cells: { nope: { value: 1 } } });
    assert.equal(badCol.status, 400);
    assert.equal((await rest('GET', `/incidents/${inc.body.id}/table_data/never_defined`)).status, 404);
    assert.ok(inc.body.properties && 'mock_field_text' in inc.body.properties, 'imported custom fields appear on incidents');
  });

  test('an export that is not format 2 is refused with SOAR\'s error body; REJECTED applies nothing', async () => {
    const bad = await rest('POST', '/configurations/imports', { ...readExport(REFERENCE_EXPORTS[0]!), export_format_version: 1 });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body).sort(), ['error_code', 'hints', 'message', 'success', 'title']);
    assert.equal(bad.body.success, false);
    assert.match(bad.body.message, /export_format_version/);

    const dangling = await rest('POST', '/configurations/imports', {
      export_format_version: 2,
      functions: [{ name: 'fn_orphan', destination_handle: 'no_such_destination', uuid: randomUUID(), view_items: [] }],
    });
    assert.equal(dangling.status, 400);
    assert.match(dangling.body.message, /fn_orphan.*no_such_destination/);

    const posted = await rest('POST', '/configurations/imports', {
      export_format_version: 2,
      message_destinations: [{ programmatic_name: 'fn_rejected', name: 'fn_rejected', destination_type: 0, expect_ack: true }],
    });
    assert.equal(posted.status, 200);
    const got = await rest('GET', `/configurations/imports/${posted.body.id}`);
    assert.equal(got.body.status, 'PENDING');
    const rejected = await rest('PUT', `/configurations/imports/${posted.body.id}`, { ...posted.body, status: 'REJECTED' });
    assert.equal(rejected.body.status, 'REJECTED');
    const dests = (await rest('GET', '/message_destinations')).body.entities as JsonObject[];
    assert.ok(!dests.some((d) => d['programmatic_name'] === 'fn_rejected'));
    const again = await rest('PUT', `/configurations/imports/${posted.body.id}`, { ...posted.body, status: 'ACCEPTED' });
    assert.equal(again.status, 400);
  });

  test('the export re-imports into another SOAR with the same definitions', async () => {
    const exported = await rest('POST', '/configurations/exports/', { layouts: true, actions: true, phases_and_tasks: true });
    assert.equal(exported.status, 200);
    assert.equal(exported.body.export_format_version, 2);
    const world2 = await World.start();
    try {
      const rest2 = restFor(world2.soar);
      await importExport(rest2, exported.body);
      const a = (await rest('GET', '/actions?handle_format=names')).body.entities as JsonObject[];
      const b = (await rest2('GET', '/actions?handle_format=names')).body.entities as JsonObject[];
      assert.deepEqual(namesOf(b).sort(), namesOf(a).sort());
      const fa = (await rest('GET', '/functions')).body.entities as JsonObject[];
      const fb = (await rest2('GET', '/functions')).body.entities as JsonObject[];
      assert.deepEqual(fb.map((f) => [f['name'], f['uuid']]).sort(), fa.map((f) => [f['name'], f['uuid']]).sort());
      const wb = (await rest2('GET', '/workflows')).body.entities as JsonObject[];
      assert.deepEqual(namesOf(wb, 'programmatic_name').sort(), ['mock_workflow_one', 'mock_workflow_two']);
      const tb = (await rest2('GET', '/types/mock_data_table')).body as JsonObject;
      assert.deepEqual(Object.keys(tb['fields'] as JsonObject).sort(), ['mock_col_one', 'mok_col_two']);
    } finally {
      await world2.stop();
    }
  });
});

describe('emulator: rules and workflows over the real broker', () => {
  let world: World;
  let worker: BrandWorker;
  let rest: ReturnType<typeof restFor>;
  const destination = uniqueDestination('fn_emucust');
  const logged = memoryLogger();
  const recorded: Array<{ value: string | undefined; workflow: string | null; workflowInstanceId: number | null; principal: string | null }> = [];

  const testRecord = defineFunction<{ test_record_value?: string }, { value: string | null }>({
    name: 'test_record',
    displayName: 'Test: record',
    description: 'Remembers what it was given.',
    inputSchema: { type: 'object', properties: { test_record_value: { type: 'string', nullable: true } }, required: [], additionalProperties: false },
    async handler(inputs, ctx) {
      recorded.push({
        value: inputs.test_record_value,
        workflow: ctx.invocation.workflow,
        workflowInstanceId: ctx.invocation.workflowInstanceId,
        principal: ctx.invocation.principal,
      });
      return { value: inputs.test_record_value ?? null };
    },
  });
  const testFails = defineFunction<{ test_fail_reason: string }, null>({
    name: 'test_fails',
    displayName: 'Test: fails',
    description: 'Throws.',
    inputSchema: { type: 'object', properties: { test_fail_reason: { type: 'string' } }, required: ['test_fail_reason'], additionalProperties: false },
    async handler(inputs) {
      throw new Error(`it broke: ${inputs.test_fail_reason}`);
    },
  });

  const ruleId = async (name: string): Promise<number> => {
    const rules = (await rest('GET', '/actions')).body.entities as JsonObject[];
    const r = rules.find((x) => x['name'] === name);
    assert.ok(r, `rule ${name}`);
    return r['id'] as number;
  };
  const only = (list: WorkflowInstance[]): WorkflowInstance => {
    assert.equal(list.length, 1, JSON.stringify(list.map((i) => [i.id, i.workflow, i.status, i.error])));
    return list[0]!;
  };

  before(async () => {
    world = await World.start();
    world.soar.attachBroker(world.broker.stompPort);
    rest = restFor(world.soar);
    await importExport(rest, buildExport(destination).exp);
    worker = await world.worker(world.config({ destination }), [...functions, testRecord, testFails], logged.log);
    await worker.start();
  });
  after(async () => {
    await worker?.stop();
    await world?.stop();
  });

  test('an automatic rule on incident creation runs its workflow through the broker and the worker', async () => {
    const inc = await rest('POST', '/incidents', { name: 'Phish [auto] ล', discovered_date: Date.now() });
    assert.equal(inc.status, 200);
    const other = await rest('POST', '/incidents', { name: 'not for the rule', discovered_date: Date.now() });
    await world.soar.workflows.waitIdle(20_000);
    assert.equal(world.soar.workflows.instancesFor({ incidentId: other.body.id }).length, 0, 'conditions: name contains [auto]');
    const inst = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id }));
    assert.equal(inst.status, 'completed', String(inst.error));
    assert.equal(inst.rule, 'EMU: auto ping');
    assert.equal(inst.workflow, 'emu_wf_auto_ping');
    assert.deepEqual(inst.object, { type: 'incident', typeId: 0, id: inc.body.id, incidentId: inc.body.id, rowId: null });
    assert.equal(inst.steps.length, 1);
    const step = inst.steps[0]!;
    assert.equal(step.function, 'clearing_ping');
    assert.equal(step.destination, destination);
    assert.deepEqual(step.inputs, { clearing_ping_message: 'Phish [auto] ล' });
    const ping = inst.results['ping'] as JsonObject;
    assert.equal(ping['success'], true);
    const content = ping['content'] as JsonObject;
    assert.equal(content['message'], 'Phish [auto] ล', 'the function got the incident name');
    assert.equal(content['correlation_id'], step.correlationId);
    assert.ok(logged.lines.some((l) => /invocation success/.test(l) && l.includes(`correlation_id=${step.correlationId}`)));

    // an update does not re-fire an object_added rule
    const cur = await rest('GET', `/incidents/${inc.body.id}`);
    assert.equal((await rest('PUT', `/incidents/${inc.body.id}`, { ...cur.body, description: 'changed' })).status, 200);
    await world.soar.workflows.waitIdle(20_000);
    assert.equal(world.soar.workflows.instancesFor({ incidentId: inc.body.id }).length, 1);

    const listed = await rest('GET', '/workflow_instances');
    const mine = (listed.body.entities as JsonObject[]).find((e) => e['workflow_instance_id'] === inst.id)!;
    assert.equal(mine['status'], 'completed');
  });

  test('a menu-item rule on an incident, through the REST endpoint an analyst\'s click uses', async () => {
    const inc = await rest('POST', '/incidents', { name: 'menu target', discovered_date: Date.now() });
    const id = await ruleId('EMU: menu');
    const missing = await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: id, properties: {} });
    assert.equal(missing.status, 400, 'the required prompt is missing');
    assert.match(missing.body.message, /emu_note.*required/);
    assert.equal((await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: 99999 })).status, 404);
    assert.equal((await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: await ruleId('EMU: auto ping') })).status, 400);

    const before = recorded.length;
    const r = await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: id, properties: { emu_note: 'please share' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await world.soar.workflows.waitIdle(20_000);
    const inst = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id, rule: 'EMU: menu' }));
    assert.equal(inst.status, 'completed', String(inst.error));
    assert.deepEqual(inst.steps.map((s) => [s.function, s.status]), [['test_record', 'completed'], ['clearing_ping', 'completed']]);
    assert.deepEqual(inst.steps[1]!.inputs, { clearing_ping_delay_ms: 1, clearing_ping_message: 'second step' });
    assert.equal(((inst.results['recorded'] as JsonObject)['content'] as JsonObject)['value'], 'please share');
    assert.equal(((inst.results['ping'] as JsonObject)['content'] as JsonObject)['message'], 'second step');
    const rec = recorded.slice(before);
    assert.equal(rec.length, 1);
    assert.deepEqual(rec[0], { value: 'please share', workflow: 'emu_wf_menu', workflowInstanceId: inst.id, principal: 'test-key' });
  });

  test('a datatable rule fires on the row change that sets distribute, with row.<column> in the script', async () => {
    const inc = await rest('POST', '/incidents', { name: 'rows', discovered_date: Date.now() });
    const base = `/incidents/${inc.body.id}/table_data/emu_distribution/row_data`;
    const created = await rest('POST', base, { cells: { brand: { value: 'soar-east' }, distribute: { value: false } } });
    assert.equal(created.status, 200);
    const rowId = created.body.id as number;
    await world.soar.workflows.waitIdle(20_000);
    assert.equal(world.soar.workflows.instancesFor({ incidentId: inc.body.id }).length, 0, 'created with distribute false');

    // a row PUT is the whole row (IBM's clients send every cell)
    const set = await rest('PUT', `${base}/${rowId}`, { cells: { brand: { value: 'soar-east' }, distribute: { value: true } } });
    assert.equal(set.status, 200);
    await world.soar.workflows.waitIdle(20_000);
    const inst = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id, rowId }));
    assert.equal(inst.status, 'completed', String(inst.error));
    assert.equal(inst.rule, 'EMU: row distribute');
    assert.equal(inst.object.type, 'emu_distribution');
    assert.equal(inst.object.rowId, rowId);
    assert.deepEqual(inst.steps[0]!.inputs, { clearing_ping_message: 'soar-east' });

    // still true: not a change to true, no new instance
    assert.equal((await rest('PUT', `${base}/${rowId}`, { cells: { brand: { value: 'soar-west' }, distribute: { value: true } } })).status, 200);
    await world.soar.workflows.waitIdle(20_000);
    assert.equal(world.soar.workflows.instancesFor({ incidentId: inc.body.id }).length, 1);

    // a row created with distribute true fires at once
    const born = await rest('POST', base, { cells: { brand: { value: 'soar-north' }, distribute: { value: true } } });
    await world.soar.workflows.waitIdle(20_000);
    assert.equal(only(world.soar.workflows.instancesFor({ rowId: born.body.id })).steps[0]!.inputs['clearing_ping_message'], 'soar-north');

    // the menu-item rule on a row (datatable by type id in the path, as SOAR's UI calls it)
    const tableId = (await rest('GET', '/types/emu_distribution')).body.id as number;
    const menu = await rest('POST', `/incidents/${inc.body.id}/table_data/${tableId}/row_data/${rowId}/action_invocations`, {
      action_id: await ruleId('EMU: row menu'),
      properties: {},
    });
    assert.equal(menu.status, 200, JSON.stringify(menu.body));
    await world.soar.workflows.waitIdle(20_000);
    const clicked = only(world.soar.workflows.instancesFor({ rowId, rule: 'EMU: row menu' }));
    assert.equal(clicked.status, 'completed', String(clicked.error));
    assert.deepEqual(clicked.steps[0]!.inputs, { clearing_ping_message: 'soar-west' });
    const wrongObject = await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: await ruleId('EMU: row menu') });
    assert.equal(wrongObject.status, 400);
  });

  test('a function error fails the instance; later steps never run', async () => {
    const inc = await rest('POST', '/incidents', { name: 'fails', discovered_date: Date.now() });
    assert.equal((await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: await ruleId('EMU: fails') })).status, 200);
    await world.soar.workflows.waitIdle(20_000);
    const inst = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id }));
    assert.equal(inst.status, 'failed');
    assert.match(inst.error!, /function 'test_fails'\) failed: \[internal\] it broke: disk full/);
    assert.deepEqual(inst.steps.map((s) => [s.function, s.status]), [['test_fails', 'failed']]);
    assert.deepEqual(inst.steps[0]!.inputs, { test_fail_reason: 'disk full' });
  });

  test('an unsupported script line fails the instance, naming the line, before anything is invoked', async () => {
    const inc = await rest('POST', '/incidents', { name: 'bad script', discovered_date: Date.now() });
    await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: await ruleId('EMU: bad script') });
    await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: await ruleId('EMU: bad post') });
    await world.soar.workflows.waitIdle(20_000);
    const pre = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id, rule: 'EMU: bad script' }));
    assert.equal(pre.status, 'failed');
    assert.match(pre.error!, /pre-processing script line 2: unsupported expression .*: inputs\.clearing_ping_message = incident\.name\.upper\(\)$/);
    assert.equal(pre.steps[0]!.correlationId, null, 'nothing was published');
    const post = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id, rule: 'EMU: bad post' }));
    assert.equal(post.status, 'failed');
    assert.match(post.error!, /post-processing script line 2: unsupported statement .*: incident\.addNote\("x"\)$/);
  });

  test('deleting the incident terminates its running instance', async () => {
    const inc = await rest('POST', '/incidents', { name: 'slow', discovered_date: Date.now() });
    assert.equal((await rest('POST', `/incidents/${inc.body.id}/action_invocations`, { action_id: await ruleId('EMU: slow') })).status, 200);
    const inst = only(world.soar.workflows.instancesFor({ incidentId: inc.body.id }));
    const deadline = Date.now() + 10_000;
    while (inst.steps[0]?.correlationId == null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(inst.status, 'running');
    assert.equal((await rest('DELETE', `/incidents/${inc.body.id}`)).status, 200);
    const done = await world.soar.workflows.waitFor(inst.id, 1_000);
    assert.equal(done.status, 'terminated');
    assert.equal(done.error, `incident ${inc.body.id} was deleted`);
    assert.equal(done.steps.length, 1, 'the second step never started');
    await world.soar.workflows.waitIdle(5_000);
  });

  test('without a broker, a workflow reaching a function step fails clearly', async () => {
    const lonely = await SoarEmulator.start({ pki: world.broker.pki });
    try {
      const r = restFor(lonely);
      await importExport(r, buildExport(uniqueDestination('fn_nobroker')).exp);
      const inc = await r('POST', '/incidents', { name: 'no broker [auto]', discovered_date: Date.now() });
      await lonely.workflows.waitIdle(5_000);
      const inst = only(lonely.workflows.instancesFor({ incidentId: inc.body.id }));
      assert.equal(inst.status, 'failed');
      assert.match(inst.error!, /no broker attached .*attachBroker/);
    } finally {
      await lonely.stop();
    }
  });
});
