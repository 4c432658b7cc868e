/**
 * A two-region clearing network whose certificates come from the pki tool, not from openssl:
 * `soar-clearing pki init` and `pki issue` (the built program, as real processes) make the
 * network CA and a certificate for each node (eu with the default EC P-256 key, us with RSA
 * 3072); the nodes load them (the config loader checks that each names its node), and reach
 * each other over mutual TLS. A certificate from another CA made by the same tool is refused
 * both ways: as a client of a node, and as a server a node calls.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { peerHealth } from '../../src/clearing/contracts/health.js';
import { PeerClient, PeerTlsError } from '../../src/clearing/peer-client.js';
import { PeerServer } from '../../src/clearing/peer-server.js';
import type { NodeCert } from '../support/certs.js';
import { collectingLogger } from '../support/loggers.js';
import { NetworkWorld } from '../support/network-world.js';
import { runCli } from '../support/world.js';

const root = mkdtempSync(join(tmpdir(), 'sc-pki-net-'));
const networkDir = join(root, 'network');
const otherDir = join(root, 'other');

/** A node's files as `pki issue` writes them into `dir`, with that directory's CA. */
const filesOf = (dir: string, nodeId: string): NodeCert => ({
  nodeId,
  cert: join(dir, `${nodeId}.crt`),
  key: join(dir, `${nodeId}.key`),
  ca: join(dir, 'ca.crt'),
});

async function pki(...args: string[]): Promise<string> {
  const r = await runCli(['pki', ...args]);
  assert.equal(r.code, 0, `soar-clearing pki ${args.join(' ')}: ${r.err}`);
  return r.out;
}

const clients: PeerClient[] = [];
const servers: PeerServer[] = [];
let world: NetworkWorld;

function client(self: NodeCert, peer: { id: string; url: string }, ca: string): PeerClient {
  const c = new PeerClient({ self: { id: self.nodeId, tls: { cert: self.cert, key: self.key, ca } }, peer: { ...peer, brands: [] }, timeoutMs: 5000, log: collectingLogger().logger });
  clients.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('a network built with soar-clearing pki', () => {
  before(async () => {
    await pki('init', '--dir', networkDir, '--subject', 'CN=Test clearing network CA, O=soar-clearing tests');
    await pki('issue', '--ca-dir', networkDir, '--node', 'eu', '--dns', 'localhost', '--ip', '127.0.0.1');
    await pki('issue', '--ca-dir', networkDir, '--node', 'us', '--dns', 'localhost', '--ip', '127.0.0.1', '--key-type', 'rsa');
    // Another network's CA, and a certificate from it that claims to be node us.
    await pki('init', '--dir', otherDir, '--subject', 'CN=Another clearing network CA');
    await pki('issue', '--ca-dir', otherDir, '--node', 'us', '--dns', 'localhost', '--ip', '127.0.0.1');
    world = await NetworkWorld.start({ nodeCert: (nodeId) => filesOf(networkDir, nodeId) });
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.stop();
    await world?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('the nodes run on the tool\'s certificates and accept each other over mutual TLS', async () => {
    const eu = world.region('eu');
    const us = world.region('us');
    assert.equal(eu.config.node.tls?.cert, filesOf(networkDir, 'eu').cert);
    assert.equal(us.config.node.tls?.ca, filesOf(networkDir, 'us').ca);
    const show = JSON.parse(await pki('show', filesOf(networkDir, 'us').cert, '--json')) as { certificates: { key: string; identity: unknown }[] };
    assert.equal(show.certificates[0]?.key, 'RSA 3072');
    assert.deepEqual(show.certificates[0]?.identity, { node: 'us', source: 'san_uri' });

    const [toUs] = eu.node.network.peerClients;
    const [toEu] = us.node.network.peerClients;
    assert.equal((await peerHealth(toUs!)).node, 'us');
    assert.equal((await peerHealth(toEu!)).node, 'eu');
  });

  test('a client certificate from another CA is refused by a node\'s TLS', async () => {
    const eu = world.region('eu');
    // It trusts the network CA to verify eu, so only its own certificate can fail.
    const rogue = client(filesOf(otherDir, 'us'), { id: 'eu', url: `https://127.0.0.1:${eu.peerPort}` }, filesOf(networkDir, 'us').ca);
    const err = await rejection(peerHealth(rogue));
    assert.ok(err instanceof PeerTlsError, String(err));
    assert.equal(err.tlsCode, 'ERR_PEER_REFUSED_CERTIFICATE');
    assert.ok(eu.lines.some((l) => l.includes('peer TLS handshake refused')), eu.lines.join('\n'));
  });

  test('a server presenting a certificate from another CA is refused by a node\'s client', async () => {
    const rogueServer = await PeerServer.start({
      node: { id: 'us', listen: { host: '127.0.0.1', port: 0 }, tls: filesOf(otherDir, 'us') },
      peers: [{ id: 'eu', url: 'https://127.0.0.1:1', brands: [] }],
      routes: [],
      log: collectingLogger().logger,
    });
    servers.push(rogueServer);
    const fromEu = client(filesOf(networkDir, 'eu'), { id: 'us', url: `https://127.0.0.1:${rogueServer.port}` }, filesOf(networkDir, 'eu').ca);
    const err = await rejection(peerHealth(fromEu));
    assert.ok(err instanceof PeerTlsError, String(err));
    // Its server sends its CA along (node.tls.ca completes the chain): the chain ends in the other CA.
    assert.equal(err.tlsCode, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.match(err.message, /ends in a CA other than the network CA/);
  });
});
