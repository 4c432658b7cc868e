/**
 * The node's metrics (core/metrics.ts) as a scraper reads them, the peer route labels, the cost
 * of recording an invocation, and the broker watchdog of worker.exit_after_broker_down_s.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { BrokerWatchdog } from '../../src/app/broker-watchdog.js';
import { ACKNOWLEDGEMENTS } from '../../src/clearing/contracts/acknowledgements.js';
import { CONFIG_PUSH_ABORT, CONFIG_PUSH_BEGIN, CONFIG_PUSH_CHUNK, CONFIG_PUSH_COMMIT } from '../../src/clearing/contracts/config-push.js';
import { DISTRIBUTE } from '../../src/clearing/contracts/distribute.js';
import { HEALTH } from '../../src/clearing/contracts/health.js';
import { pathOf, routeOf } from '../../src/clearing/contracts/peer-api.js';
import { SHARED_DETAIL, SHARED_LIST } from '../../src/clearing/contracts/shared-view.js';
import { METRIC, Metrics } from '../../src/core/metrics.js';
import { parseExposition, samplesOf, sumOf } from '../../sim/testbed/prometheus.js';

describe('Metrics', () => {
  test('what is recorded is what is scraped, family by family', async () => {
    const metrics = new Metrics();
    const eu = metrics.brand('eu');
    assert.equal(metrics.brand('eu'), eu, 'bound once per brand');
    eu.invocation('clearing_ping', 'success', 40);
    eu.invocation('clearing_ping', 'success', 2000);
    eu.invocation('clearing_ping', 'error', 7);
    eu.rejected();
    eu.brokerSession(1);
    eu.brokerSession(2);
    eu.brokerSession(3);
    eu.soarRestError(503);
    eu.soarRestError('ECONNREFUSED');
    eu.distributionRow('Pending');
    eu.distributionRow('Not Acknowledged');
    eu.distributionRow(null);
    metrics.peerCall('us', routeOf('/api/v1/brands/soar3/incidents'), 200, 12);
    metrics.peerCall('us', routeOf('/api/v1/brands/soar3/shared/soar2/17?x=1'), 'failed', 5000);
    metrics.sweep(1500);
    metrics.configPush('sent', true);
    metrics.configPush('received', false);
    metrics.watchWorkers(() => [{ brand: 'eu', inFlight: 3, brokerConnected: true }, { brand: 'ap', inFlight: 0, brokerConnected: false }]);
    metrics.watchCertificates(() => [{ name: 'node.tls.cert', path: '/etc/c.crt', days_left: 12 }, { name: 'node.tls.ca', path: '/etc/ca.crt', days_left: null }]);

    const m = parseExposition(await metrics.text());
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(sumOf(m, METRIC.invocations, { brand: 'eu', function: 'clearing_ping', outcome: 'success' }), 2);
    assert.equal(sumOf(m, METRIC.invocations, { outcome: 'error' }), 1);
    assert.equal(sumOf(m, METRIC.invocations, { function: 'unknown', outcome: 'rejected' }), 1);
    assert.equal(sumOf(m, `${METRIC.invocationSeconds}_count`, { function: 'clearing_ping' }), 3);
    assert.equal(sumOf(m, `${METRIC.invocationSeconds}_sum`), 2.047);
    assert.equal(sumOf(m, `${METRIC.invocationSeconds}_bucket`, { le: '0.05' }), 2, 'the 7 ms and 40 ms ones');
    assert.equal(sumOf(m, `${METRIC.invocationSeconds}_bucket`, { le: '2.5' }), 3);
    assert.equal(sumOf(m, METRIC.inFlight, { brand: 'eu' }), 3);
    assert.deepEqual(samplesOf(m, METRIC.brokerConnected).map((s) => [s.labels['brand'], s.value]), [['eu', 1], ['ap', 0]]);
    assert.equal(sumOf(m, METRIC.brokerReconnects, { brand: 'eu' }), 2, 'sessions 2 and 3');
    assert.equal(sumOf(m, METRIC.soarRestErrors, { status: '503' }), 1);
    assert.equal(sumOf(m, METRIC.soarRestErrors, { status: 'ECONNREFUSED' }), 1);
    assert.deepEqual(samplesOf(m, METRIC.distributionRows).map((s) => s.labels['status']).sort(), ['Not Acknowledged', 'Pending', 'none']);
    assert.equal(sumOf(m, METRIC.peerCalls, { peer: 'us', route: '/api/v1/brands/:brand/incidents', status: '200' }), 1);
    assert.equal(sumOf(m, METRIC.peerCalls, { route: '/api/v1/brands/:brand/shared/:owner/:id', status: 'failed' }), 1);
    assert.equal(sumOf(m, `${METRIC.peerCallSeconds}_sum`), 5.012);
    assert.equal(sumOf(m, `${METRIC.sweepSeconds}_sum`), 1.5);
    assert.equal(sumOf(m, METRIC.configPushes, { role: 'sent', outcome: 'ok' }), 1);
    assert.equal(sumOf(m, METRIC.configPushes, { role: 'received', outcome: 'failed' }), 1);
    assert.deepEqual(samplesOf(m, METRIC.certificateDaysLeft).map((s) => [s.labels['certificate'], s.labels['path'], s.value]), [['node.tls.cert', '/etc/c.crt', 12]], 'an unreadable file has no value');
    assert.equal(m.types.get(METRIC.invocationSeconds), 'histogram');
    assert.equal(samplesOf(m, 'soar_clearing_process_cpu_seconds_total').length, 0, 'process metrics only when asked');
  });

  test('each node has its own registry; process metrics join on request', async () => {
    const a = new Metrics();
    const b = new Metrics().withProcessMetrics().withProcessMetrics();
    a.brand('eu').invocation('f', 'success', 1);
    const mb = parseExposition(await b.text());
    assert.equal(sumOf(mb, METRIC.invocations), 0);
    assert.ok(sumOf(mb, 'soar_clearing_process_cpu_seconds_total') > 0);
    assert.equal(sumOf(parseExposition(await a.text()), METRIC.invocations), 1);
  });

  test('peer routes: each operation\'s path, filled in by pathOf, comes back as its pattern', () => {
    const ops = [HEALTH, ACKNOWLEDGEMENTS, DISTRIBUTE, SHARED_LIST, SHARED_DETAIL, CONFIG_PUSH_BEGIN, CONFIG_PUSH_CHUNK, CONFIG_PUSH_COMMIT, CONFIG_PUSH_ABORT];
    const values = { brand: 'soar3', id: 42, owner: 'soar2', push: 'cp-20261204T180000-abc123', index: 3 };
    for (const op of ops) assert.equal(routeOf(pathOf(op, values, { limit: 5 })), op.path);
  });

  test('recording an invocation costs microseconds', (t) => {
    const eu = new Metrics().brand('eu');
    const n = 100_000;
    for (let i = 0; i < 1000; i++) eu.invocation('clearing_ping', 'success', i % 200);
    const started = performance.now();
    for (let i = 0; i < n; i++) eu.invocation(i % 2 ? 'clearing_ping' : 'clearing_distribute_incident', 'success', i % 200);
    const usEach = ((performance.now() - started) * 1000) / n;
    t.diagnostic(`invocation(): ${usEach.toFixed(2)} µs each over ${n}`);
    assert.ok(usEach < 50, `${usEach} µs`);
  });
});

describe('BrokerWatchdog', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('fires once a worker has been connecting or reconnecting for the limit; running resets it', async () => {
    let state: string | null = null;
    const fired: [string, number][] = [];
    const dog = new BrokerWatchdog(() => [{ brand: 'eu', workerState: state }, { brand: 'us', workerState: 'running' }], 150, (brand, ms) => fired.push([brand, ms]));
    try {
      await wait(400);
      assert.deepEqual(fired, [], 'no worker yet: not counted');
      state = 'reconnecting';
      await wait(100);
      state = 'running';
      await wait(200);
      assert.deepEqual(fired, [], 'back within the limit');
      state = 'connecting';
      await wait(450);
      assert.equal(fired.length, 1);
      assert.equal(fired[0]![0], 'eu');
      assert.ok(fired[0]![1] >= 150);
      await wait(300);
      assert.equal(fired.length, 1, 'once');
    } finally {
      dog.stop();
    }
  });
});
