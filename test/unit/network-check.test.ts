/** What `network check` makes of a peer's health answer (the calls themselves: test/integration/network-check.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessHealth, formatNetworkCheck, type NetworkCheckReport } from '../../src/app/network-check.js';
import type { PeerHealth } from '../../src/clearing/contracts/health.js';

const self = { id: 'eu', brands: ['soar2'], version: '0.1.0' };
const peer = { id: 'us', url: 'https://us.example:8443', brands: ['soar3'] };
const good: PeerHealth = { node: 'us', version: '0.1.0', latencyMs: 12.5, clockSkewMs: 40, protocol: 1, brands: ['soar3'], yourBrands: ['soar2'] };

test('a healthy peer of the same version: nothing to say', () => {
  assert.deepEqual(assessHealth(self, peer, good, 5000), { problems: [], warnings: [] });
});

test('an older peer without protocol and brands: a warning, not a problem', () => {
  const r = assessHealth(self, peer, { ...good, version: '0.0.9', protocol: null, brands: null, yourBrands: null }, 5000);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.warnings, [
    'it answers without protocol and brands (a node older than this one, version 0.0.9): protocol 1 assumed; the brands it serves cannot be checked',
    'it runs version 0.0.9, this node 0.1.0 (another release line; fine while the protocol matches)',
  ]);
});

test('problems in words: protocol, clock, brands both ways, another node answering', () => {
  const r = assessHealth(self, peer, { ...good, node: 'ap', protocol: 2, clockSkewMs: -7300, brands: ['soar3', 'soar4'], yourBrands: [] }, 5000);
  assert.deepEqual(r.problems, [
    'its health answer names node ap, not us',
    'it speaks peer API protocol 2, this node protocol 1: upgrade the older node',
    "its clock is 7.3 s behind this node's (at most 5 s allowed): synchronise both with NTP",
    "it serves brands soar3, soar4, but this node's configuration (network.peers.us.brands) says soar3",
    'its configuration says this node (eu) serves brands none, but it serves soar2',
  ]);
  // The same brands in another order are the same brands; a skew within the limit is fine.
  assert.deepEqual(assessHealth(self, { ...peer, brands: ['b', 'a'] }, { ...good, brands: ['a', 'b'], clockSkewMs: 4999 }, 5000).problems, []);
});

test('the table: one row per peer, then the problems in words', () => {
  const report: NetworkCheckReport = {
    ok: false, node: 'eu', version: '0.1.0', protocol: 1, checked_at: '2026-12-04T18:00:00.000Z',
    peers: [
      { peer: 'us', url: 'https://us.example:8443', reachable: true, identity: 'us (SAN URI)', certificate_fingerprint: 'AB', certificate_valid_to: 'x',
        version: '0.1.0', protocol: 1, clock_skew_ms: 3, latency_ms: 4.2, brands: { configured: ['soar3'], served: ['soar3'], peer_says_we_serve: ['soar2'] }, problems: [], warnings: [] },
      { peer: 'ap', url: 'https://ap.example:8443', reachable: false, identity: null, certificate_fingerprint: null, certificate_valid_to: null,
        version: null, protocol: null, clock_skew_ms: null, latency_ms: null, brands: { configured: ['soar4'], served: null, peer_says_we_serve: null },
        problems: ['unreachable: connection refused (ECONNREFUSED)'], warnings: [] },
    ],
  };
  const text = formatNetworkCheck(report);
  assert.match(text, /^us\s+https:\/\/us\.example:8443\s+yes\s+us \(SAN URI\)\s+0\.1\.0\s+1\s+\+3 ms\s+4\.2 ms\s+soar3 ok\s+ok$/m);
  assert.match(text, /^ap\s+https:\/\/ap\.example:8443\s+no\s+-\s+-\s+-\s+-\s+-\s+soar4 \(not told\)\s+PROBLEM$/m);
  assert.match(text, /^PROBLEM ap: unreachable: connection refused \(ECONNREFUSED\)$/m);
  assert.match(text, /1 problem found\n$/);
});
