/**
 * The two-region network comes up: each node's worker serves its brand's SOAR, the peer API
 * answers over mutual TLS, and a new incident in either region gets its task and a row for the
 * other region's brand.
 */
import assert from 'node:assert/strict';
import { peerHealth } from '../../src/clearing/contracts/health.js';
import { after, before, describe, test } from 'node:test';
import { NetworkWorld } from '../support/network-world.js';

describe('two-region clearing network', () => {
  let world: NetworkWorld;
  before(async () => {
    world = await NetworkWorld.start();
  });
  after(async () => {
    await world?.stop();
  });

  test('each node reaches the other over mutual TLS', async () => {
    const eu = world.region('eu');
    const us = world.region('us');
    const [toUs] = eu.node.network.peerClients;
    const [toEu] = us.node.network.peerClients;
    assert.equal((await peerHealth(toUs!)).node, 'us');
    assert.equal((await peerHealth(toEu!)).node, 'eu');
  });

  test('a new incident in each region: task added, one row for the other region\'s brand', async () => {
    for (const [nodeId, other] of [['eu', 'soar3'], ['us', 'soar2']] as const) {
      const r = world.region(nodeId);
      const incident = await r.soar.createIncident({ name: `Phishing wave (${nodeId})`, discovered_date: Date.now() });
      await world.settle();
      const [run] = r.emulator.workflows.instancesFor({ incidentId: incident.id });
      assert.equal(run?.status, 'completed', run?.error ?? 'no workflow ran');
      const rows = (await r.soar.getTableData(incident.id, 'clearing_distribution')).rows;
      assert.deepEqual(rows.map((row) => row.cells['brand']?.value), [other]);
    }
  });
});
