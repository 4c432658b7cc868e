/**
 * The SOAR emulator's REST answers that IBM's own client relies on, through its router (no
 * network): `PATCH /incidents/<id>` as IBM's resilient.Patch sends it (resilient co3.py, patch.py),
 * attachment metadata, `GET /connectors/queues` and the org object's actions_framework_enabled
 * (both read by resilient-circuits at start).
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { route } from '../../sim/emulator/routes.js';
import type { Reply } from '../../sim/emulator/reply.js';
import { loadSamples } from '../../sim/emulator/samples.js';
import { EmulatorState } from '../../sim/emulator/state.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';

const AUTH = `Basic ${Buffer.from('test-key:test-secret').toString('base64')}`;

function call(state: EmulatorState, method: string, path: string, body?: JsonValue): Reply {
  return route(state, { method, path: `/rest/orgs/201${path}`, query: new URLSearchParams(), body, headers: { authorization: AUTH } });
}

/** A change as IBM's Patch.to_dict() writes it. */
function change(field: string, oldValue: JsonValue, newValue: JsonValue): JsonObject {
  return { field, old_value: { object: oldValue }, new_value: { object: newValue } };
}

describe('emulator: PATCH /incidents/<id>', () => {
  let state: EmulatorState;
  let inc: JsonObject;

  beforeEach(() => {
    state = new EmulatorState(loadSamples(), { incidentFields: ['region'] });
    inc = state.createIncident(201, { name: 'patch me', discovered_date: 1, properties: { region: 'EU' } }, null);
  });

  test('applies the changes whose old values are current, bumps vers and answers success', () => {
    const r = call(state, 'PATCH', `/incidents/${String(inc['id'])}`, {
      changes: [change('plan_status', 'A', 'C'), change('region', 'EU', 'US'), change('description', null, { format: 'text', content: 'closed' })],
      version: 1,
    });
    assert.equal(r.status, 200);
    assert.equal((r.body as JsonObject)['success'], true);
    assert.deepEqual((r.body as JsonObject)['field_failures'], []);
    assert.equal(inc['plan_status'], 'C');
    assert.equal((inc['properties'] as JsonObject)['region'], 'US');
    assert.equal(inc['description'], 'closed');
    assert.equal(inc['vers'], 2);
    // properties.<name> names the same custom field
    const again = call(state, 'PATCH', `/incidents/${String(inc['id'])}`, { changes: [change('properties.region', 'US', 'APAC')], version: 2 });
    assert.equal((again.body as JsonObject)['success'], true);
    assert.equal((inc['properties'] as JsonObject)['region'], 'APAC');
  });

  test('a stale old value: 200, success false, field_failures; nothing applied; IBM\'s overwrite retry then applies', () => {
    inc['plan_status'] = 'C'; // someone else closed it
    const patch = { changes: [change('plan_status', 'A', 'A'), change('region', 'EU', 'US')], version: 1 };
    const r = call(state, 'PATCH', `/incidents/${String(inc['id'])}`, patch);
    assert.equal(r.status, 200);
    const status = r.body as JsonObject;
    assert.equal(status['success'], false);
    assert.deepEqual((status['field_failures'] as JsonObject[]).map((f) => [f['field'], f['your_original_value'], f['actual_current_value']]), [['plan_status', 'A', 'C']]);
    assert.equal((inc['properties'] as JsonObject)['region'], 'EU', 'all or nothing: the other change waits too');
    assert.equal(inc['vers'], 1);
    // resilient.Patch.update_for_overwrite: the old value becomes actual_current_value
    const retry = { changes: [change('plan_status', 'C', 'A'), change('region', 'EU', 'US')], version: 1 };
    assert.equal((call(state, 'PATCH', `/incidents/${String(inc['id'])}`, retry).body as JsonObject)['success'], true);
    assert.deepEqual([inc['plan_status'], (inc['properties'] as JsonObject)['region']], ['A', 'US']);
  });

  test('unknown or read-only fields and malformed bodies are refused with 400', () => {
    const path = `/incidents/${String(inc['id'])}`;
    for (const [body, message] of [
      [{ changes: [change('no_such_field', null, 1)] }, /Invalid field name 'no_such_field'/],
      [{ changes: [change('properties.nope', null, 1)] }, /Invalid field name 'properties.nope'/],
      [{ changes: [change('vers', 1, 5)] }, /Invalid field name 'vers'/],
      [{ changes: [{ field: 'name', old_value: { object: 'patch me' }, new_value: 'bare' }] }, /'new_value' needs a value/],
      [{ changes: 'all' }, /A patch needs/],
      [{ changes: [], version: 'one' }, /'version' must be a number/],
    ] as const) {
      const r = call(state, 'PATCH', path, body as JsonValue);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(String((r.body as JsonObject)['message']), message);
    }
    assert.equal(inc['vers'], 1);
    assert.equal(call(state, 'PATCH', '/incidents/999999', { changes: [] }).status, 404);
  });
});

describe('emulator: what resilient-circuits reads at start, attachment metadata', () => {
  const state = new EmulatorState(loadSamples());

  test('the org object carries actions_framework_enabled; connectors/queues answers {queues, org_id}', () => {
    const org = route(state, { method: 'GET', path: '/rest/orgs/201', query: new URLSearchParams(), body: undefined, headers: { authorization: AUTH } });
    assert.equal((org.body as JsonObject)['actions_framework_enabled'], true);
    assert.deepEqual(call(state, 'GET', '/connectors/queues').body, { queues: [], org_id: 201 });
  });

  test('GET /incidents/<id>/attachments/<aid> answers the attachment\'s metadata, 404 for another id', () => {
    const inc = state.createIncident(201, { name: 'with a file', discovered_date: 1 }, null);
    const att = state.addAttachment(inc, { name: 'a.txt', contentType: 'text/plain', data: Buffer.from('abc') }, null);
    const r = call(state, 'GET', `/incidents/${String(inc['id'])}/attachments/${String(att.meta['id'])}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, att.meta);
    assert.equal((r.body as JsonObject)['size'], 3);
    assert.equal(call(state, 'GET', `/incidents/${String(inc['id'])}/attachments/999`).status, 404);
  });
});

describe('emulator: task writes refuse handles the org does not define, as incident writes do', () => {
  const state = new EmulatorState(loadSamples());
  const inc = state.createIncident(201, { name: 'with tasks', discovered_date: 1 }, null);

  test('POST /incidents/<id>/tasks and PUT /tasks/<id>: an unknown phase or owner is a 400, a known name is stored as its id', () => {
    const bad = call(state, 'POST', `/incidents/${String(inc['id'])}/tasks`, { name: 'T', phase_id: 'Brunch' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /'phase_id': \\"Brunch\\" is not defined/);
    const made = call(state, 'POST', `/incidents/${String(inc['id'])}/tasks`, { name: 'T', phase_id: 'Respond' });
    assert.equal(made.status, 200);
    const task = made.body as JsonObject;
    assert.equal(typeof task['phase_id'], 'number');
    const put = call(state, 'PUT', `/tasks/${String(task['id'])}`, { ...task, owner_id: 'nobody@example.com' });
    assert.equal(put.status, 400);
    assert.match(JSON.stringify(put.body), /'owner_id'/);
  });
});

describe('emulator: optimistic locking of incidents, what two nodes of a region rely on', () => {
  // SOAR's Custom Action Developer Guide, "HTTP Conflict (409) errors": a PUT on an incident that
  // changed since it was read answers 409; IBM's client (resilient co3base.py get_put) re-reads
  // and PUTs again on 409. The API release notes of v27 add the incident delete resource.
  const state = new EmulatorState(loadSamples(), { incidentFields: ['region'] });

  test('two PUTs from the same read: the first is taken and bumps vers, the second is a 409 and changes nothing', () => {
    const inc = state.createIncident(201, { name: 'raced', discovered_date: 1, properties: { region: 'EU' } }, null);
    const path = `/incidents/${String(inc['id'])}`;
    const read = call(state, 'GET', path).body as JsonObject;
    const first = call(state, 'PUT', path, { ...read, properties: { region: 'US' } });
    assert.equal(first.status, 200);
    assert.equal((first.body as JsonObject)['vers'], (read['vers'] as number) + 1);
    const second = call(state, 'PUT', path, { ...read, properties: { region: 'APAC' } });
    assert.equal(second.status, 409);
    assert.equal(((call(state, 'GET', path).body as JsonObject)['properties'] as JsonObject)['region'], 'US');
    const none = { ...read };
    delete none['vers'];
    assert.equal(call(state, 'PUT', path, none).status, 409, 'a PUT without vers is refused too (the strict reading)');
  });

  test('DELETE /incidents/<id> removes the incident; a second delete is a 404', () => {
    const inc = state.createIncident(201, { name: 'duplicate', discovered_date: 1 }, null);
    const path = `/incidents/${String(inc['id'])}`;
    assert.equal(call(state, 'DELETE', path).status, 200);
    assert.equal(call(state, 'GET', path).status, 404);
    assert.equal(call(state, 'DELETE', path).status, 404);
  });
});
