/**
 * Distribution end to end on the two-region network (real broker, two emulated SOARs, two
 * nodes talking over mutual TLS): an EU analyst flags the soar3 row of an incident, the copy
 * appears in US's SOAR (origin marked, origin note, whitelisted notes and artifacts only, the
 * acknowledgement task), the row gets Pending and the remote id; distributing again refreshes
 * the same copy; an unreachable US node leaves the row Undelivered until "distribute now"
 * delivers; a copy is not distributed further unless allowed; the peer route refuses a peer
 * speaking for a brand that is not behind it, and serializes concurrent deliveries.
 *
 * Both emulators run with strict custom fields (SOAR refuses unknown `properties`), so a
 * received custom field the target does not define would fail the create if it got through.
 */
import type { FunctionContext } from '../../src/worker/function.js';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ClearingNetwork } from '../../src/clearing/network.js';
import { PeerClient } from '../../src/clearing/peer-client.js';
import { PeerError } from '../../src/clearing/contracts/peer-error.js';
import { type DistributeAnswer, type DistributeBody, distributePath } from '../../src/clearing/contracts/distribute.js';
import { receiveCopy } from '../../src/clearing/receive.js';
import { loadConfig } from '../../src/config/index.js';
import { ClearingError } from '../../src/core/errors.js';
import type { SoarClient } from '../../src/soar/client.js';
import type { Incident } from '../../src/soar/dto.js';
import type { JsonValue } from '../../src/core/types.js';
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK } from '../../customize/tasks.js';
import distributeFunction from '../../functions/clearing_distribute_incident.js';
import { functions as allFunctions } from '../../functions/index.js';
import { collectingLogger } from '../support/loggers.js';
import { NetworkWorld, type Region } from '../support/network-world.js';

const TABLE = 'clearing_distribution';

/** Custom fields sent (one the US SOAR lacks) and one that is never sent. */
const WHITELIST_YAML = [
  '  properties: [eu_shared_field, eu_only_field]',
  '  artifacts: { types: [IP Address, DNS Name] }',
].join('\n');

interface Outcome {
  brand: string;
  node: string | null;
  outcome: 'delivered' | 'updated' | 'undelivered' | 'skipped';
  remote_incident_id: number | null;
  reason: string | null;
}
interface DistributeResult {
  incident_id: number;
  distributions: Outcome[];
}

let world: NetworkWorld;
let eu: Region;
let us: () => Region;
const clients: PeerClient[] = [];

async function ruleId(soar: SoarClient, name: string): Promise<number> {
  const rule = (await soar.get<{ entities: { id: number; name: string }[] }>('/actions')).entities.find((r) => r.name === name);
  assert.ok(rule, `rule '${name}' is installed`);
  return rule.id;
}

async function rowOf(soar: SoarClient, incidentId: number, brand: string): Promise<{ id: number; cells: Record<string, JsonValue> }> {
  const row = (await soar.getTableData(incidentId, TABLE)).rows.find((r) => r.cells['brand']?.value === brand);
  assert.ok(row, `incident ${incidentId} has a row for ${brand}`);
  return { id: row.id, cells: Object.fromEntries(Object.entries(row.cells).map(([k, c]) => [k, c.value])) };
}

/** The distribute step's result content of a workflow instance, if it got that far. */
function resultOf(results: Record<string, JsonValue>): DistributeResult | null {
  const payload = results['clearing_distribute_result'] as unknown as { content: DistributeResult } | undefined;
  return payload?.content ?? null;
}

/** Runs the incident menu item "Clearing: distribute now" in a region and answers the finished instance's result. */
async function distributeNow(region: Region, incidentId: number): Promise<{ status: string; error: string | null; result: DistributeResult | null }> {
  const actionId = await ruleId(region.soar, 'Clearing: distribute now');
  const before = region.emulator.workflows.instancesFor({ incidentId, rule: 'Clearing: distribute now' }).length;
  await region.soar.post(`/incidents/${incidentId}/action_invocations`, { action_id: actionId, properties: {} });
  await world.settle();
  const runs = region.emulator.workflows.instancesFor({ incidentId, rule: 'Clearing: distribute now' });
  assert.equal(runs.length, before + 1);
  const run = runs[runs.length - 1]!;
  return { status: run.status, error: run.error, result: resultOf(run.results) };
}

async function copiesOf(region: Region, originBrand: string, originId: number): Promise<Incident[]> {
  return world.copiesOf(region.spec.nodeId, originBrand, originId);
}

function noteTexts(notes: { text: JsonValue }[]): string[] {
  return notes.map((n) => (typeof n.text === 'string' ? n.text : JSON.stringify(n.text)));
}

/** An EU incident with whitelisted and non-whitelisted content; the coordination rule adds its soar3 row. */
async function euIncident(name: string): Promise<Incident> {
  const incident = await eu.soar.createIncident({
    name,
    discovered_date: Date.now() - 3_600_000,
    description: { format: 'html', content: '<p>Credential phishing against the EU finance team.</p>' },
    properties: { eu_shared_field: 'shared value', eu_only_field: 'only EU defines this field', eu_secret_field: 'never leaves EU' },
  });
  await eu.soar.addNote(incident.id, '<p>Sender address spoofed; 14 recipients clicked.</p>');
  await eu.soar.addArtifact(incident.id, { type: 'IP Address', value: '203.0.113.7', description: 'phishing landing page' });
  await eu.soar.addArtifact(incident.id, { type: 'User Account', value: 'jdoe', description: 'compromised account' });
  await world.settle();
  await rowOf(eu.soar, incident.id, 'soar3');
  return incident;
}


function fakeContext(region: Region, network: ClearingNetwork, soar: SoarClient): FunctionContext {
  const { logger } = collectingLogger();
  return {
    status: async () => undefined,
    log: logger,
    soar,
    signal: new AbortController().signal,
    invocation: {
      brand: region.spec.brand, functionName: distributeFunction.name, correlationId: 'test', messageId: 'test',
      workflowInstanceId: null, workflow: null, principal: null, redelivered: false,
    },
    nodeId: region.spec.nodeId,
    network,
  };
}

describe('distributing an incident to another brand', () => {
  let incident: Incident;
  let copyId: number;

  before(async () => {
    world = await NetworkWorld.start({ whitelistYaml: WHITELIST_YAML });
    eu = world.region('eu');
    us = () => world.region('us');
    for (const name of ['eu_shared_field', 'eu_only_field', 'eu_secret_field']) eu.emulator.state.addIncidentField(name);
    for (const name of ['eu_shared_field', 'eu_secret_field']) us().emulator.state.addIncidentField(name);
    for (const r of [eu, us()]) Object.assign(r.emulator.state, { strictFields: true });
  });
  after(async () => {
    for (const c of clients) c.close();
    await world?.stop();
  });

  test('an analyst flags the soar3 row: the copy appears in US, the row gets Pending and the remote id', async () => {
    incident = await euIncident('Phishing wave against EU finance');
    const row = await rowOf(eu.soar, incident.id, 'soar3');
    await eu.soar.updateTableRow(incident.id, TABLE, row.id, { distribute: true });
    await world.settle();
    const [changed] = eu.emulator.workflows.instancesFor({ incidentId: incident.id, rule: 'Clearing: distribution table changed' });
    assert.ok(changed, 'the table-changed rule fired');
    if (allFunctions.some((f) => f.name === 'clearing_share_incident')) {
      assert.equal(changed.status, 'completed', changed.error ?? '');
      const result = resultOf(changed.results)!;
      assert.equal(result.distributions.length, 1);
      assert.equal(result.distributions[0]!.outcome, 'delivered');
    } else {
      // Without the share function the workflow stops at its first step; distribute by hand.
      assert.equal(changed.status, 'failed');
      assert.match(changed.error ?? '', /function_unknown/);
      const run = await distributeNow(eu, incident.id);
      assert.equal(run.status, 'completed', run.error ?? '');
    }

    const copies = await copiesOf(us(), 'soar2', incident.id);
    assert.equal(copies.length, 1, 'one copy in US');
    const copy = await us().soar.getIncident(copies[0]!.id);
    copyId = copy.id;
    assert.equal(copy.name, 'Phishing wave against EU finance');
    assert.match(String(copy.description), /Credential phishing against the EU finance team/);
    assert.equal(copy.properties['clearing_origin_brand'], 'soar2');
    assert.equal(copy.properties['clearing_origin_incident_id'], String(incident.id));
    assert.equal(copy.properties['eu_shared_field'], 'shared value');
    assert.equal(copy.properties['eu_secret_field'] ?? null, null, 'a custom field outside the whitelist never leaves EU');
    assert.ok(!('eu_only_field' in copy.properties), 'a custom field US does not define is left out');

    const notes = noteTexts(await us().soar.listNotes(copyId));
    assert.equal(notes.filter((t) => t.includes('Sender address spoofed')).length, 1);
    const origin = notes.filter((t) => t.includes('Received from brand soar2 (node eu), incident'));
    assert.equal(origin.length, 1, 'one origin note');
    assert.match(origin[0]!, new RegExp(`incident ${incident.id}, through the clearing network`));
    assert.match(origin[0]!, /Filtered out by the sender's whitelist: \d+ incident fields, \d+ custom fields, 1 artifact\./);
    assert.match(origin[0]!, /1 custom field\(s\) this SOAR does not define \(eu_only_field\)/);

    const artifacts = await us().soar.listArtifacts(copyId, { query: { handle_format: 'names' } });
    assert.deepEqual(artifacts.map((a) => [a.type, a.value]), [['IP Address', '203.0.113.7']], 'only the whitelisted artifact type');
    assert.equal(artifacts[0]!.description, 'phishing landing page');

    const tasks = await us().soar.listIncidentTasks(copyId);
    const ack = tasks.filter((t) => t.name === ACKNOWLEDGE_RECEIVED_INCIDENT_TASK.name);
    assert.equal(ack.length, 1);
    assert.equal(ack[0]!.required, true);
    assert.equal(tasks.filter((t) => t.name === 'Involve Group Coordination').length, 0, 'a copy is not coordinated again');
    assert.equal((await us().soar.getTableData(copyId, TABLE)).rows.length, 0);

    const after = await rowOf(eu.soar, incident.id, 'soar3');
    assert.equal(after.cells['status'], 'Pending');
    assert.equal(after.cells['remote_incident_id'], String(copyId));
    assert.equal(after.cells['distribute'], true, 'the flag stays as the analyst set it');
    assert.match(String(after.cells['message']), new RegExp(`^delivered to soar3 \\(node us\\) as incident ${copyId}; filtered out by the sender's whitelist: `));
    assert.equal(typeof after.cells['last_update'], 'number');
  });

  test('distributing again updates the same copy: no duplicate, fields refreshed, new notes once', async () => {
    await eu.soar.updateIncident(incident.id, (inc) => ({ ...inc, name: 'Phishing wave against EU finance (escalated)', properties: { ...inc.properties, eu_shared_field: 'changed value' } }));
    await eu.soar.addNote(incident.id, '<p>Second wave from a new sender domain.</p>');

    const run = await distributeNow(eu, incident.id);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.deepEqual(run.result?.distributions.map((d) => [d.brand, d.node, d.outcome, d.remote_incident_id, d.reason]), [['soar3', 'us', 'updated', copyId, null]]);

    const copies = await copiesOf(us(), 'soar2', incident.id);
    assert.deepEqual(copies.map((c) => c.id), [copyId]);
    const copy = await us().soar.getIncident(copyId);
    assert.equal(copy.name, 'Phishing wave against EU finance (escalated)');
    assert.equal(copy.properties['eu_shared_field'], 'changed value');
    const notes = noteTexts(await us().soar.listNotes(copyId));
    assert.equal(notes.filter((t) => t.includes('Sender address spoofed')).length, 1);
    assert.equal(notes.filter((t) => t.includes('Second wave from a new sender domain')).length, 1);
    assert.equal(notes.filter((t) => t.includes('Received from brand soar2')).length, 1, 'no second origin note');
    assert.equal((await us().soar.listArtifacts(copyId)).length, 1);
    assert.equal((await us().soar.listIncidentTasks(copyId)).filter((t) => t.name === ACKNOWLEDGE_RECEIVED_INCIDENT_TASK.name).length, 1);

    const row = await rowOf(eu.soar, incident.id, 'soar3');
    assert.equal(row.cells['status'], 'Pending');
    assert.equal(row.cells['remote_incident_id'], String(copyId));
    assert.match(String(row.cells['message']), new RegExp(`^copy in soar3 \\(node us\\) updated: incident ${copyId}; `));

    // The row's own menu item sends to its brand alone: the same copy again.
    const actionId = await ruleId(eu.soar, 'Clearing: distribute to this brand');
    await eu.soar.post(`/incidents/${incident.id}/table_data/${TABLE}/row_data/${row.id}/action_invocations`, { action_id: actionId, properties: {} });
    await world.settle();
    const [byRow] = eu.emulator.workflows.instancesFor({ incidentId: incident.id, rule: 'Clearing: distribute to this brand' });
    assert.equal(byRow?.status, 'completed', byRow?.error ?? '');
    const content = resultOf(byRow!.results)!;
    assert.deepEqual(content.distributions.map((d) => [d.brand, d.outcome, d.remote_incident_id]), [['soar3', 'updated', copyId]]);
    assert.deepEqual((await copiesOf(us(), 'soar2', incident.id)).map((c) => c.id), [copyId]);
  });

  test('one distribution reads the incident once (the EU emulator counts the GETs)', async () => {
    const incidentPath = new RegExp(`/incidents/${incident.id}$`);
    eu.emulator.clearRequests();
    const run = await distributeNow(eu, incident.id);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal(run.result?.distributions[0]?.outcome, 'updated');
    const reads = eu.emulator.requestsTo('GET', incidentPath);
    assert.equal(reads.length, 1, `GET /incidents/${incident.id}: ${reads.length} requests`);
    assert.equal(reads[0]!.query['handle_format'], 'names', 'read as the whitelist filters it: handles as names');
    // The acknowledgement mark, when written, starts from that read: no second GET before its PUT.
    for (const put of eu.emulator.requestsTo('PUT', incidentPath)) assert.equal(put.query['handle_format'], 'names');
  });

  test('US node down: the row is Undelivered with the reason; once it is back, "distribute now" delivers', async () => {
    const fresh = await euIncident('Malware beacon in EU plant');
    const row = await rowOf(eu.soar, fresh.id, 'soar3');
    await world.stopNode('us');
    try {
      await eu.soar.updateTableRow(fresh.id, TABLE, row.id, { distribute: true });
      await world.settle();
      const run = await distributeNow(eu, fresh.id);
      assert.equal(run.status, 'completed', run.error ?? '');
      const [outcome] = run.result!.distributions;
      assert.equal(outcome?.outcome, 'undelivered');
      assert.match(outcome?.reason ?? '', /^peer us unreachable: connection refused/);
      const after = await rowOf(eu.soar, fresh.id, 'soar3');
      assert.equal(after.cells['status'], 'Undelivered');
      assert.equal(after.cells['remote_incident_id'] ?? null, null);
      assert.match(String(after.cells['message']), /^undelivered to soar3 \(node us\): peer us unreachable: connection refused/);

      // A row that already tracks a delivered copy keeps its status and remote id: only the refresh failed.
      const refresh = await distributeNow(eu, incident.id);
      assert.equal(refresh.result?.distributions[0]?.outcome, 'undelivered');
      assert.equal(refresh.result?.distributions[0]?.remote_incident_id, copyId);
      const kept = await rowOf(eu.soar, incident.id, 'soar3');
      assert.equal(kept.cells['status'], 'Pending');
      assert.equal(kept.cells['remote_incident_id'], String(copyId));
      assert.match(String(kept.cells['message']), new RegExp(`^could not update the copy in soar3 \\(node us\\), incident ${copyId}: peer us unreachable`));
    } finally {
      await world.startNode('us');
    }
    const run = await distributeNow(eu, fresh.id);
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal(run.result!.distributions[0]?.outcome, 'delivered');
    const copies = await copiesOf(us(), 'soar2', fresh.id);
    assert.equal(copies.length, 1);
    const after = await rowOf(eu.soar, fresh.id, 'soar3');
    assert.equal(after.cells['status'], 'Pending');
    assert.equal(after.cells['remote_incident_id'], String(copies[0]!.id));
  });

  test('a copy is not distributed further unless network.allow_redistribution is set', async () => {
    const refused = await distributeNow(us(), copyId);
    assert.equal(refused.status, 'failed');
    assert.match(refused.error ?? '', /function_failed/);
    assert.match(refused.error ?? '', new RegExp(`incident ${copyId} is a copy received from brand soar2 \\(its incident ${incident.id}\\)`));
    assert.match(refused.error ?? '', /network\.allow_redistribution: true/);

    // The same node with the setting on (its config file, one line added), run directly.
    const region = us();
    const path = `${region.configPath}.redistribute.yaml`;
    writeFileSync(path, readFileSync(region.configPath, 'utf8').replace(/^network:\n/m, 'network:\n  allow_redistribution: true\n'));
    const config = loadConfig({ path, env: {} });
    assert.equal(config.network?.allow_redistribution, true);
    const network = new ClearingNetwork(config, collectingLogger().logger);
    network.registerLocal('soar3', region.soar);
    try {
      await region.soar.addTableRow(copyId, TABLE, { brand: 'soar2' });
      const result = await distributeFunction.handler({ incident_id: copyId, clearing_brand: 'soar2' }, fakeContext(region, network, region.soar)) as unknown as DistributeResult;
      assert.equal(result.distributions[0]?.outcome, 'delivered', result.distributions[0]?.reason ?? '');
      const back = await copiesOf(eu, 'soar3', copyId);
      assert.equal(back.length, 1, 'EU received a copy of the copy, marked with US as its origin');
      assert.equal(back[0]!.id, result.distributions[0]!.remote_incident_id);
    } finally {
      network.close();
    }
  });

  test('a received copy is owned as network.received says: owner_id the user, members the group', async () => {
    const region = us();
    const path = `${region.configPath}.received.yaml`;
    writeFileSync(path, readFileSync(region.configPath, 'utf8').replace(/^network:\n/m, 'network:\n  received: { owner: analyst@us.example.com, group: CSIRT US }\n'));
    region.emulator.state.addUser({ email: 'analyst@us.example.com', password: 'Analyst-us-1', groups: ['CSIRT US'] });
    const network = new ClearingNetwork(loadConfig({ path, env: {} }), collectingLogger().logger);
    network.registerLocal('soar3', region.soar);
    try {
      const answer = await receiveCopy(network, 'soar3', {
        origin: { node: 'eu', brand: 'soar2', incident_id: 900_002 },
        incident: { name: 'Owned copy', discovered_date: Date.now(), plan_status: 'C', owner_id: 7, properties: {} },
        notes: [], artifacts: [], attachments: [], tasks: [],
        dropped: { incident_fields: 0, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 },
      });
      assert.equal(answer.created, true);
      // Principals are handles: names only with handle_format=names.
      const copy = await region.soar.getIncident(answer.remote_incident_id, { query: { handle_format: 'names' } });
      assert.equal(copy.owner_id, 'analyst@us.example.com');
      assert.deepEqual(copy['members'], ['CSIRT US']);
      assert.equal((await region.soar.getIncident(answer.remote_incident_id)).plan_status, 'A', 'the receiving brand closes its copy itself');
      const notes = noteTexts(await region.soar.listNotes(answer.remote_incident_id));
      assert.equal(notes.length, 1);
      assert.match(notes[0]!, /^<p>Received from brand soar2 \(node eu\), incident 900002, through the clearing network\. Nothing filtered out by the sender's whitelist\.<\/p>$/);
    } finally {
      network.close();
    }
  });

  test('input errors: a brand outside the network, the own brand, a brand without a row', async () => {
    const ctx = fakeContext(eu, eu.node.network, eu.soar);
    const call = (brand: string): Promise<unknown> => distributeFunction.handler({ incident_id: incident.id, clearing_brand: brand }, ctx);
    await assert.rejects(call('soar9'), (err: unknown) => err instanceof ClearingError && err.code === 'input_invalid' && /brand 'soar9' is not part of the clearing network \(known: soar2, soar3\)/.test(err.message));
    await assert.rejects(call('soar2'), (err: unknown) => err instanceof ClearingError && err.code === 'input_invalid' && /belongs to brand 'soar2' itself/.test(err.message));
    const bare = await eu.soar.createIncident({ name: 'No coordination yet', discovered_date: Date.now() });
    await world.settle();
    const rows = (await eu.soar.getTableData(bare.id, TABLE)).rows;
    for (const r of rows) await eu.soar.deleteTableRow(bare.id, TABLE, r.id);
    await assert.rejects(
      distributeFunction.handler({ incident_id: bare.id, clearing_brand: 'soar3' }, ctx),
      (err: unknown) => err instanceof ClearingError && err.code === 'input_invalid' && /has no distribution row for brand 'soar3'/.test(err.message),
    );
    // Nothing flagged: nothing sent, nothing failed.
    const none = await distributeFunction.handler({ incident_id: bare.id }, ctx) as unknown as DistributeResult;
    assert.deepEqual(none.distributions, []);
  });

  describe('the peer route POST /api/v1/brands/:brand/incidents', () => {
    let asEu: PeerClient;
    const body = (origin: Partial<DistributeBody['origin']>, extra: Partial<DistributeBody> = {}): DistributeBody => ({
      origin: { node: 'eu', brand: 'soar2', incident_id: 900_001, ...origin },
      incident: { name: 'Synthetic delivery', discovered_date: Date.now(), properties: { eu_shared_field: 'x', not_defined_in_us: 'y' } },
      notes: [{ text: '<p>synthetic note</p>' }],
      artifacts: [{ type: 'DNS Name', value: 'evil.example.com' }],
      attachments: [],
      tasks: [],
      dropped: { incident_fields: 2, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 },
      ...extra,
    });

    before(() => {
      const tls = eu.config.node.tls!;
      asEu = new PeerClient({ self: { id: 'eu', tls }, peer: { id: 'us', url: `https://127.0.0.1:${us().peerPort}`, brands: ['soar3'] }, timeoutMs: 30_000, log: collectingLogger().logger });
      clients.push(asEu);
    });

    async function refusal(path: string, b: unknown): Promise<PeerError> {
      const err = await asEu.request('POST', path, b).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof PeerError, String(err));
      return err;
    }

    test('a peer claiming an origin brand that is not behind it: 403 forbidden', async () => {
      for (const brand of ['soar3', 'soar9']) {
        const err = await refusal(distributePath('soar3'), body({ brand }));
        assert.equal(err.status, 403);
        assert.equal(err.remoteCode, 'forbidden');
        assert.match(err.remoteMessage, new RegExp(`peer eu does not serve brand '${brand}'`));
      }
      const node = await refusal(distributePath('soar3'), body({ node: 'us' }));
      assert.equal(node.status, 403);
      assert.match(node.remoteMessage, /origin\.node 'us' is not the calling node 'eu'/);
      assert.equal((await copiesOf(us(), 'soar3', 900_001)).length + (await copiesOf(us(), 'soar9', 900_001)).length, 0);
    });

    test('a brand this node does not serve: 403 before the body is read; a malformed body: 400', async () => {
      const err = await refusal(distributePath('soar2'), body({}));
      assert.equal(err.status, 403);
      assert.match(err.remoteMessage, /brand 'soar2' is not served by node 'us'/);
      const bad = await refusal(distributePath('soar3'), { origin: { node: 'eu', brand: 'soar2' }, incident: {} });
      assert.equal(bad.status, 400);
      assert.equal(bad.remoteCode, 'body_invalid');
    });

    test('two deliveries of one copy at once make one incident; unknown custom fields do not fail it', async () => {
      // The first create is held long enough for the second delivery to arrive meanwhile.
      us().emulator.faults.delayNext(1, 2500, { method: 'POST', path: /\/incidents$/ });
      const [a, b] = await Promise.all([
        asEu.request<DistributeAnswer>('POST', distributePath('soar3'), body({})),
        asEu.request<DistributeAnswer>('POST', distributePath('soar3'), body({})),
      ]);
      assert.equal(a.remote_incident_id, b.remote_incident_id);
      assert.deepEqual([a.created, b.created].sort(), [false, true]);
      const copies = await copiesOf(us(), 'soar2', 900_001);
      assert.deepEqual(copies.map((c) => c.id), [a.remote_incident_id]);
      const copy = await us().soar.getIncident(a.remote_incident_id);
      assert.equal(copy.properties['eu_shared_field'], 'x');
      assert.ok(!('not_defined_in_us' in copy.properties));
      const notes = noteTexts(await us().soar.listNotes(a.remote_incident_id));
      assert.equal(notes.filter((t) => t.includes('synthetic note')).length, 1);
      const origin = notes.filter((t) => t.includes('Received from brand soar2 (node eu), incident 900001'));
      assert.equal(origin.length, 1);
      assert.match(origin[0]!, /Filtered out by the sender's whitelist: 2 incident fields\./);
      assert.match(origin[0]!, /\(not_defined_in_us\)/);
      assert.equal((await us().soar.listArtifacts(a.remote_incident_id)).length, 1);
    });
  });
});
