/**
 * Triage and acknowledgement end to end on the two-region network (EU brand soar2 distributes to
 * US brand soar3): distribute -> Pending; the US analyst closes the acknowledgement task ->
 * Acknowledged on EU's row; US closes its copy -> Resolved; a copy left pending while the
 * sweep's clock moves 25 h -> Not Acknowledged; US node down -> Undelivered, retried by the
 * sweep once it is back -> Pending. Then a priority assessment whose score crosses a threshold
 * distributes on its own (mode first: once). The peer route refuses a node reporting for a
 * brand it does not serve.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PeerClient } from '../../src/clearing/peer-client.js';
import { PeerError } from '../../src/clearing/contracts/peer-error.js';
import type { SoarClient } from '../../src/soar/client.js';
import type { Incident } from '../../src/soar/dto.js';
import { ackPath } from '../../src/clearing/contracts/acknowledgements.js';
import { TriageSweep } from '../../src/triage/sweep.js';
import type { JsonValue } from '../../src/core/types.js';
import { ACKNOWLEDGE_RECEIVED_INCIDENT_TASK } from '../../customize/tasks.js';
import { collectingLogger } from '../support/loggers.js';
import { NetworkWorld, type Region } from '../support/network-world.js';

const TABLE = 'clearing_distribution';
const HOUR = 3_600_000;

const TRIAGE_YAML = `triage:
  sweep_interval_s: 0
  assets:
    asset-1: { ips: [10.1.0.0/16], operations: 3, security: 3, business_impact: /All Asset/Business Impact/Analysis/Business Role/Revenue }
    desktops: { ips: [192.168.0.0/16], group: true, operations: 1, security: 1 }
  thresholds:
    - { name: high-priority, score_at_least: 6, mode: first, distribute_to: [soar3] }
    - name: shared-domain
      shared_artifact: { incidents: 3, within_minutes: 30, types: [DNS Name] }
      mode: first
      distribute_to: [soar3]`;

let world: NetworkWorld;
let eu: Region;
const us = (): Region => world.region('us');

async function row(soar: SoarClient, incidentId: number, brand = 'soar3'): Promise<Record<string, JsonValue>> {
  const found = (await soar.getTableData(incidentId, TABLE)).rows.find((r) => r.cells['brand']?.value === brand);
  assert.ok(found, `incident ${incidentId} has a row for ${brand}`);
  return Object.fromEntries(Object.entries(found.cells).map(([k, c]) => [k, c.value]));
}

async function runRule(region: Region, incidentId: number, name: string): Promise<{ status: string; error: string | null; results: Record<string, JsonValue> }> {
  const rule = (await region.soar.get<{ entities: { id: number; name: string }[] }>('/actions')).entities.find((r) => r.name === name);
  assert.ok(rule, `rule '${name}' is installed`);
  await region.soar.post(`/incidents/${incidentId}/action_invocations`, { action_id: rule.id, properties: {} });
  await world.settle();
  const runs = region.emulator.workflows.instancesFor({ incidentId, rule: name });
  const run = runs[runs.length - 1]!;
  return { status: run.status, error: run.error, results: run.results };
}

/** A new EU incident (the coordination rule adds its soar3 row), optionally with artifacts. */
async function euIncident(name: string, ips: readonly string[] = [], domains: readonly string[] = []): Promise<Incident> {
  const incident = await eu.soar.createIncident({ name, discovered_date: Date.now() });
  for (const ip of ips) await eu.soar.addArtifact(incident.id, { type: 'IP Address', value: ip, description: null });
  for (const domain of domains) await eu.soar.addArtifact(incident.id, { type: 'DNS Name', value: domain, description: null });
  await world.settle();
  await row(eu.soar, incident.id);
  return incident;
}

/** Flags the soar3 row "Distribute" (the table-changed rule distributes); answers the copy's id in US. */
async function distribute(incident: Incident): Promise<number | null> {
  const r = (await eu.soar.getTableData(incident.id, TABLE)).rows.find((x) => x.cells['brand']?.value === 'soar3')!;
  await eu.soar.updateTableRow(incident.id, TABLE, r.id, { distribute: true });
  await world.settle();
  const copies = await world.copiesOf('us', 'soar2', incident.id);
  return copies[0]?.id ?? null;
}

async function ackOpen(incidentId: number): Promise<JsonValue> {
  return (await eu.soar.getIncident(incidentId)).properties['clearing_ack_open'] ?? null;
}

describe('triage and acknowledgement between two brands', () => {
  before(async () => {
    world = await NetworkWorld.start({ extraYaml: TRIAGE_YAML });
    eu = world.region('eu');
  });
  after(async () => {
    await world?.stop();
  });

  let first: Incident;
  let firstCopy: number;

  test('distribute -> Pending, the incident watched by the sweep', async () => {
    first = await euIncident('Credential stuffing against the EU portal');
    firstCopy = (await distribute(first))!;
    assert.ok(firstCopy, 'a copy exists in US');
    assert.equal((await row(eu.soar, first.id))['status'], 'Pending');
    assert.equal(await ackOpen(first.id), true);
  });

  test('the US analyst closes the acknowledgement task -> Acknowledged on the EU row', async () => {
    const report0 = await us().node.triageSweep!.runOnce();
    assert.equal(report0.reported, 0, 'nothing to report while the task is open');
    const task = (await us().soar.listIncidentTasks(firstCopy)).find((t) => t.name === ACKNOWLEDGE_RECEIVED_INCIDENT_TASK.name)!;
    await us().soar.closeTask(task.id);

    const report = await us().node.triageSweep!.runOnce();
    assert.equal(report.reported, 1, JSON.stringify(report));
    const r = await row(eu.soar, first.id);
    assert.equal(r['status'], 'Acknowledged');
    assert.match(String(r['message']), new RegExp(`^acknowledged by soar3 \\(incident ${firstCopy}\\) at \\d{4}-`));
    assert.equal((await us().soar.getIncident(firstCopy)).properties['clearing_ack_reported'], 'Acknowledged');
    assert.equal(await ackOpen(first.id), false, 'no longer watched');
    assert.equal((await us().node.triageSweep!.runOnce()).reported, 0, 'reported once');
  });

  test('US closes its copy -> Resolved', async () => {
    await us().soar.updateIncident(firstCopy, (inc) => ({ ...inc, plan_status: 'C', resolution_summary: 'handled in US' }));
    assert.equal((await us().node.triageSweep!.runOnce()).reported, 1);
    const r = await row(eu.soar, first.id);
    assert.equal(r['status'], 'Resolved');
    assert.match(String(r['message']), new RegExp(`^resolved: soar3 \\(incident ${firstCopy}\\) closed its copy at `));
    const again = await us().node.triageSweep!.runOnce();
    assert.deepEqual([again.copies, again.reported], [0, 0], 'a resolved copy is no longer looked at');
  });

  test('a copy left pending: Not Acknowledged once the sweep\'s clock passes 24 h, not before', async () => {
    const second = await euIncident('Suspicious VPN logins');
    assert.ok(await distribute(second));
    const sentAt = (await row(eu.soar, second.id))['last_update'] as number;
    let clock = sentAt + 23 * HOUR;
    const sweep = new TriageSweep(eu.node.network, { now: () => clock });

    const early = await sweep.runOnce();
    assert.equal(early.notAcknowledged, 0);
    assert.equal((await row(eu.soar, second.id))['status'], 'Pending');

    clock = sentAt + 25 * HOUR;
    const late = await sweep.runOnce();
    assert.equal(late.notAcknowledged, 1, JSON.stringify(late));
    const r = await row(eu.soar, second.id);
    assert.equal(r['status'], 'Not Acknowledged');
    assert.match(String(r['message']), /^not acknowledged by soar3 within 24 h of \d{4}-\d\d-\d\dT/);
    assert.equal(r['last_update'], clock, 'stamped with the sweep\'s clock');
    assert.equal(await ackOpen(second.id), false);

    // A late acknowledgement still reaches the origin.
    const copy = (await world.copiesOf('us', 'soar2', second.id))[0]!;
    const task = (await us().soar.listIncidentTasks(copy.id)).find((t) => t.name === ACKNOWLEDGE_RECEIVED_INCIDENT_TASK.name)!;
    await us().soar.closeTask(task.id);
    await us().node.triageSweep!.runOnce();
    assert.equal((await row(eu.soar, second.id))['status'], 'Acknowledged');
  });

  test('US node down -> Undelivered; the sweep retries it and, once US is back, it is Pending', async () => {
    const third = await euIncident('Malware beacon in EU plant');
    await world.stopNode('us');
    try {
      assert.equal(await distribute(third), null);
      assert.equal((await row(eu.soar, third.id))['status'], 'Undelivered');
      assert.equal(await ackOpen(third.id), true);
      const down = await eu.node.triageSweep!.runOnce();
      assert.deepEqual([down.retried, down.redelivered], [1, 0]);
      assert.equal((await row(eu.soar, third.id))['status'], 'Undelivered');
    } finally {
      await world.startNode('us');
    }
    const back = await eu.node.triageSweep!.runOnce();
    assert.deepEqual([back.retried, back.redelivered], [1, 1], JSON.stringify(back));
    const r = await row(eu.soar, third.id);
    assert.equal(r['status'], 'Pending');
    const copies = await world.copiesOf('us', 'soar2', third.id);
    assert.equal(copies.length, 1);
    assert.equal(r['remote_incident_id'], String(copies[0]!.id));
    assert.equal(await ackOpen(third.id), true, 'watched until acknowledged or overdue');
  });

  test('a score reaching the threshold distributes by itself, once (mode first)', async () => {
    const hot = await euIncident('Ransomware on the revenue system', ['10.1.2.3', '192.168.7.7']);
    const run = await runRule(eu, hot.id, 'Clearing: assess priority');
    assert.equal(run.status, 'completed', run.error ?? '');
    const content = (run.results['clearing_assess_priority_result'] as { content: Record<string, JsonValue> }).content;
    assert.equal(content['score'], 6);
    assert.equal(content['top_asset'], 'asset-1');
    const thresholds = content['thresholds'] as { threshold: string; crossing: number; fired: boolean; distributions: { brand: string; outcome: string }[] }[];
    assert.deepEqual(thresholds.map((t) => [t.threshold, t.crossing, t.fired, t.distributions.map((d) => `${d.brand} ${d.outcome}`)]), [['high-priority', 1, true, ['soar3 delivered']]]);

    const incident = await eu.soar.getIncident(hot.id);
    assert.equal(incident.properties['clearing_priority_score'], 6);
    assert.match(String(incident.properties['clearing_priority_explanation']), /^priority score 6 = top asset 6 \(asset-1\) \+ residual 0\n/);
    assert.match(String(incident.properties['clearing_priority_explanation']), /business impact \/All Asset\/Business Impact\/Analysis\/Business Role\/Revenue/);
    assert.deepEqual(JSON.parse(String(incident.properties['clearing_threshold_state'])), { 'high-priority': { above: true, crossings: 1 } });
    assert.equal((await row(eu.soar, hot.id))['status'], 'Pending');
    assert.equal((await world.copiesOf('us', 'soar2', hot.id)).length, 1);
    const notes = await eu.soar.listNotes(hot.id);
    assert.equal(notes.filter((n) => JSON.stringify(n.text).includes('Clearing threshold <b>high-priority</b>')).length, 1);

    const again = await runRule(eu, hot.id, 'Clearing: assess priority');
    assert.equal(again.status, 'completed', again.error ?? '');
    assert.deepEqual((again.results['clearing_assess_priority_result'] as { content: Record<string, JsonValue> }).content['thresholds'], [], 'still above: no new crossing');
    assert.equal((await world.copiesOf('us', 'soar2', hot.id)).length, 1);
  });

  test('3 incidents sharing a domain within 30 minutes: the sweep distributes the group, once (mode first)', async () => {
    const group: Incident[] = [];
    for (let i = 0; i < 3; i++) group.push(await euIncident(`Phishing from evil.example #${i + 1}`, [], ['evil.example']));
    const report = await eu.node.triageSweep!.runOnce();
    assert.equal(report.thresholdsFired, 1, JSON.stringify(report));
    for (const incident of group) {
      assert.equal((await world.copiesOf('us', 'soar2', incident.id)).length, 1, `incident ${incident.id} distributed`);
      assert.equal((await row(eu.soar, incident.id))['status'], 'Pending');
    }
    const state = JSON.parse(String((await eu.soar.getIncident(group[2]!.id)).properties['clearing_threshold_state']));
    assert.deepEqual(state, { 'shared-domain': { values: { 'evil.example': 1 } } }, 'kept on the newest member');

    const fourth = await euIncident('Phishing from evil.example #4', [], ['evil.example']);
    assert.equal((await eu.node.triageSweep!.runOnce()).thresholdsFired, 0, 'four is still crossing 1');
    assert.equal((await world.copiesOf('us', 'soar2', fourth.id)).length, 0);
  });

  test('the acknowledgement route: only for the receiving brand\'s own node and copy', async () => {
    const tls = us().config.node.tls!;
    const asUs = new PeerClient({ self: { id: 'us', tls }, peer: { id: 'eu', url: `https://127.0.0.1:${eu.peerPort}`, brands: ['soar2'] }, timeoutMs: 30_000, log: collectingLogger().logger });
    try {
      const refusal = async (path: string, body: unknown): Promise<PeerError> => {
        const err = await asUs.request('PUT', path, body).then(() => null, (e: unknown) => e);
        assert.ok(err instanceof PeerError, String(err));
        return err;
      };
      const forbidden = await refusal(ackPath('soar2', first.id), { receiving_brand: 'soar2', remote_incident_id: firstCopy, status: 'Acknowledged', at: Date.now() });
      assert.deepEqual([forbidden.status, forbidden.remoteCode], [403, 'forbidden']);
      assert.match(forbidden.remoteMessage, /peer us does not serve brand 'soar2'/);
      const notServed = await refusal(ackPath('soar3', first.id), { receiving_brand: 'soar3', remote_incident_id: firstCopy, status: 'Acknowledged', at: Date.now() });
      assert.equal(notServed.status, 403);
      const otherCopy = await refusal(ackPath('soar2', first.id), { receiving_brand: 'soar3', remote_incident_id: firstCopy + 999, status: 'Acknowledged', at: Date.now() });
      assert.deepEqual([otherCopy.status, otherCopy.remoteCode], [404, 'not_found']);
      // No existence oracle: an id that does not exist and an incident that exists but was never
      // distributed to soar3 get one identical answer, without SOAR's own error text.
      const neverShared = await euIncident('Never distributed to soar3', [], []);
      const report = { receiving_brand: 'soar3', remote_incident_id: firstCopy, status: 'Acknowledged', at: Date.now() };
      const missing = await refusal(ackPath('soar2', 987_654_321), report);
      const notOurs = await refusal(ackPath('soar2', neverShared.id), report);
      assert.deepEqual([missing.status, missing.remoteCode, missing.remoteMessage], [notOurs.status, notOurs.remoteCode, notOurs.remoteMessage]);
      assert.deepEqual([missing.status, missing.remoteCode], [404, 'not_found']);
      assert.equal(otherCopy.remoteMessage, missing.remoteMessage);
      assert.doesNotMatch(missing.remoteMessage, /SOAR|987654321|table_data|not found/i);
      const invalid = await refusal(ackPath('soar2', first.id), { receiving_brand: 'soar3', remote_incident_id: firstCopy, status: 'Informational', at: Date.now() });
      assert.equal(invalid.status, 400);
      assert.equal((await row(eu.soar, first.id))['status'], 'Resolved', 'untouched');
    } finally {
      asUs.close();
    }
  });
});
