/**
 * The SOAR emulator answers handles as real SOAR does (ids unless names are asked for), takes
 * row PUTs as whole rows, answers task updates with a StatusDTO, pages and sorts query_paged as
 * SOAR does, and skips the rule whose invocation's X-Co3ContextToken a change carries. Each
 * rule is checked over real HTTPS, and so is the product's client coping with it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildExport, customization } from '../../customize/build.js';
import { installCustomization } from '../../src/app/customize.js';
import { workflowContextToken } from '../../sim/emulator/invoker.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { SoarClient } from '../../src/soar/client.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { makeTestPki, type TestPki } from '../support/certs.js';
import { restFor, type RestReply } from '../support/export-builder.js';
import { collectingLogger } from '../support/loggers.js';

const TABLE = 'clearing_distribution';

let dir: string;
let pki: TestPki;
let emu: SoarEmulator;
let soar: SoarClient;

/** One REST call with the API key, paths relative to /rest/orgs/<org>, with extra headers. */
function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestReply> {
  return restFor(emu)(method, path, body, headers);
}

/** The distribution table's columns as SOAR defines them after the import: name -> field. */
async function columns(): Promise<Record<string, { id: number; values: Array<{ value: number; label: string }> }>> {
  return (await raw('GET', `/types/${TABLE}`)).body.fields;
}

async function newIncident(name: string, extra: JsonObject = {}): Promise<number> {
  return (await soar.createIncident({ name, discovered_date: Date.now(), ...extra })).id;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emu-handles-'));
  pki = makeTestPki(dir);
  emu = await SoarEmulator.start({ pki });
  soar = await SoarClient.connect(emu.soarConfig());
  await installCustomization(soar, buildExport(), customization.destination, collectingLogger().logger);
});

after(async () => {
  await soar?.close();
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('datatable rows (Custom Action Developer Guide, "Object handles"; IBM fn_datatable_utils asks for names)', () => {
  // The guide allows handle_format as a query parameter or an HTTP header; IBM resilient-python-api
  // co3.py sends the header on PATCH, fn_datatable_utils the query parameter.
  test('without handle_format=names cells are keyed by field id and selects hold option ids; with it (query or header), by API name with labels', async () => {
    const id = await newIncident('rows by id');
    const cols = await columns();
    const pending = cols['status']!.values.find((v) => v.label === 'Pending')!.value;
    assert.equal(typeof pending, 'number');
    const added = await raw('POST', `/incidents/${id}/table_data/${TABLE}/row_data`, { cells: { brand: { value: 'soar3' }, status: { value: 'Pending' } } });
    assert.equal(added.status, 200, JSON.stringify(added.body));

    const byId = (await raw('GET', `/incidents/${id}/table_data/${TABLE}`)).body;
    const cells = byId.rows[0].cells as Record<string, { id: number; value: JsonValue }>;
    assert.deepEqual(Object.keys(cells).sort(), [String(cols['brand']!.id), String(cols['status']!.id)].sort());
    assert.equal(cells[String(cols['status']!.id)]!.value, pending);
    assert.equal(cells[String(cols['brand']!.id)]!.value, 'soar3');
    assert.equal(byId.rows[0].version, 1);

    for (const [path, headers] of [[`/incidents/${id}/table_data/${TABLE}?handle_format=names`, {}], [`/incidents/${id}/table_data/${TABLE}`, { handle_format: 'names' }]] as const) {
      const named = (await raw('GET', path, undefined, headers)).body;
      assert.equal(named.rows[0].cells.status.value, 'Pending', path);
      assert.equal(named.rows[0].cells.brand.value, 'soar3', path);
    }
    // The product's client asks for names.
    assert.equal((await soar.getTableData(id, TABLE)).rows[0]!.cells['status']?.value, 'Pending');
  });

  test('writes take a column by API name or field id and a select by option id or label; an unknown label is refused', async () => {
    const id = await newIncident('rows written by id');
    const cols = await columns();
    const acked = cols['status']!.values.find((v) => v.label === 'Acknowledged')!.value;
    const cells = { [String(cols['brand']!.id)]: { value: 'soar4' }, status: { value: acked } };
    const added = await raw('POST', `/incidents/${id}/table_data/${TABLE}/row_data?handle_format=names`, { cells });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.cells.status.value, 'Acknowledged');
    assert.equal(added.body.cells.brand.value, 'soar4');
    const bad = await raw('POST', `/incidents/${id}/table_data/${TABLE}/row_data`, { cells: { brand: { value: 'x' }, status: { value: 'Lost' } } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.success, false);
    assert.match(bad.body.message, /Invalid value "Lost" for column 'status'/);
  });

  test('an incident without rows answers {rows: []}', async () => {
    const id = await newIncident('no rows');
    const answer = await raw('GET', `/incidents/${id}/table_data/${TABLE}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.rows, []);
  });

  test('a row PUT is the whole row: a cell left out is cleared; a stale version is refused; the client writes whole rows', async () => {
    const id = await newIncident('whole rows');
    const row = await soar.addTableRow(id, TABLE, { brand: 'soar3', message: 'first' });
    const base = `/incidents/${id}/table_data/${TABLE}/row_data/${row.id}?handle_format=names`;
    const partial = await raw('PUT', base, { version: 1, cells: { message: { value: 'second' } } });
    assert.equal(partial.status, 200, JSON.stringify(partial.body));
    assert.equal(partial.body.version, 2);
    assert.equal(partial.body.cells.brand?.value ?? null, null, 'the brand left out of the PUT is cleared');
    const stale = await raw('PUT', base, { version: 1, cells: { brand: { value: 'soar3' } } });
    assert.equal(stale.status, 409);

    // SoarClient.updateTableRow keeps the other cells: it sends the whole row with its version.
    await raw('PUT', base, { version: 2, cells: { brand: { value: 'soar3' }, message: { value: 'second' } } });
    emu.clearRequests();
    const updated = await soar.updateTableRow(id, TABLE, row.id, { status: 'Pending' });
    assert.equal(updated.cells['brand']?.value, 'soar3');
    assert.equal(updated.cells['message']?.value, 'second');
    assert.equal(updated.cells['status']?.value, 'Pending');
    const put = emu.requests.find((r) => r.method === 'PUT')!;
    assert.equal((put.body as JsonObject)['version'], 3);
    assert.equal(put.query['handle_format'], 'names');
  });

  test('the client re-reads and writes again when the row changed in between (409)', async () => {
    const id = await newIncident('row race');
    const row = await soar.addTableRow(id, TABLE, { brand: 'soar3' });
    const stale = (await soar.getTableData(id, TABLE)).rows[0]!;
    // An analyst sets the flag meanwhile.
    await soar.updateTableRow(id, TABLE, row.id, { distribute: true });
    const updated = await soar.updateTableRow(id, TABLE, row.id, { status: 'Pending' }, { current: stale });
    assert.equal(updated.cells['distribute']?.value, true, "the analyst's flag survives");
    assert.equal(updated.cells['status']?.value, 'Pending');
  });
});

describe('incident and task handles (SOAR 51 answers ids unless handle_format=names)', () => {
  test('GET /incidents/<id>: severity_code, incident_type_ids, owner_id, phase_id as ids; names when asked', async () => {
    const fields = (await raw('GET', '/types/incident/fields')).body as JsonObject[];
    const type = (fields.find((f) => f['name'] === 'incident_type_ids')!['values'] as Array<{ value: number; label: string }>)[0]!;
    const id = await newIncident('handles', { severity_code: 'High', incident_type_ids: [type.label], owner_id: 'admin@example.com', phase_id: 'Respond' } as JsonObject);
    const byId = (await raw('GET', `/incidents/${id}`)).body;
    assert.equal(byId.severity_code, 52);
    assert.deepEqual(byId.incident_type_ids, [type.value]);
    assert.equal(typeof byId.owner_id, 'number');
    assert.equal(byId.phase_id, 1002);
    assert.equal(byId.plan_status, 'A');
    const named = (await raw('GET', `/incidents/${id}?handle_format=names`)).body;
    assert.equal(named.severity_code, 'High');
    assert.deepEqual(named.incident_type_ids, [type.label]);
    assert.equal(named.owner_id, 'admin@example.com');
    assert.equal(named.phase_id, 'Respond');
    const queried = (await soar.queryIncidentsPaged({ filters: [{ conditions: [{ field_name: 'id', method: 'equals', value: id }] }] }, { handleFormat: 'names' })).data[0]!;
    assert.equal(queried.severity_code, 'High');
  });

  test('tasks: phase and owner as ids unless names; PUT /tasks/<id> answers a StatusDTO and the client still closes the task', async () => {
    const id = await newIncident('task handles');
    const task = await soar.createTask(id, { name: 'Check', instructions: 'do it', phase_id: 'Respond' });
    assert.equal(task.phase_id, 1002);
    assert.equal((await raw('GET', `/tasks/${task.id}?handle_format=names`)).body.phase_id, 'Respond');
    assert.equal((await raw('GET', `/incidents/${id}/tasks`, undefined, { handle_format: 'names' })).body[0].phase_id, 'Respond');
    const current = (await raw('GET', `/tasks/${task.id}`)).body;
    const put = await raw('PUT', `/tasks/${task.id}`, { ...current, status: 'C' });
    assert.equal(put.status, 200);
    assert.deepEqual(Object.keys(put.body).sort(), ['hints', 'message', 'success', 'title']);
    assert.equal(put.body.success, true);
    await raw('PUT', `/tasks/${task.id}`, { ...current, status: 'O' });
    assert.equal((await soar.closeTask(task.id)).status, 'C');
    assert.equal((await soar.getTask(task.id)).status, 'C');
  });
});

describe('query_paged (every IBM client sends lower-case sorts; max_page_size of GET /rest/const)', () => {
  test('a sort type other than asc/desc is refused with SOAR\'s error body', async () => {
    for (const type of ['ASC', 'DESC', 'up']) {
      const r = await raw('POST', '/incidents/query_paged', { filters: [], sorts: [{ field_name: 'id', type }], start: 0, length: 10 });
      assert.equal(r.status, 400, type);
      assert.equal(r.body.success, false);
      assert.equal(typeof r.body.message, 'string');
    }
    assert.equal((await raw('POST', '/incidents/query_paged', { filters: [], sorts: [{ field_name: 'id', type: 'desc' }], start: 0, length: 10 })).status, 200);
  });

  test('length above max_page_size is refused; the client reads a longer window in pages with start', async () => {
    const max = (await soar.getConst())['max_page_size'] as number;
    assert.equal(max, 100);
    assert.equal((await raw('POST', '/incidents/query_paged', { filters: [], start: 0, length: max + 1 })).status, 400);
    const marker = `paging-${Date.now()}`;
    for (let i = 0; i < max + 20; i++) await soar.createIncident({ name: `${marker} ${i}`, discovered_date: Date.now() });
    emu.clearRequests();
    const all = await soar.queryIncidentsPaged({
      filters: [{ conditions: [{ field_name: 'name', method: 'contains', value: marker }] }], sorts: [{ field_name: 'id', type: 'asc' }], start: 0, length: 1000,
    });
    assert.equal(all.data.length, max + 20);
    assert.equal(new Set(all.data.map((i) => i.id)).size, max + 20);
    const pages = emu.requests.filter((r) => r.path.endsWith('/query_paged'));
    assert.deepEqual(pages.map((r) => [(r.body as JsonObject)['start'], (r.body as JsonObject)['length']]), [[0, 100], [100, 100]]);
  });
});

describe('X-Co3ContextToken (Custom Action Developer Guide: the server skips the rule that sent the invocation)', () => {
  test('a row change carrying the token of the rule\'s own invocation does not fire that rule again; other changes do', async () => {
    const rule = 'Clearing: distribution table changed';
    const id = await newIncident('context token');
    const row = await soar.addTableRow(id, TABLE, { brand: 'soar3' });
    const runs = (): number => emu.workflows.instancesFor({ incidentId: id, rule }).length;
    await soar.updateTableRow(id, TABLE, row.id, { distribute: true });
    assert.equal(runs(), 1, 'an analyst setting the flag fires the rule');
    const first = emu.workflows.instancesFor({ incidentId: id, rule })[0]!;
    await soar.withContextToken(workflowContextToken(first.id)).updateTableRow(id, TABLE, row.id, { distribute: false });
    assert.equal(runs(), 1, 'the change made with the invocation\'s token does not fire it again');
    await soar.withContextToken('some-other-token').updateTableRow(id, TABLE, row.id, { distribute: true });
    assert.equal(runs(), 2, 'another token does not suppress it');
    await emu.workflows.waitIdle(10_000);
  });
});
