/**
 * The admin listener of real nodes (issue 15):
 * - with a private ActiveMQ: /readyz answers 200 while the worker is subscribed, 503 naming the
 *   broker once the broker stops, 200 again once it is back; `soar-clearing health` exits 0 and 1
 *   accordingly; `worker.exit_after_broker_down_s` calls the node's onBrokerDown once the broker
 *   has been down that long, and `soar-clearing run` exits 34; the reconnect shows in /metrics;
 * - on the two-region network: after real invocations, a distribution, a sweep, a configuration
 *   push and a failed SOAR request, /metrics holds every family with values that add up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { functions } from '../../functions/index.js';
import { ClearingNode } from '../../src/app/node.js';
import { pushConfiguration } from '../../src/clearing/config-push.js';
import { loadConfig } from '../../src/config/index.js';
import { METRIC } from '../../src/core/metrics.js';
import { adminGet, type Exposition, samplesOf, scrape, sumOf } from '../../sim/testbed/prometheus.js';
import { Broker, freePort } from '../support/broker.js';
import { NetworkWorld, type Region } from '../support/network-world.js';
import { memoryLogger, runCli, uniqueDestination, World } from '../support/world.js';

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface ReadyBody {
  ready: boolean;
  problems: string[];
  brands: { brand: string; soar: { ok: boolean }; broker: { ok: boolean; detail: string } }[];
}

async function ready(port: number): Promise<{ status: number; body: ReadyBody }> {
  const answer = await adminGet(port, '/readyz');
  return { status: answer.status, body: JSON.parse(answer.body) as ReadyBody };
}

describe('admin listener: readiness follows the broker', () => {
  let world: World;
  let broker: Broker;
  before(async () => {
    world = await World.start();
    broker = await Broker.start({ name: 'admin-readyz' });
  });
  after(async () => {
    await broker?.stop();
    await world?.stop();
  });

  test('/readyz: 200, then 503 naming the broker while it is stopped, then 200 again; health and the watchdog agree', { timeout: 120_000 }, async (t) => {
    const adminPort = await freePort();
    const configPath = world.configFile({
      destination: uniqueDestination('fn_admin'), nodeId: 'adm', stompPort: broker.stompPort, heartbeatS: 2, exitAfterBrokerDownS: 3,
      extraYaml: `admin:\n  listen: { host: 127.0.0.1, port: ${adminPort} }`,
    });
    const downCalls: { brand: string; downMs: number }[] = [];
    const { log, lines } = memoryLogger();
    const node = new ClearingNode(loadConfig({ path: configPath, env: {} }), functions, log, { onBrokerDown: (brand, downMs) => downCalls.push({ brand, downMs }) });
    try {
      await node.start();
      assert.equal(node.adminPort, adminPort);
      await Promise.all(node.workers.map((w) => w.start()));

      const up = await ready(adminPort);
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal(up.body.ready, true);
      assert.deepEqual(up.body.problems, []);
      assert.equal(up.body.brands[0]!.broker.ok, true);
      const live = await adminGet(adminPort, '/healthz');
      assert.equal(live.status, 200);
      assert.equal((JSON.parse(live.body) as { alive: boolean }).alive, true);
      const healthy = await runCli(['health', '--config', configPath]);
      assert.equal(healthy.code, 0, healthy.out + healthy.err);
      assert.match(healthy.out, /node adm: ready/);

      const stoppedAt = Date.now();
      await broker.stop();
      const down = await until('/readyz 503', async () => {
        const r = await ready(adminPort);
        return r.status === 503 ? r : null;
      }, 20_000);
      const unreadyMs = Date.now() - stoppedAt;
      assert.equal(down.body.ready, false);
      assert.equal(down.body.brands[0]!.broker.ok, false);
      assert.ok(down.body.problems.some((p) => /^brand soar2: broker: worker (reconnecting|connecting)/.test(p)), down.body.problems.join('; '));
      assert.ok(down.body.brands[0]!.soar.ok, 'SOAR still answers');
      const unhealthy = await runCli(['health', '--config', configPath]);
      assert.equal(unhealthy.code, 1, unhealthy.out + unhealthy.err);
      assert.match(unhealthy.out, /not ready \(HTTP 503\)\n {2}problem: brand soar2: broker/);
      assert.equal((await runCli(['health', '--live', '--config', configPath])).code, 0, 'alive all the same');

      // exit_after_broker_down_s: 3 -> the watchdog calls onBrokerDown once, >= 3 s after the loss.
      await until('onBrokerDown', async () => (downCalls.length > 0 ? true : null), 15_000);
      assert.equal(downCalls.length, 1);
      assert.equal(downCalls[0]!.brand, 'soar2');
      assert.ok(downCalls[0]!.downMs >= 3000 && Date.now() - stoppedAt >= 3000);
      assert.ok(lines.some((l) => /broker of brand soar2 unreachable for \d+ s \(worker.exit_after_broker_down_s: 3\): exiting/.test(l)));

      const restartAt = Date.now();
      await broker.restart();
      const brokerUpMs = Date.now() - restartAt;
      const back = await until('/readyz 200 again', async () => {
        const r = await ready(adminPort);
        return r.status === 200 ? r : null;
      }, 30_000);
      t.diagnostic(`[admin] /readyz 503 ${unreadyMs} ms after the broker stop began; broker restart ${brokerUpMs} ms; /readyz 200 ${Date.now() - restartAt - brokerUpMs} ms after the broker was up; onBrokerDown after ${downCalls[0]!.downMs} ms down`);
      assert.equal(back.body.ready, true);
      const metrics = await scrape(adminPort);
      // One reconnect per session after the first (a broker starting up may drop a first one).
      const sessions = lines.filter((l) => /subscribed to actions\./.test(l)).length;
      assert.ok(sessions >= 2);
      assert.equal(sumOf(metrics, METRIC.brokerReconnects, { brand: 'soar2' }), sessions - 1);
      assert.equal(sumOf(metrics, METRIC.brokerConnected, { brand: 'soar2' }), 1);
      assert.equal(downCalls.length, 1, 'called once only');
    } finally {
      await node.stop();
    }
    await assert.rejects(adminGet(adminPort, '/healthz', 2000), 'the listener is closed with the node');
    const gone = await runCli(['health', '--config', configPath]);
    assert.equal(gone.code, 1);
    assert.match(gone.out, /^http:\/\/127\.0\.0\.1:\d+\/readyz: connection refused \(is `soar-clearing run` running with this configuration\?\)\n$/);
  });

  test('`soar-clearing run` exits 34 once its broker has been unreachable for exit_after_broker_down_s', { timeout: 60_000 }, async () => {
    const nowhere = await freePort(); // nothing listens there
    const configPath = world.configFile({ destination: uniqueDestination('fn_admin'), nodeId: 'adm2', stompPort: nowhere, exitAfterBrokerDownS: 2 });
    const started = Date.now();
    const r = await runCli(['run', '--config', configPath]);
    assert.equal(r.code, 34, r.out + r.err);
    assert.ok(Date.now() - started >= 2000);
    assert.match(r.out + r.err, /broker of brand soar2 unreachable for 2 s \(worker\.exit_after_broker_down_s: 2\): exiting, for the supervisor to restart the node/);
  });
});

describe('admin listener: /metrics on the two-region network', () => {
  let world: NetworkWorld;
  let eu: Region;
  before(async () => {
    world = await NetworkWorld.start({ admin: true });
    eu = world.region('eu');
  });
  after(async () => {
    await world?.stop();
  });

  const TABLE = 'clearing_distribution';
  const soar3Row = async (incidentId: number) => (await eu.soar.getTableData(incidentId, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar3');

  /** An EU incident (its coordination rule adds the soar3 row) distributed to soar3: its row flagged, then "distribute now". */
  async function distribute(): Promise<number> {
    const incident = await eu.soar.createIncident({ name: 'Metrics: phishing wave', discovered_date: Date.now() - 60_000 });
    await world.settle();
    const row = await soar3Row(incident.id);
    assert.ok(row, 'the coordination rule added the soar3 row');
    await eu.soar.updateTableRow(incident.id, TABLE, row.id, { distribute: true });
    await world.settle();
    if ((await soar3Row(incident.id))?.cells['status']?.value !== 'Pending') {
      // Without the share function the table-changed workflow stops early; the menu item distributes.
      const rule = (await eu.soar.get<{ entities: { id: number; name: string }[] }>('/actions')).entities.find((r) => r.name === 'Clearing: distribute now')!;
      await eu.soar.post(`/incidents/${incident.id}/action_invocations`, { action_id: rule.id, properties: {} });
      await world.settle();
    }
    assert.equal((await soar3Row(incident.id))?.cells['status']?.value, 'Pending', 'delivered');
    return incident.id;
  }

  test('every family is there, with values that match what happened', { timeout: 180_000 }, async () => {
    await distribute();
    await eu.node.triageSweep!.runOnce();
    const report = await pushConfiguration(eu.node.network, { reason: 'metrics test', dryRun: true, log: eu.log });
    assert.equal(report.ok, true);
    await assert.rejects(eu.node.network.soarOf('soar2').get('/incidents/987654321'));

    const m: Exposition = await scrape(eu.adminPort);
    const text = (await adminGet(eu.adminPort, '/metrics')).body;
    const types: Record<string, string> = {
      [METRIC.invocations]: 'counter', [METRIC.invocationSeconds]: 'histogram', [METRIC.inFlight]: 'gauge',
      [METRIC.brokerConnected]: 'gauge', [METRIC.brokerReconnects]: 'counter', [METRIC.soarRestErrors]: 'counter',
      [METRIC.peerCalls]: 'counter', [METRIC.peerCallSeconds]: 'histogram', [METRIC.distributionRows]: 'counter',
      [METRIC.sweepSeconds]: 'histogram', [METRIC.configPushes]: 'counter', [METRIC.certificateDaysLeft]: 'gauge',
    };
    for (const [family, type] of Object.entries(types)) {
      assert.equal(m.types.get(family), type, `${family} is a ${type}`);
    }
    assert.deepEqual(Object.keys(types).sort(), Object.values(METRIC).sort(), 'the test covers every family');

    // Invocations: the distribute function (and the coordination rule's) ran on eu's worker.
    const distributed = sumOf(m, METRIC.invocations, { brand: 'soar2', function: 'clearing_distribute_incident', outcome: 'success' });
    assert.ok(distributed >= 1, text);
    const invocations = sumOf(m, METRIC.invocations, { brand: 'soar2' });
    const count = sumOf(m, `${METRIC.invocationSeconds}_count`, { brand: 'soar2' });
    assert.equal(count, invocations - sumOf(m, METRIC.invocations, { outcome: 'rejected' }), 'one duration per answered invocation');
    const inf = sumOf(m, `${METRIC.invocationSeconds}_bucket`, { brand: 'soar2', le: '+Inf' });
    assert.equal(inf, count);
    const seconds = sumOf(m, `${METRIC.invocationSeconds}_sum`, { brand: 'soar2' });
    assert.ok(seconds > 0 && seconds < 60 * count, `durations add up to ${seconds} s`);
    assert.equal(sumOf(m, METRIC.inFlight, { brand: 'soar2' }), 0, 'nothing runs now');
    assert.equal(sumOf(m, METRIC.brokerConnected, { brand: 'soar2' }), 1);
    assert.equal(sumOf(m, METRIC.brokerReconnects, { brand: 'soar2' }), 0);

    // The failed SOAR request: a 404.
    assert.ok(sumOf(m, METRIC.soarRestErrors, { brand: 'soar2', status: '404' }) >= 1, text);
    // Peer calls: the delivery and the push's calls to us, by route, with their latency.
    assert.ok(sumOf(m, METRIC.peerCalls, { peer: 'us', route: '/api/v1/brands/:brand/incidents', status: '200' }) >= 1, text);
    assert.ok(samplesOf(m, METRIC.peerCalls, { peer: 'us' }).some((s) => s.labels['route']!.startsWith('/api/v1/config-pushes/:push')), text);
    const peerCount = sumOf(m, `${METRIC.peerCallSeconds}_count`, { peer: 'us' });
    assert.equal(peerCount, sumOf(m, METRIC.peerCalls, { peer: 'us' }));
    assert.ok(sumOf(m, `${METRIC.peerCallSeconds}_sum`, { peer: 'us' }) > 0);
    // The row became Pending.
    assert.ok(sumOf(m, METRIC.distributionRows, { brand: 'soar2', status: 'Pending' }) >= 1, text);
    // One sweep pass, one push sent (eu is the primary).
    assert.equal(sumOf(m, `${METRIC.sweepSeconds}_count`), 1);
    assert.equal(sumOf(m, METRIC.configPushes, { role: 'sent', outcome: 'ok' }), 1);
    // Certificates: the node's (3650 days) and the CA files.
    const certs = samplesOf(m, METRIC.certificateDaysLeft);
    assert.deepEqual(certs.map((c) => c.labels['certificate']).sort(), ['brands.soar2.soar.cafile', 'node.tls.ca', 'node.tls.cert']);
    for (const c of certs) assert.ok(c.value > 3000 && c.value <= 3650, `${c.labels['certificate']}: ${c.value} days`);
    // Process metrics come along.
    assert.ok(sumOf(m, 'soar_clearing_process_resident_memory_bytes') > 0);

    // The receiving node counts the push it received, and only its own invocations.
    const usMetrics = await scrape(world.region('us').adminPort);
    assert.equal(sumOf(usMetrics, METRIC.configPushes, { role: 'received', outcome: 'ok' }), 1);
    assert.equal(sumOf(usMetrics, METRIC.configPushes, { role: 'sent' }), 0);
    assert.equal(samplesOf(usMetrics, METRIC.invocations, { brand: 'soar2' }).length, 0, "us shows no eu invocation");
  });
});
