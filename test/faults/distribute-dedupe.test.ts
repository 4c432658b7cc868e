/**
 * Issue 8, fault 3: distribution under concurrency, redelivery and restarts must never make a
 * second copy of an incident in the receiving SOAR. On the two-region network (real broker, two
 * emulated SOARs, nodes over mutual TLS):
 *  - the peer route: 20 concurrent deliveries of one origin incident (creates held so they
 *    overlap), then deliveries while the receiving node is stopped and started again;
 *  - the function: clearing_distribute_incident invoked 12 times at once for one incident through
 *    EU's worker, with EU's node stopped mid-flight (unacked invocations are redelivered to the
 *    restarted node).
 * Copies are counted in the receiving SOAR by a query on the origin fields.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { customization } from '../../customize/build.js';
import { PeerClient } from '../../src/clearing/peer-client.js';
import { type DistributeAnswer, type DistributeBody, distributePath } from '../../src/clearing/contracts/distribute.js';
import { SoarInvoker } from '../../sim/emulator/invoker.js';
import { figures, sleep } from '../support/faults.js';
import { collectingLogger } from '../support/loggers.js';
import { NetworkWorld, type Region } from '../support/network-world.js';
import { uniqueDestination } from '../support/world.js';


describe('fault: distribution never duplicates a remote incident', () => {
  let world: NetworkWorld;
  let eu: Region;
  let us: () => Region;
  let asEu: PeerClient;

  before(async () => {
    world = await NetworkWorld.start();
    eu = world.region('eu');
    us = () => world.region('us');
    asEu = new PeerClient({ self: { id: 'eu', tls: eu.config.node.tls! }, peer: { id: 'us', url: `https://127.0.0.1:${us().peerPort}`, brands: ['soar3'] }, timeoutMs: 30_000, log: collectingLogger().logger });
  });
  after(async () => {
    asEu?.close();
    await world?.stop();
  });

  const body = (incidentId: number, note: string): DistributeBody => ({
    origin: { node: 'eu', brand: 'soar2', incident_id: incidentId },
    incident: { name: `Fault delivery ${incidentId}`, discovered_date: Date.now() },
    notes: [{ text: `<p>${note}</p>` }],
    artifacts: [{ type: 'DNS Name', value: 'evil.example.com' }],
    attachments: [],
    tasks: [],
    dropped: { incident_fields: 0, properties: 0, notes: 0, artifacts: 0, attachments: 0, tasks: 0, truncated_values: 0 },
  });

  test('20 concurrent deliveries, then more across a restart of the receiving node: one copy', { timeout: 90_000 }, async (t) => {
    const originId = 910_001;
    us().emulator.faults.delayNext(3, 1500, { method: 'POST', path: /\/incidents$/ });
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => asEu.request<DistributeAnswer>('POST', distributePath('soar3'), body(originId, `wave 1 #${i}`))));
    const ids = new Set(first.map((a) => a.remote_incident_id));
    assert.equal(ids.size, 1, `remote ids ${[...ids].join(',')}`);
    assert.equal(first.filter((a) => a.created).length, 1);

    // Deliveries racing a stop/start of the receiving node; the failed ones are repeated after.
    us().emulator.faults.delayNext(5, 800, { method: 'POST', path: /\/incidents\/\d+\/(comments|artifacts)$/ });
    const racing = Promise.allSettled(Array.from({ length: 10 }, (_, i) => asEu.request<DistributeAnswer>('POST', distributePath('soar3'), body(originId, `wave 2 #${i}`))));
    await sleep(300);
    await world.stopNode('us');
    await world.startNode('us');
    const settled = await racing;
    const failed = settled.filter((s) => s.status === 'rejected').length;
    const again = await Promise.all(Array.from({ length: 10 }, (_, i) => asEu.request<DistributeAnswer>('POST', distributePath('soar3'), body(originId, `wave 3 #${i}`))));
    for (const a of again) assert.equal(a.remote_incident_id, [...ids][0]);
    assert.ok(again.every((a) => !a.created));
    const copies = await world.copiesOf('us', 'soar2', originId);
    t.diagnostic(figures('distribute-peer', { deliveries: 40, wave2_failed_by_restart: failed, copies: copies.length }));
    assert.deepEqual(copies.map((c) => c.id), [...ids]);
  });

  test('the function invoked 12 times at once, EU node stopped mid-flight and redelivered: one copy', { timeout: 120_000 }, async (t) => {
    const incident = await eu.soar.createIncident({ name: `Fault distribution ${Date.now()}`, discovered_date: Date.now() - 60_000 });
    await eu.soar.addNote(incident.id, '<p>to be distributed</p>');
    await world.settle();
    // EU's emulated SOAR consumes acks.201.fn_clearing itself (its workflow engine): this invoker
    // listens on a queue of its own and names it as reply-to, while publishing to fn_clearing.
    const invoker = await SoarInvoker.connect({ port: world.broker.stompPort, orgId: 201, destination: uniqueDestination('fn_faults_dist') });
    const toWorker = { headers: { destination: `/queue/actions.201.${customization.destination}` }, workflow: 'example_clearing_distribute' };
    try {
      // Hold the receiving side so the invocations are in flight when EU's node goes down.
      us().emulator.faults.delayNext(4, 1500, { method: 'POST', path: /\/incidents$/ });
      const ids = await Promise.all(Array.from({ length: 12 }, () => invoker.invoke('clearing_distribute_incident', { incident_id: incident.id, clearing_brand: 'soar3' }, toWorker)));
      await sleep(700);
      await world.stopNode('eu');
      await sleep(300);
      await world.startNode('eu');
      await invoker.waitUntil(() => ids.every((id) => invoker.finalsFor(id).length > 0), 60_000, 'every final reply').catch((err: Error) => {
        throw new Error(`${err.message}; ${ids.filter((id) => invoker.finalsFor(id).length > 0).length}/${ids.length} answered; EU log tail:\n${eu.lines.slice(-25).join('\n')}`);
      });
      await world.settle();
      const outcomes: Record<string, number> = {};
      for (const id of ids) {
        const f = invoker.finalsFor(id)[0]!;
        const dist = (f.json?.results as { content?: { distributions?: { outcome: string }[] } } | undefined)?.content?.distributions ?? [];
        const key = f.json?.message === 'Completed' ? dist.map((d) => d.outcome).join('+') : (/^\[([a-z_]+)\]/.exec(f.json?.message ?? '')?.[1] ?? 'error');
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
      const copies = await world.copiesOf('us', 'soar2', incident.id);
      const finals = ids.reduce((n, id) => n + invoker.finalsFor(id).length, 0);
      t.diagnostic(figures('distribute-function', { invocations: ids.length, finals, outcomes, copies: copies.length }));
      assert.equal(copies.length, 1, `copies in US: ${copies.map((c) => c.id).join(',')}`);
    } finally {
      await invoker.close();
    }
  });
});
