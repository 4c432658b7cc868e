/**
 * What a configuration push carries: scoping by kind, tag and name prefix, and the removal of
 * users, group members, API keys and principals, on IBM's real reference exports and on an
 * export made to contain everything that must never travel. Also the dry run's comparison.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_CONFIG_KINDS } from '../../src/config/config-kinds.js';
import { objectKey, tagsOf } from '../../src/clearing/config-kinds.js';
import { describeObjects, exportRequest, inScope, objectsOf, scopeExport, stripIdentities } from '../../src/clearing/config-export.js';
import { emptyTags } from '../../src/soar/configuration.js';
import { canonical, diffExports } from '../../src/clearing/config-diff.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { readReferenceJson, withoutReference } from '../support/reference.js';

const reference = (name: string): JsonObject => readReferenceJson<JsonObject>('soar', 'exports', name);
/** IBM's sample exports (resilient-sdk's test data), when the reference directory is here. */
const needsExports = { skip: withoutReference('soar', 'exports') };
const ALL = { kinds: ALL_CONFIG_KINDS, tags: [], name_prefixes: [] };

/** Every key path of a JSON tree whose key is in `keys` and whose value is not empty. */
function traces(v: JsonValue, keys: readonly string[], path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => traces(x, keys, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => {
    const here = keys.includes(k) && !(Array.isArray(x) && x.length === 0) ? [`${path}.${k}`] : [];
    return [...here, ...traces(x, keys, `${path}.${k}`)];
  });
}

const IDENTITY_KEYS = ['api_keys', 'users', 'members', 'creator_principal', 'last_modified_principal', 'last_modified_by', 'owner_id', 'creator_id'];

/** An export holding users, groups with members, API keys and principals everywhere. */
function leakyExport(): JsonObject {
  const admin = { display_name: 'Admin User', id: 1, name: 'admin@example.com', type: 'user' };
  return {
    export_format_version: 2,
    server_version: { major: 51 },
    users: [{ email: 'admin@example.com', id: 1 }],
    api_keys: [{ id: 'ad261c1f', secret: 'never' }],
    groups: [{ name: 'SOC', members: [1, 2] }],
    message_destinations: [{ programmatic_name: 'fn_x', api_keys: ['ad261c1f'], users: ['admin@example.com'], tags: [] }],
    functions: [{ name: 'fn_one', destination_handle: 'fn_x', last_modified_by: { name: 'ad261c1f', type: 'apikey' }, tags: [] }],
    workflows: [{ programmatic_name: 'wf_one', creator_principal: admin, last_modified_principal: admin, content: { xml: '<x/>' } }],
    automatic_tasks: [{ programmatic_name: 'task_one', owner_id: 7, name: 'Task' }],
    types: [{ type_name: 'tbl', type_id: 8, fields: { owner: { name: 'owner', type_id: 1000 }, users: { name: 'users', type_id: 1000 } } }],
  };
}

test('every kind of the real reference exports is carried; API keys of destinations and principals are removed', needsExports, () => {
  for (const name of ['sdk_mock_fn_main_mock_integration_export.res', 'sdk_mock_export_w_playbook_w_scripts.res']) {
    const raw = reference(name);
    const { data, counts, stripped } = scopeExport(raw, ALL);
    assert.equal(data['export_format_version'], 2);
    for (const kind of ALL_CONFIG_KINDS) assert.equal(counts[kind], objectsOf(raw, kind).length, `${name}: ${kind}`);
    assert.deepEqual(traces(data, IDENTITY_KEYS), [], name);
    assert.ok(stripped > 0, `${name}: the reference export names API keys or users`);
    // The API key of the destinations and modifiers is gone. (A user's email may remain as the
    // value of a rule or playbook condition: that is logic, not a user record.)
    assert.doesNotMatch(JSON.stringify(data), /ad261c1f-f1cc-4115-bbce-a151f88bac5e/, name);
  }
});

test('users, groups, API keys and principals never travel, even when the export holds them', () => {
  const { data, stripped } = scopeExport(leakyExport(), ALL);
  for (const section of ['users', 'api_keys', 'groups']) assert.equal(data[section], undefined, section);
  const { types, ...rest } = data;
  assert.deepEqual(traces(rest, IDENTITY_KEYS), []);
  assert.ok(types, 'datatables are carried (their columns are checked below)');
  assert.deepEqual((data['message_destinations'] as JsonObject[])[0], { programmatic_name: 'fn_x', api_keys: [], users: [], tags: [] });
  assert.doesNotMatch(JSON.stringify(data), /admin@example\.com|ad261c1f|never/);
  // 1 user + 1 key + 1 group (sections), destination key + user, function's modifier, two principals, task owner.
  assert.equal(stripped, 9);
});

test('datatable columns named like identity keys are data and stay', () => {
  const { data } = scopeExport(leakyExport(), ALL);
  const table = (data['types'] as JsonObject[])[0]!;
  assert.deepEqual(Object.keys(table['fields'] as JsonObject), ['owner', 'users']);
  assert.deepEqual(stripIdentities({ fields: { owner: { name: 'owner' } } }), { fields: { owner: { name: 'owner' } } });
});

test('kinds: only the configured sections are carried, the header always', needsExports, () => {
  const raw = reference('sdk_mock_fn_main_mock_integration_export.res');
  const { data, counts } = scopeExport(raw, { kinds: ['rules', 'fields'], tags: [], name_prefixes: [] });
  assert.deepEqual(Object.keys(data).sort(), ['actions', 'export_date', 'export_format_version', 'fields', 'locale', 'server_version']);
  assert.deepEqual(counts, { rules: 6, fields: 12 });
});

test('tags and name prefixes: an object passes with either; fields match by their name, not their type prefix', () => {
  const scope = { kinds: ALL_CONFIG_KINDS, tags: ['clearing'], name_prefixes: ['cp_'] };
  assert.equal(inScope(scope, { name: 'cp_rule', tags: [] }), true);
  assert.equal(inScope(scope, { programmatic_name: 'wf_other', tags: [{ tag_handle: 'clearing', value: null }] }), true);
  assert.equal(inScope(scope, { programmatic_name: 'wf_other', tags: ['clearing'] }), true);
  assert.equal(inScope(scope, { name: 'cp_field', export_key: 'incident/cp_field' }), true);
  assert.equal(inScope(scope, { name: 'other', tags: ['soc'] }), false);
  assert.equal(inScope({ kinds: [], tags: [], name_prefixes: [] }, { name: 'anything' }), true);
  assert.deepEqual(tagsOf({ tags: ['a', { tag_handle: 'b' }, { name: 'c' }, 3] }), ['a', 'b', 'c']);
});

test('a name prefix scopes a real export', needsExports, () => {
  const raw = reference('sdk_mock_fn_main_mock_integration_export.res');
  const { counts } = scopeExport(raw, { kinds: ['workflows', 'functions', 'rules'], tags: [], name_prefixes: ['mock_workflow_t'] });
  assert.deepEqual(counts, { workflows: 1, functions: 0, rules: 0 });
});

test('objects are named by kind and programmatic name; fields by type and name', needsExports, () => {
  const raw = reference('sdk_mock_fn_main_mock_integration_export.res');
  const names = describeObjects(scopeExport(raw, ALL).data, ['fields', 'datatables', 'workflows']);
  assert.ok(names.includes('fields: __function/mock_input_text_with_value_string'));
  assert.ok(names.includes('datatables: mock_data_table'));
  assert.ok(names.includes('workflows: mock_workflow_two'));
  assert.equal(objectKey('rules', { name: 'Mock: Auto Rule', export_key: 'Mock: Auto Rule' }), 'Mock: Auto Rule');
});

test('diff: added, changed and unchanged by kind and name; ids, timestamps and computed values do not count', needsExports, () => {
  const raw = scopeExport(reference('sdk_mock_fn_main_mock_integration_export.res'), ALL).data;
  const same = diffExports(raw, raw, ALL_CONFIG_KINDS);
  assert.deepEqual([same.added, same.changed], [[], []]);
  assert.ok(same.unchanged > 20);

  const elsewhere = structuredClone(raw);
  const fns = elsewhere['functions'] as JsonObject[];
  fns[0]!['id'] = 999;
  fns[0]!['workflows'] = [{ programmatic_name: 'x' }];
  const table = (elsewhere['types'] as JsonObject[])[0]!;
  for (const col of Object.values(table['fields'] as JsonObject)) (col as JsonObject)['type_id'] = 4242;
  (elsewhere['workflows'] as JsonObject[])[0]!['last_modified_time'] = 1;
  assert.deepEqual(diffExports(raw, elsewhere, ALL_CONFIG_KINDS).changed, []);

  (elsewhere['actions'] as JsonObject[])[0]!['enabled'] = false;
  (elsewhere['fields'] as JsonObject[]).pop();
  const d = diffExports(raw, elsewhere, ALL_CONFIG_KINDS);
  assert.deepEqual(d.changed, ['rules: Mock: Auto Rule']);
  assert.equal(d.added.length, 1);
  assert.match(d.added[0]!, /^fields: /);
  assert.equal(canonical('rules', { b: 1, a: { d: 2, c: 1, id: 3 } }), '{"a":{"c":1,"d":2},"b":1}');
});

test('tags select what is pushed, then every object\'s tags are emptied (a datatable column named tags stays)', () => {
  const raw: JsonObject = {
    export_format_version: 2,
    functions: [
      { name: 'fn_tagged', tags: [{ tag_handle: 'push', value: null }], view_items: [{ tags: ['nested'] }] },
      { name: 'fn_untagged', tags: [] },
    ],
    types: [{ type_name: 'tbl', tags: ['push'], fields: { tags: { name: 'tags', tags: ['col'] } } }],
  };
  const { data } = scopeExport(raw, { kinds: ['functions', 'datatables'], tags: ['push'], name_prefixes: [] });
  assert.deepEqual(data['functions'], [{ name: 'fn_tagged', tags: [], view_items: [{ tags: [] }] }]);
  assert.deepEqual(data['types'], [{ type_name: 'tbl', tags: [], fields: { tags: { name: 'tags', tags: [] } } }]);
  assert.deepEqual(emptyTags({ tags: ['x'], list: [{ tags: [{ tag_handle: 'y' }] }] }), { tags: [], list: [{ tags: [] }] });
});

test('the export request asks for playbooks from SOAR 44 on (resilient-sdk\'s body otherwise)', () => {
  assert.deepEqual(exportRequest(43), { layouts: true, actions: true, phases_and_tasks: true });
  assert.deepEqual(exportRequest(44), { layouts: true, actions: true, phases_and_tasks: true, playbooks: true });
  assert.equal(exportRequest(51)['playbooks'], true);
});
