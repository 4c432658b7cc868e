/**
 * Who may use a message destination, across `customize` and a configuration push: SOAR lists API
 * keys and users by numeric id unless names are asked for (GET /message_destinations sample;
 * IBM resilient-circuits resilient_customize.py appends the session's `api_key_handle`), and
 * QRadar SOAR 51.0.9 may give `api_key_handle` null. The emulator plays the strict readings: ids
 * by default, unknown entries refused on PUT, and an import replacing a destination's lists.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildExport, customization } from '../../customize/build.js';
import { applyToBrand } from '../../src/clearing/config-apply.js';
import { installCustomization } from '../../src/app/customize.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { SoarClient } from '../../src/soar/client.js';
import type { JsonObject } from '../../src/core/types.js';
import { sharedBroker } from '../support/broker.js';
import { memoryLogger } from '../support/world.js';

const DEST = customization.destination;

describe('message destination access', () => {
  let emu: SoarEmulator;
  /** The app's key (handle in the session) and one whose session gives api_key_handle null. */
  let app: SoarClient;
  let nameless: SoarClient;
  const log = memoryLogger().log;

  const destination = (): JsonObject => emu.state.findDestination(DEST)!;
  const handleOf = (id: string): number => emu.state.apiKeys.find((k) => k.id === id)!.handle;

  before(async () => {
    const broker = await sharedBroker();
    emu = await SoarEmulator.start({
      pki: broker.pki,
      apiKeys: [
        { id: 'test-key', secret: 'test-secret' },
        { id: 'other-app', secret: 'other-secret' },
        { id: 'nameless-key', secret: 'nameless-secret', handleInSession: false },
      ],
    });
    app = await SoarClient.connect(emu.soarConfig());
    nameless = await SoarClient.connect(emu.soarConfig({ auth: { kind: 'api_key', api_key_id: 'nameless-key', api_key_secret: 'nameless-secret' } }));
  });

  after(async () => {
    await app?.close();
    await nameless?.close();
    await emu?.stop();
  });

  test('the emulator lists ids by default and names on request, and refuses entries nobody answers to', async () => {
    await installCustomization(app, buildExport(), DEST, log);
    const id = destination()['id'] as number;
    const byId = await app.get<JsonObject>(`/message_destinations/${id}`);
    assert.deepEqual(byId['api_keys'], [handleOf('test-key')]);
    const byName = await app.get<JsonObject>(`/message_destinations/${id}`, { query: { handle_format: 'names' } });
    assert.deepEqual(byName['api_keys'], [app.identity.apiKeyClientId]);
    await assert.rejects(app.put(`/message_destinations/${id}`, { ...byId, api_keys: [999] }), /API key 999 not found/);
    await assert.rejects(app.put(`/message_destinations/${id}`, { ...byId, users: ['nobody@example.com'] }), /User "nobody@example.com" not found/);
    assert.deepEqual(destination()['api_keys'], [handleOf('test-key')], 'a refused PUT changes nothing');
  });

  test('customize keeps the numeric entries it did not write and recognises its own grant by handle', async () => {
    const other = handleOf('other-app');
    const user = emu.state.users[0]!.id;
    destination()['api_keys'] = [other];
    destination()['users'] = [user];
    const first = await installCustomization(app, buildExport(), DEST, log);
    assert.equal(first.destination.access, 'granted');
    assert.deepEqual(destination()['api_keys'], [other, handleOf('test-key')]);
    assert.deepEqual(destination()['users'], [user], 'the user the import removed is back');
    const second = await installCustomization(app, buildExport(), DEST, log);
    assert.equal(second.destination.access, 'already');
    assert.ok(second.destination.restored > 0, 'the import (strict: replacing the lists) removed them; they were put back');
    assert.deepEqual(destination()['api_keys'], [other, handleOf('test-key')]);
    assert.deepEqual(destination()['users'], [user]);
  });

  test('with api_key_handle null the key is granted by name (handle_format=names), once', async () => {
    assert.equal(nameless.identity.apiKeyHandle, null);
    const first = await installCustomization(nameless, buildExport(), DEST, log);
    assert.equal(first.destination.access, 'granted');
    assert.deepEqual(destination()['api_keys'], [handleOf('other-app'), handleOf('test-key'), handleOf('nameless-key')]);
    const puts = emu.requestsTo('PUT', /\/message_destinations\/\d+$/);
    assert.equal(puts.at(-1)?.query['handle_format'], 'names');
    const second = await installCustomization(nameless, buildExport(), DEST, log);
    assert.equal(second.destination.access, 'already');
    assert.deepEqual(destination()['api_keys'], [handleOf('other-app'), handleOf('test-key'), handleOf('nameless-key')]);
  });

  test('a configuration push received keeps every key of the pushed destinations and grants its own', async () => {
    const before = [...(destination()['api_keys'] as number[])];
    // Another app's destination, pushed too: its access list travels empty (never API keys).
    emu.state.addMessageDestination({ programmatic_name: 'fn_other_app' });
    const otherDest = emu.state.findDestination('fn_other_app')!;
    otherDest['api_keys'] = [handleOf('other-app')];
    const pushed = structuredClone(buildExport()) as unknown as JsonObject;
    pushed['message_destinations'] = [
      ...(pushed['message_destinations'] as JsonObject[]),
      { programmatic_name: 'fn_other_app', name: 'fn_other_app', export_key: 'fn_other_app', destination_type: 0, expect_ack: true, api_keys: [], users: [], tags: [] },
    ];
    pushed['functions'] = [...(pushed['functions'] as JsonObject[]), { name: 'other_fn', display_name: 'Other', destination_handle: 'fn_other_app', export_key: 'other_fn', uuid: 'a0000000-0000-4000-8000-0000000000aa', view_items: [], tags: [], version: 1 }];
    const r = await applyToBrand(app, 'soar2', pushed, { node: 'eu', dryRun: false, destinations: [DEST], log });
    assert.equal(r.outcome, 'imported', JSON.stringify(r));
    assert.deepEqual(destination()['api_keys'], before);
    assert.deepEqual(otherDest['api_keys'], [handleOf('other-app')]);
    assert.ok(r.messages.some((m) => /fn_other_app: 1 entries the import removed put back/.test(m)), r.messages.join('\n'));
  });
});
