/**
 * Attachments travel when, and only as far as, the sender's whitelist allows: a file within the
 * limits arrives byte for byte in the other brand's SOAR, once; an oversized one never leaves.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NetworkWorld } from '../support/network-world.js';

const WHITELIST = `  attachments: { include: true, max_count: 5, max_bytes: 4096, fields: [name, content_type, size, content] }`;

describe('attachments across brands', () => {
  let world: NetworkWorld;
  before(async () => {
    world = await NetworkWorld.start({ whitelistYaml: WHITELIST });
  });
  after(async () => {
    await world?.stop();
  });

  test('the SOAR client uploads and downloads an attachment byte for byte', async () => {
    const eu = world.region('eu').soar;
    const incident = await eu.createIncident({ name: 'attachment round trip', discovered_date: Date.now() });
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i)); // every byte value, CR/LF and NUL included
    const att = await eu.addAttachment(incident.id, { name: 'all-bytes.bin', contentType: 'application/octet-stream', content: bytes });
    assert.equal(att.size, 256);
    assert.deepEqual(await eu.getAttachmentContent(incident.id, att.id), bytes);
  });

  test('a whitelisted file arrives once, byte for byte; an oversized one stays home', async () => {
    const eu = world.region('eu');
    const us = world.region('us');
    const incident = await eu.soar.createIncident({ name: 'Malware sample from EU', discovered_date: Date.now() });
    const sample = randomBytes(3000);
    await eu.soar.addAttachment(incident.id, { name: 'dropper.bin', contentType: 'application/x-msdownload', content: sample });
    await eu.soar.addAttachment(incident.id, { name: 'memory.dmp', contentType: 'application/octet-stream', content: randomBytes(10_000) });
    await world.settle();
    const row = (await eu.soar.getTableData(incident.id, 'clearing_distribution')).rows[0]!;
    await eu.soar.updateTableRow(incident.id, 'clearing_distribution', row.id, { distribute: true });
    await world.settle();
    // Sending again (the analyst's "distribute now") must not add the file a second time.
    const rules = await eu.soar.get<{ entities: Array<{ id: number; name: string }> }>('/actions');
    const now = rules.entities.find((r) => r.name === 'Clearing: distribute now')!;
    await eu.soar.post(`/incidents/${incident.id}/action_invocations`, { action_id: now.id, properties: {} });
    await world.settle();
    const runs = eu.emulator.workflows.instancesFor({ incidentId: incident.id }).filter((r) => r.workflow !== 'wf_clearing_involve_group_coordination');
    assert.deepEqual(runs.map((r) => r.status), ['completed', 'completed']);
    const copies = await world.copiesOf('us', 'soar2', incident.id);
    assert.equal(copies.length, 1, 'exactly one copy');
    const copyId = copies[0]!.id;
    const arrived = await us.soar.listAttachments(copyId);
    assert.deepEqual(arrived.map((a) => a.name), ['dropper.bin'], 'one copy of the allowed file, none of the oversized one');
    assert.equal(arrived[0]!.content_type, 'application/x-msdownload');
    assert.deepEqual(await us.soar.getAttachmentContent(copyId, arrived[0]!.id), sample);
  });
});
