/**
 * Flow 2, view shared incidents, on the two-region network (real broker, two emulated SOARs,
 * two nodes talking mutual TLS): an EU analyst sets "Share read-only" for soar3 on an EU
 * incident; the table-changed rule runs clearing_share_incident; US (soar3) then lists and reads
 * it through its own node, whitelisted; revoking takes it away again. Also: one 404 for
 * not shared / missing / foreign brand, 403 for a brand not behind the caller, 400 for bad
 * paging, a peer that is down, and pagination.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WIRE_BUNDLE_MAX_BYTES } from '../../src/clearing/contracts/wire-bundle.js';
import { readDistributionRows } from '../../src/clearing/distribution-table.js';
import { PeerError } from '../../src/clearing/contracts/peer-error.js';
import { sharedIncident, sharedWindow, sharedWithMyBrand } from '../../src/clearing/shared-client.js';
import { sharedDetailPath, sharedListPath } from '../../src/clearing/contracts/shared-view.js';
import { isNotFound, LISTING_TEXT_LENGTH } from '../../src/clearing/shared-view.js';
import { DEFAULT_WHITELIST_YAML } from '../../src/config/whitelist.js';
import { ClearingError } from '../../src/core/errors.js';
import type { JsonObject, JsonValue } from '../../src/core/types.js';
import { NetworkWorld } from '../support/network-world.js';

const SECRET_PROPERTY = 'secret_codeword';
const SECRET_VALUE = 'TOPSECRET-7f3a9c';
const SECRET_REPORTER = 'Reporter-Confidential-4711';
const TABLE = 'clearing_distribution';

describe('share read-only and the shared view', () => {
  let world: NetworkWorld;
  before(async () => {
    world = await NetworkWorld.start();
    // SOAR refuses a custom field its org does not define.
    world.region('eu').emulator.state.addIncidentField(SECRET_PROPERTY);
  });
  after(async () => {
    await world?.stop();
  });

  const eu = () => world.region('eu');
  const us = () => world.region('us');
  const usNet = () => us().node.network;

  /** A new EU incident carrying secrets the whitelist must keep home; answers its id and its soar3 row. */
  async function euIncident(name: string): Promise<{ id: number; rowId: number }> {
    const soar = eu().soar;
    const incident = await soar.createIncident({
      name,
      discovered_date: Date.now(),
      description: `Visible description of ${name}`,
      reporter: SECRET_REPORTER,
      properties: { [SECRET_PROPERTY]: SECRET_VALUE },
    });
    await world.settle();
    const row = (await soar.getTableData(incident.id, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar3');
    assert.ok(row, 'the involve rule added the soar3 row');
    return { id: incident.id, rowId: row.id };
  }

  async function setReadOnly(incidentId: number, rowId: number, value: boolean): Promise<void> {
    await eu().soar.updateTableRow(incidentId, TABLE, rowId, { read_only: value });
    await world.settle();
  }

  async function sharedField(incidentId: number): Promise<JsonValue> {
    return (await eu().soar.getIncident(incidentId)).properties['clearing_shared_with'] ?? null;
  }

  async function soar3Row(incidentId: number) {
    return (await readDistributionRows(eu().soar, incidentId)).find((r) => r.brand === 'soar3')!;
  }

  /** The last share step run for the incident by `workflow`: its status and result content. */
  function lastShareStep(incidentId: number, workflow: string) {
    const runs = eu().emulator.workflows.instancesFor({ incidentId, workflow });
    const step = runs.at(-1)?.steps.find((s) => s.function === 'clearing_share_incident');
    assert.ok(step, `a ${workflow} run with a share step for incident ${incidentId}`);
    const content = (step.results as { content?: JsonObject } | null)?.content;
    return { step, content: content as { shared_with: string[]; revoked: string[]; unchanged: boolean } | undefined };
  }

  function assertNoSecrets(json: unknown): void {
    const text = JSON.stringify(json);
    for (const secret of [SECRET_VALUE, SECRET_REPORTER, SECRET_PROPERTY, 'clearing_shared_with', 'reporter']) {
      assert.ok(!text.includes(secret), `${secret} must not leave the EU brand`);
    }
  }

  async function peerFailure(path: string): Promise<PeerError> {
    const err = await usNet().peerFor('soar2').request('GET', path).then(
      () => assert.fail(`GET ${path} should fail`),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PeerError, String(err));
    return err;
  }

  let shared: { id: number; rowId: number };

  test('setting read_only for soar3 shares the incident: field set, row Informational', async () => {
    shared = await euIncident('Credential stuffing on EU portal');
    await eu().soar.addNote(shared.id, '<p>Blocked the source range at the edge.</p>');
    await eu().soar.addArtifact(shared.id, { type: 'IP Address', value: '203.0.113.7' });
    await setReadOnly(shared.id, shared.rowId, true);

    const { step, content } = lastShareStep(shared.id, 'wf_clearing_distribution_table_changed');
    assert.equal(step.status, 'completed', step.error ?? '');
    assert.deepEqual(content, { shared_with: ['soar3'], revoked: [], unchanged: false });
    assert.equal(await sharedField(shared.id), ',soar3,');
    const row = await soar3Row(shared.id);
    assert.equal(row.status, 'Informational');
    assert.match(row.message ?? '', /shared read-only/);
    assert.equal(row.readOnly, true, 'the flag is left as the analyst set it');
  });

  test('US lists it through its node, with whitelisted fields only', async () => {
    const list = await sharedWithMyBrand(usNet(), 'soar3', { page: 1, perPage: 50 });
    assert.deepEqual(list.sources.map((s) => [s.node, s.local, s.ok]), [['eu', false, true]]);
    assert.equal(list.total, 1);
    const [item] = list.items;
    assert.ok(item);
    assert.equal(item.owner_brand, 'soar2');
    assert.equal(item.owner_node, 'eu');
    assert.equal(item.incident_id, shared.id);
    assert.equal(item.incident['name'], 'Credential stuffing on EU portal');
    // A list item carries the listing fields the whitelist lets leave, not the whole incident.
    assert.deepEqual(Object.keys(item.incident).sort(), ['create_date', 'discovered_date', 'name', 'plan_status', 'severity_code']);
    for (const key of Object.keys(item.incident)) assert.ok(DEFAULT_WHITELIST_YAML.incident_fields.includes(key), `${key} is whitelisted`);
    assertNoSecrets(list);
  });

  test('US reads the detail: the whitelisted bundle with counts of what was left out', async () => {
    const detail = await sharedIncident(usNet(), 'soar3', 'soar2', shared.id);
    assert.equal(detail.incident_id, shared.id);
    assert.equal(detail.owner_node, 'eu');
    assert.equal(detail.incident['name'], 'Credential stuffing on EU portal');
    assert.equal(detail.incident['description'], 'Visible description of Credential stuffing on EU portal');
    assert.equal(detail.notes.length, 1);
    assert.match(JSON.stringify(detail.notes[0]), /Blocked the source range/);
    assert.deepEqual(detail.artifacts.map((a) => a['value']), ['203.0.113.7']);
    assert.ok(detail.dropped.incident_fields > 0 && detail.dropped.properties > 0, JSON.stringify(detail.dropped));
    assertNoSecrets(detail);
  });

  test('the menu item "Clearing: share now" applies the flags again; a second run changes nothing', async () => {
    // Someone emptied the field by hand: share now restores it from the table.
    await eu().soar.updateIncident(shared.id, (inc) => ({ ...inc, properties: { ...inc.properties, clearing_shared_with: null } }));
    const rule = (await eu().soar.get<{ entities: Array<{ id: number; name: string }> }>('/actions')).entities.find((r) => r.name === 'Clearing: share now');
    assert.ok(rule);
    await eu().soar.post(`/incidents/${shared.id}/action_invocations`, { action_id: rule.id, properties: {} });
    await world.settle();
    let { step, content } = lastShareStep(shared.id, 'wf_clearing_share_now');
    assert.equal(step.status, 'completed', step.error ?? '');
    assert.deepEqual(content, { shared_with: ['soar3'], revoked: [], unchanged: false });
    assert.equal(await sharedField(shared.id), ',soar3,');

    const vers = (await eu().soar.getIncident(shared.id)).vers;
    await eu().soar.post(`/incidents/${shared.id}/action_invocations`, { action_id: rule.id, properties: {} });
    await world.settle();
    ({ step, content } = lastShareStep(shared.id, 'wf_clearing_share_now'));
    assert.equal(step.status, 'completed', step.error ?? '');
    assert.deepEqual(content, { shared_with: ['soar3'], revoked: [], unchanged: true });
    assert.equal((await eu().soar.getIncident(shared.id)).vers, vers, 'the incident was not written');
  });

  test('not shared, missing, or of a brand the node does not serve: one and the same 404', async () => {
    const never = await euIncident('Never shared: internal audit');
    const notShared = await peerFailure(sharedDetailPath('soar3', 'soar2', never.id));
    const missing = await peerFailure(sharedDetailPath('soar3', 'soar2', 987_654));
    const foreign = await peerFailure(sharedDetailPath('soar3', 'soar9', shared.id));
    for (const err of [notShared, missing, foreign]) {
      assert.deepEqual([err.status, err.remoteCode, err.remoteMessage], [404, 'not_found', notShared.remoteMessage]);
    }
    assert.ok(!notShared.remoteMessage.includes(String(never.id)));
    await assert.rejects(sharedIncident(usNet(), 'soar3', 'soar2', never.id), (e: unknown) => isNotFound(e) && (e as ClearingError).httpStatus === 404);
    const list = await sharedWithMyBrand(usNet(), 'soar3', { page: 1, perPage: 50 });
    assert.ok(!list.items.some((i) => i.incident_id === never.id));
  });

  test('a known node asking for a brand that is not behind it: 403 forbidden', async () => {
    for (const path of [sharedListPath('soar2', 1, 10), sharedDetailPath('soar2', 'soar2', shared.id), sharedListPath('soar4', 1, 10)]) {
      const err = await peerFailure(path);
      assert.deepEqual([err.status, err.remoteCode], [403, 'forbidden'], path);
    }
  });

  test('bad paging parameters: 400 input_invalid', async () => {
    for (const query of ['page=0', 'page=abc', 'page=1.5', 'per_page=201', 'per_page=0', 'page=1&page=2', 'sort=name', 'page=-1']) {
      const err = await peerFailure(`/api/v1/brands/soar3/shared?${query}`);
      assert.deepEqual([err.status, err.remoteCode], [400, 'input_invalid'], query);
    }
    const err = await peerFailure('/api/v1/brands/soar3/shared/soar2/abc');
    assert.deepEqual([err.status, err.remoteCode], [400, 'input_invalid']);
    // Defaults: page 1, 50 a page.
    const answer = await usNet().peerFor('soar2').request<{ page: number; per_page: number }>('GET', '/api/v1/brands/soar3/shared');
    assert.deepEqual([answer.page, answer.per_page], [1, 50]);
  });

  test('revoking (clearing the flag) takes it away: gone from the list, detail 404, row cleared', async () => {
    await setReadOnly(shared.id, shared.rowId, false);
    const { step, content } = lastShareStep(shared.id, 'wf_clearing_distribution_table_changed');
    assert.equal(step.status, 'completed', step.error ?? '');
    assert.deepEqual(content, { shared_with: [], revoked: ['soar3'], unchanged: false });
    assert.ok([null, ''].includes(await sharedField(shared.id) as string | null));
    const row = await soar3Row(shared.id);
    assert.equal(row.status, null);
    assert.equal(row.message, 'no longer shared');

    const list = await sharedWithMyBrand(usNet(), 'soar3', { page: 1, perPage: 50 });
    assert.equal(list.total, 0);
    assert.deepEqual(list.items, []);
    await assert.rejects(sharedIncident(usNet(), 'soar3', 'soar2', shared.id), (e: unknown) => isNotFound(e));
  });

  test('pagination: 5 shared incidents, 2 a page -> 3 pages, newest first, total 5', async () => {
    const made: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const inc = await euIncident(`Paged incident ${i}`);
      await setReadOnly(inc.id, inc.rowId, true);
      made.push(inc.id);
    }
    const pages = [];
    for (let page = 1; page <= 4; page++) pages.push(await sharedWithMyBrand(usNet(), 'soar3', { page, perPage: 2 }));
    assert.deepEqual(pages.map((p) => p.total), [5, 5, 5, 5]);
    assert.deepEqual(pages.map((p) => p.items.length), [2, 2, 1, 0]);
    assert.deepEqual(pages.flatMap((p) => p.items.map((i) => i.incident_id)), [...made].reverse());
    for (const p of pages) assertNoSecrets(p);
  });

  test('EU node down: US lists EU as down, with why, and still answers', async () => {
    await world.stopNode('eu');
    const list = await sharedWithMyBrand(usNet(), 'soar3', { page: 1, perPage: 50 });
    assert.deepEqual(list.items, []);
    assert.equal(list.total, 0);
    const [source] = list.sources;
    assert.equal(list.sources.length, 1);
    assert.equal(source?.node, 'eu');
    assert.equal(source?.ok, false);
    assert.equal(source?.code, 'peer_unreachable');
    assert.match(source?.error ?? '', /unreachable/);
    assert.equal(typeof source?.latencyMs, 'number');
    await assert.rejects(sharedIncident(usNet(), 'soar3', 'soar2', shared.id), (e: unknown) => e instanceof ClearingError && e.code === 'peer_unreachable');
  });

  test('140 large shared incidents: a window of 1,000 (sorted, filtered views) still lists, with bounded summaries and labels', async () => {
    await world.startNode('eu');
    const state = eu().emulator.state;
    const big = (i: number, what: string): string => `${what} ${i} `.padEnd(64_000, what[0]);
    // Straight into the emulator (no rules): each incident ~128 kB of whitelisted text, 140 of
    // them ~18 MB, more than a peer answer may be (16 MiB) if a list page carried whole bodies.
    for (let i = 0; i < 140; i++) {
      state.createIncident(eu().soar.orgId, {
        name: big(i, 'Large name'),
        description: { format: 'html', content: big(i, 'Description') },
        discovered_date: Date.now(),
        severity_code: 52,
        properties: { clearing_shared_with: ',soar3,' },
      } as JsonObject, null);
    }
    const window = await sharedWindow(usNet(), 'soar3', 1000);
    assert.deepEqual(window.sources.map((s) => [s.node, s.ok, s.code ?? null]), [['eu', true, null]]);
    assert.ok(window.items.length >= 140, `${window.items.length} items`);
    const item = window.items.find((i) => String(i.incident['name']).startsWith('Large name 7 '));
    assert.ok(item);
    assert.deepEqual(Object.keys(item.incident).sort(), ['create_date', 'discovered_date', 'name', 'plan_status', 'severity_code']);
    assert.equal(String(item.incident['name']).length, LISTING_TEXT_LENGTH);
    assert.ok(String(item.incident['name']).endsWith('…'));
    // SOAR's codes and ids as its labels (from the field definitions).
    assert.deepEqual([item.incident['plan_status'], item.incident['severity_code']], ['Active', 'High']);
    const page = await usNet().peerFor('soar2').request<unknown>('GET', sharedListPath('soar3', 1, 200));
    assert.ok(JSON.stringify(page).length < 200 * 1024, `one page of 200: ${JSON.stringify(page).length} bytes`);
  });

  test('a shared incident over 16 MiB (within max_total_bytes) can be viewed, not only distributed', async () => {
    const state = eu().emulator.state;
    const inc = state.createIncident(eu().soar.orgId, {
      name: 'Huge shared incident',
      discovered_date: Date.now(),
      properties: { clearing_shared_with: ',soar3,' },
    } as JsonObject, null);
    const type = state.artifactType('IP Address')!;
    // ~20 MB: over the old 16 MiB answer limit, and quick enough for the default 15 s timeout on
    // a busy machine. The limit itself is the delivery's: whatever max_total_bytes lets leave.
    for (let i = 0; i < 200; i++) state.addArtifact(inc, type, `10.0.${i >> 8}.${i & 255} `.padEnd(50_000, 'v'), 'd'.repeat(50_000), null);
    const detail = await sharedIncident(usNet(), 'soar3', 'soar2', inc['id'] as number);
    const bytes = Buffer.byteLength(JSON.stringify(detail));
    assert.ok(bytes > 16 * 1024 * 1024, `${bytes} bytes`);
    assert.deepEqual([detail.artifacts.length, detail.dropped.artifacts], [200, 0]);
    assert.ok(WIRE_BUNDLE_MAX_BYTES >= DEFAULT_WHITELIST_YAML.max_total_bytes + 1024 * 1024, 'a whole max_total_bytes incident fits in an answer');
  });
});
