/**
 * `soar-clearing network check`, run as its own process with region eu's configuration against
 * the two-region test network: all good -> exit 0; a peer serving other brands than configured,
 * a peer presenting another node's certificate, a stopped peer -> exit 1 with the problem in words;
 * a peer of an older version (a health answer without protocol and brands) -> a warning, exit 0.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { NetworkCheckReport } from '../../src/app/network-check.js';
import { makeNodeCert } from '../support/certs.js';
import { NetworkWorld } from '../support/network-world.js';
import { runCli } from '../support/world.js';

/** A copy of a region's configuration, next to it, with its line for peer `us` rewritten. */
function variant(configPath: string, name: string, edit: (usLine: string) => string): string {
  const text = readFileSync(configPath, 'utf8');
  const usLine = /^ {4}us: \{.*\}$/m.exec(text)?.[0];
  assert.ok(usLine, `no line for peer us in ${configPath}`);
  const path = configPath.replace(/\.ya?ml$/, `-${name}.yaml`);
  writeFileSync(path, text.replace(usLine, edit(usLine)));
  return path;
}

describe('network check', () => {
  let world: NetworkWorld;
  before(async () => {
    world = await NetworkWorld.start();
  });
  after(async () => {
    await world?.stop();
  });

  test('every peer good: a table, exit 0; --json has the figures', async () => {
    const eu = world.region('eu');
    const table = await runCli(['network', 'check', '--config', eu.configPath]);
    assert.equal(table.code, 0, table.out + table.err);
    assert.match(table.out, /^us\s+https:\/\/127\.0\.0\.1:\d+\s+yes\s+us \(SAN URI\)\s+\S+\s+1\s+[+-]\d+ ms\s+[\d.]+ ms\s+soar3 ok\s+ok$/m);
    assert.match(table.out, /all peers OK/);

    const json = await runCli(['network', 'check', '--json', '--config', eu.configPath]);
    assert.equal(json.code, 0, json.out + json.err);
    const report = JSON.parse(json.out) as NetworkCheckReport;
    assert.equal(report.ok, true);
    assert.equal(report.node, 'eu');
    const [us] = report.peers;
    assert.equal(us?.peer, 'us');
    assert.equal(us.identity, 'us (SAN URI)');
    assert.equal(us.protocol, 1);
    assert.deepEqual(us.brands, { configured: ['soar3'], served: ['soar3'], peer_says_we_serve: ['soar2'] });
    assert.ok(us.latency_ms !== null && us.latency_ms > 0 && us.latency_ms < 5000, `latency ${us.latency_ms}`);
    // Both nodes run on this machine's clock: the skew is within the round trip.
    assert.ok(us.clock_skew_ms !== null && Math.abs(us.clock_skew_ms) <= Math.max(50, us.latency_ms), `skew ${us.clock_skew_ms}`);
    assert.match(us.certificate_fingerprint ?? '', /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    assert.deepEqual(us.problems, []);
  });

  test('a peer serving other brands than configured: exit 1, the brands in words', async () => {
    const eu = world.region('eu');
    const path = variant(eu.configPath, 'brands', (line) => line.replace('brands: [soar3]', 'brands: [soar9]'));
    const r = await runCli(['network', 'check', '--config', path]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /PROBLEM us: it serves brands soar3, but this node's configuration \(network\.peers\.us\.brands\) says soar9/);
    assert.match(r.out, /^us\s.*soar3 != soar9\s+PROBLEM$/m);
  });

  test('a peer presenting another node\'s certificate: exit 1, wrong identity in words', async () => {
    const eu = world.region('eu');
    // The URL of peer us leads to node eu itself, whose certificate names eu.
    const path = variant(eu.configPath, 'identity', (line) => line.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${eu.peerPort}`));
    const r = await runCli(['network', 'check', '--json', '--config', path]);
    assert.equal(r.code, 1, r.out + r.err);
    const [us] = (JSON.parse(r.out) as NetworkCheckReport).peers;
    assert.equal(us?.identity, 'eu (SAN URI)');
    assert.equal(us.reachable, true);
    assert.deepEqual(us.problems, [`wrong identity: expected peer us, but https://127.0.0.1:${eu.peerPort} presents the certificate of node eu (SAN URI)`]);
  });

  test('an older peer, answering health without protocol and brands: reported as a warning, exit 0', async () => {
    const eu = world.region('eu');
    // Node us of an older version: mutual TLS with its certificate, the first release's answer.
    const cert = makeNodeCert(world.broker.pki, 'us');
    const old = createServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key), ca: readFileSync(cert.ca), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.writeHead(req.url === '/api/v1/health' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ node: 'us', version: '0.0.9', time: new Date().toISOString() }));
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    try {
      const path = variant(eu.configPath, 'older', (line) => line.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${(old.address() as AddressInfo).port}`));
      const r = await runCli(['network', 'check', '--config', path]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /^us\s.*\s0\.0\.9\s+1\?\s.*soar3 \(not told\)\s+warning$/m);
      assert.match(r.out, /warning us: it answers without protocol and brands \(a node older than this one, version 0\.0\.9\): protocol 1 assumed; the brands it serves cannot be checked/);
      assert.match(r.out, /all peers OK/);
    } finally {
      old.closeAllConnections();
      await new Promise((resolve) => old.close(resolve));
    }
  });

  test('a stopped peer: exit 1, unreachable in words', async () => {
    const eu = world.region('eu');
    await world.stopNode('us');
    const r = await runCli(['network', 'check', '--config', eu.configPath]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^us\s+https:\/\/127\.0\.0\.1:\d+\s+no\s+-/m);
    assert.match(r.out, /PROBLEM us: unreachable: connection refused \(ECONNREFUSED\)/);
    assert.match(r.out, /1 problem found/);
  });
});
