/**
 * SOAR's configuration export and import as the product uses them: the export body selects what
 * is exported (playbooks only with `"playbooks": true` on SOAR >= 44; resilient-sdk's
 * sdk_helpers asks for layouts, actions, phases and tasks), a key without the administrator
 * permissions gets 403 (explained with what to grant, per apikey_permissions.txt), and every
 * object's tags are emptied before an import (IBM resilient helpers.remove_tag, used by
 * resilient_customize.py).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyToBrand } from '../../src/clearing/config-apply.js';
import { exportConfiguration } from '../../src/clearing/config-export.js';
import { importConfiguration } from '../../src/soar/configuration.js';
import { ErrorCode } from '../../src/core/errors.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { SoarClient } from '../../src/soar/client.js';
import { SoarPermissionError } from '../../src/soar/errors.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { sharedBroker } from '../support/broker.js';
import { field, fnDef, importExport, restFor, rule, workflow } from '../support/export-builder.js';
import { memoryLogger } from '../support/world.js';

const TAG = [{ tag_handle: 'fn_tagged', value: null }];

/** A small export whose every object carries a tag, with a rule, a phase, a task and a playbook. */
function taggedExport(): JsonObject {
  const input = field('__function', 'cx_input', 'text', { tags: TAG });
  const fn = { ...fnDef('cx_fn', 'fn_cx', [input]), tags: TAG };
  return {
    export_format_version: 2,
    export_date: Date.now(),
    id: 1,
    server_version: { major: 51, minor: 0, build_number: 0, version: '51.0.0' },
    tags: [{ name: 'fn_tagged', tag_handle: 'fn_tagged' }],
    message_destinations: [{ programmatic_name: 'fn_cx', name: 'fn_cx', export_key: 'fn_cx', destination_type: 0, expect_ack: true, api_keys: [], users: [], tags: TAG }],
    fields: [input],
    functions: [fn],
    workflows: [{ ...workflow('cx_wf', 'incident', [{ fn }]), tags: TAG }],
    actions: [rule('CX: menu', 1, 'incident', ['cx_wf'], [], { tags: TAG })],
    phases: [{ name: 'CX phase', export_key: 'CX phase', order: 90, perms: { read: true }, uuid: 'c0000000-0000-4000-8000-000000000001', tags: TAG }],
    automatic_tasks: [{ programmatic_name: 'cx_task', name: 'CX task', export_key: 'cx_task', phase_id: 'CX phase', uuid: 'c0000000-0000-4000-8000-000000000002', tags: TAG }],
    playbooks: [{ name: 'cx_playbook', display_name: 'CX playbook', export_key: 'cx_playbook', uuid: 'c0000000-0000-4000-8000-000000000003', tags: TAG }],
    scripts: [],
    types: [],
  };
}

/** Every non-empty `tags` list in a JSON tree, by path. */
function tagsLeft(v: JsonValue | undefined, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => tagsLeft(x, `${path}[${i}]`));
  if (v === null || v === undefined || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [
    ...(k === 'tags' && Array.isArray(x) && x.length > 0 ? [`${path}.${k}`] : []),
    ...tagsLeft(x, `${path}.${k}`),
  ]);
}

describe('configuration export and import', () => {
  let emu: SoarEmulator;
  let admin: SoarClient;
  let readOnly: SoarClient;
  const log = memoryLogger().log;

  before(async () => {
    const broker = await sharedBroker();
    emu = await SoarEmulator.start({
      pki: broker.pki,
      apiKeys: [{ id: 'test-key', secret: 'test-secret' }, { id: 'read-only', secret: 'ro-secret', admin: false }],
    });
    admin = await SoarClient.connect(emu.soarConfig());
    readOnly = await SoarClient.connect(emu.soarConfig({ auth: { kind: 'api_key', api_key_id: 'read-only', api_key_secret: 'ro-secret' } }));
    await importExport(restFor(emu), taggedExport());
  });

  after(async () => {
    await admin?.close();
    await readOnly?.close();
    await emu?.stop();
  });

  test('the emulator exports what the body selects: rules, phases and tasks, layouts, playbooks only when asked for', async () => {
    const rest = restFor(emu);
    const bare = (await rest('POST', '/configurations/exports', {})).body as JsonObject;
    for (const section of ['actions', 'phases', 'automatic_tasks', 'playbooks', 'layouts']) assert.deepEqual(bare[section], [], section);
    assert.ok((bare['functions'] as JsonObject[]).some((f) => f['name'] === 'cx_fn'), 'functions always come');
    const sdk = (await rest('POST', '/configurations/exports', { layouts: true, actions: true, phases_and_tasks: true })).body as JsonObject;
    assert.ok((sdk['actions'] as JsonObject[]).some((r) => r['name'] === 'CX: menu'));
    assert.ok((sdk['automatic_tasks'] as JsonObject[]).some((t) => t['programmatic_name'] === 'cx_task'));
    assert.deepEqual(sdk['playbooks'], [], 'no playbooks without "playbooks": true');
    const all = (await rest('POST', '/configurations/exports', { layouts: true, actions: true, phases_and_tasks: true, playbooks: true })).body as JsonObject;
    assert.deepEqual((all['playbooks'] as JsonObject[]).map((p) => p['name']), ['cx_playbook']);
    assert.equal((await rest('POST', '/configurations/exports', [1])).status, 400);
  });

  test('the product asks for playbooks and gets them', async () => {
    emu.clearRequests();
    const exported = await exportConfiguration(admin);
    assert.deepEqual(emu.requestsTo('POST', '/configurations/exports')[0]?.body, { layouts: true, actions: true, phases_and_tasks: true, playbooks: true });
    assert.deepEqual((exported['playbooks'] as JsonObject[]).map((p) => p['name']), ['cx_playbook']);
  });

  test('a key without the administrator permissions: the 403 says what to grant', async () => {
    const exportErr = await exportConfiguration(readOnly).then(() => null, (e: unknown) => e);
    assert.ok(exportErr instanceof SoarPermissionError, String(exportErr));
    assert.equal(exportErr.code, ErrorCode.SoarPermission);
    assert.match(exportErr.message, /SOAR refused to export the configuration for API key read-only \(POST \/rest\/orgs\/201\/configurations\/exports\/: HTTP 403/);
    assert.match(exportErr.message, /apikey_permissions\.txt .*edit_data.*or an administrator role/);
    await assert.rejects(importConfiguration(readOnly, taggedExport(), log), (e: unknown) =>
      e instanceof SoarPermissionError && /refused to import the configuration/.test(e.message));
    // A brand receiving a push with such a key: failed, with the explanation.
    const r = await applyToBrand(readOnly, 'soar2', taggedExport(), { node: 'eu', dryRun: false, destinations: [], log });
    assert.equal(r.outcome, 'failed');
    assert.ok(r.messages.some((m) => /export the configuration .*apikey_permissions\.txt/.test(m)), r.messages.join('\n'));
  });

  test('every object\'s tags are emptied before an import', async () => {
    emu.clearRequests();
    const exp = taggedExport();
    assert.ok(tagsLeft(exp).length >= 8, 'the export carries tags everywhere');
    const imported = await importConfiguration(admin, exp, log);
    assert.equal(imported.status, 'ACCEPTED');
    const posted = emu.requestsTo('POST', '/configurations/imports')[0]?.body;
    assert.deepEqual(tagsLeft(posted), []);
    assert.ok(tagsLeft(exp).length >= 8, 'the caller\'s export is left as it was');
    const fn = emu.state.functions.find((f) => f['name'] === 'cx_fn')!;
    assert.deepEqual(fn['tags'], []);
  });
});
