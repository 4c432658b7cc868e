/**
 * Received values mapped onto the receiving org (two emulated SOARs whose orgs define different
 * severities, incident types and select options; real broker, nodes over mutual TLS). The EU
 * copy carries values US lacks: the delivery still succeeds, the copy holds only what US
 * defines (spelled as US spells it), and the origin note names what was left out. A real SOAR
 * refuses values its org does not define (the emulator plays that strictly); IBM's own
 * SOAR-to-SOAR sync (resilient-community-apps rc_data_feed_plugin_resilientfeed) maps values
 * onto the target org and drops what it lacks, as the receiver does here.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ClearingNetwork } from '../../src/clearing/network.js';
import { receiveCopy } from '../../src/clearing/receive.js';
import { loadConfig } from '../../src/config/index.js';
import type { JsonValue } from '../../src/core/types.js';
import { collectingLogger } from '../support/loggers.js';
import { NetworkWorld, type Region } from '../support/network-world.js';

const TABLE = 'clearing_distribution';
const WHITELIST_YAML = [
  '  incident_fields: [name, description, discovered_date, severity_code, incident_type_ids, phase_id]',
  '  properties: [region, sectors]',
].join('\n');

let world: NetworkWorld;
let eu: Region;
let us: Region;

function noteTexts(notes: { text: JsonValue }[]): string[] {
  return notes.map((n) => (typeof n.text === 'string' ? n.text : JSON.stringify(n.text)));
}

/** Runs "Clearing: distribute now" on an EU incident; answers the soar3 outcome. */
async function distributeNow(incidentId: number): Promise<{ outcome: string; remote: number | null; reason: string | null }> {
  const rule = (await eu.soar.get<{ entities: { id: number; name: string }[] }>('/actions')).entities.find((r) => r.name === 'Clearing: distribute now');
  assert.ok(rule);
  await eu.soar.post(`/incidents/${incidentId}/action_invocations`, { action_id: rule.id, properties: {} });
  await world.settle();
  const runs = eu.emulator.workflows.instancesFor({ incidentId, rule: 'Clearing: distribute now' });
  const run = runs[runs.length - 1]!;
  assert.equal(run.status, 'completed', run.error ?? '');
  const content = (run.results['clearing_distribute_result'] as unknown as { content: { distributions: { brand: string; outcome: string; remote_incident_id: number | null; reason: string | null }[] } }).content;
  const d = content.distributions.find((x) => x.brand === 'soar3')!;
  return { outcome: d.outcome, remote: d.remote_incident_id, reason: d.reason };
}

describe('received values onto the receiving org', () => {
  before(async () => {
    world = await NetworkWorld.start({ whitelistYaml: WHITELIST_YAML });
    eu = world.region('eu');
    us = world.region('us');
    // EU defines more than US: a severity, an incident type, a region, a sector.
    eu.emulator.state.addFieldValue('severity_code', 'Critical');
    eu.emulator.state.addFieldValue('incident_type_ids', 'Ransomware');
    eu.emulator.state.addIncidentField('region', 'select', ['EMEA', 'APAC', 'LATAM']);
    eu.emulator.state.addIncidentField('sectors', 'multiselect', ['Finance', 'Energy', 'Mining']);
    us.emulator.state.addIncidentField('region', 'select', ['EMEA', 'APAC']);
    // US spells one option differently: mapped by name, case aside.
    us.emulator.state.addIncidentField('sectors', 'multiselect', ['finance', 'Energy']);
    us.emulator.state.addUser({ email: 'duty@us.example.com', password: 'Duty-pass-1', groups: ['CSIRT US'] });
  });
  after(async () => {
    await world?.stop();
  });

  let originId: number;
  let copyId: number;

  test('a copy with values US lacks is delivered; they are left out and named in the origin note', async () => {
    const incident = await eu.soar.createIncident({
      name: 'Ransomware at the EU plant',
      discovered_date: Date.now() - 60_000,
      severity_code: 'Critical',
      incident_type_ids: ['Malware', 'Ransomware'],
      properties: { region: 'LATAM', sectors: ['Finance', 'Energy', 'Mining'] },
    });
    originId = incident.id;
    await world.settle();
    const row = (await eu.soar.getTableData(originId, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar3');
    assert.ok(row, 'the involve rule added the soar3 row');
    await eu.soar.updateTableRow(originId, TABLE, row.id, { distribute: true });
    await world.settle();

    const copies = await world.copiesOf('us', 'soar2', originId);
    assert.equal(copies.length, 1, 'delivered, not refused');
    copyId = copies[0]!.id;
    const copy = await us.soar.getIncident(copyId, { query: { handle_format: 'names' } });
    assert.equal(copy.severity_code, null, 'US has no severity Critical');
    assert.deepEqual(copy.incident_type_ids, ['Malware']);
    assert.equal(copy.properties['region'], null, 'US has no region LATAM');
    assert.deepEqual(copy.properties['sectors'], ['finance', 'Energy'], "as US spells them; Mining is not a US sector");

    const origin = noteTexts(await us.soar.listNotes(copyId)).filter((t) => t.includes('Received from brand soar2'));
    assert.equal(origin.length, 1);
    const named = /4 value\(s\) this SOAR does not define \(([^)]*)\)/.exec(origin[0]!);
    assert.ok(named, origin[0]);
    assert.deepEqual(named[1]!.split('; ').sort(), ['incident_type_ids: Ransomware', 'properties.region: LATAM', 'properties.sectors: Mining', 'severity_code: Critical']);

    const after = (await eu.soar.getTableData(originId, TABLE)).rows.find((r) => r.id === row.id)!;
    assert.equal(after.cells['status']?.value, 'Pending');
    assert.equal(after.cells['remote_incident_id']?.value, String(copyId));
  });

  test('distributing again maps the new values onto the same copy', async () => {
    await eu.soar.updateIncident(originId, (cur) => ({ ...cur, severity_code: 'High', properties: { ...cur.properties, region: 'APAC' } }));
    const d = await distributeNow(originId);
    assert.equal(d.outcome, 'updated', d.reason ?? '');
    assert.equal(d.remote, copyId);
    const copy = await us.soar.getIncident(copyId, { query: { handle_format: 'names' } });
    assert.equal(copy.severity_code, 'High');
    assert.equal(copy.properties['region'], 'APAC');
    assert.deepEqual(copy.incident_type_ids, ['Malware']);
  });

  test('a configured owner US does not know is left out and named; the known group owns the copy', async () => {
    const path = `${us.configPath}.received.yaml`;
    writeFileSync(path, readFileSync(us.configPath, 'utf8').replace(/^network:\n/m, 'network:\n  received: { owner: ghost@us.example.com, group: CSIRT US }\n'));
    const network = new ClearingNetwork(loadConfig({ path, env: {} }), collectingLogger().logger);
    network.registerLocal('soar3', us.soar);
    try {
      const answer = await receiveCopy(network, 'soar3', {
        origin: { node: 'eu', brand: 'soar2', incident_id: 900_101 },
        incident: { name: 'Owned by the group', discovered_date: Date.now(), severity_code: 7, properties: {} },
        notes: [], artifacts: [], attachments: [], tasks: [],
        dropped: { incident_fields: 0, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 },
      });
      const copy = await us.soar.getIncident(answer.remote_incident_id, { query: { handle_format: 'names' } });
      assert.equal(copy.owner_id, 'CSIRT US');
      assert.deepEqual(copy['members'], ['CSIRT US']);
      assert.equal(copy.severity_code, null, 'an id of the sender\'s org means nothing here');
      const [note] = noteTexts(await us.soar.listNotes(answer.remote_incident_id));
      assert.match(note!, /2 value\(s\) this SOAR does not define \(severity_code: 7; owner_id: ghost@us\.example\.com \(network\.received\.owner\)\)/);
    } finally {
      network.close();
    }
  });
});
