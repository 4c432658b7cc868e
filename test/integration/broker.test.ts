/**
 * The test harness itself: the shared broker speaks STOMP on its plain and TLS ports, and a
 * private broker keeps persistent messages across restart().
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { after, describe, it } from 'node:test';
import { Broker, sharedBroker } from '../support/broker.js';
import { encodeFrame, rawStompConnect, type RawStomp } from '../support/raw-stomp.js';

const CONNECT = 'CONNECT\naccept-version:1.2\nhost:localhost\nlogin:test\npasscode:test\n\n\0';

async function connectStomp(port: number, tlsOpts?: Parameters<typeof rawStompConnect>[1]): Promise<RawStomp> {
  const c = await rawStompConnect(port, tlsOpts);
  c.send(CONNECT);
  const f = await c.nextFrame(5000);
  assert.equal(f.command, 'CONNECTED', `expected CONNECTED, got ${f.command} ${JSON.stringify(f.headers)} ${f.body}`);
  assert.equal(f.headers.version, '1.2');
  return c;
}

describe('shared test broker', () => {
  it('accepts a STOMP CONNECT on the plain port', async () => {
    const { stompPort } = await sharedBroker();
    const c = await connectStomp(stompPort);
    await c.close();
  });

  it('accepts a STOMP CONNECT over TLS with the test CA, presenting the PKI server certificate', async () => {
    const { stompTlsPort, pki } = await sharedBroker();
    const ca = readFileSync(pki.caCert);
    const c = await connectStomp(stompTlsPort, { ca, rejectUnauthorized: true });
    const sock = c.socket as TLSSocket;
    assert.equal(sock.authorized, true);
    const presented = sock.getPeerCertificate();
    assert.equal(presented.subject.CN, 'localhost');
    const expected = new (await import('node:crypto')).X509Certificate(readFileSync(pki.serverCert));
    assert.equal(presented.fingerprint256, expected.fingerprint256);
    await c.close();
  });

  it('refuses a TLS client that trusts only another CA', async () => {
    const { stompTlsPort, pki } = await sharedBroker();
    await assert.rejects(
      rawStompConnect(stompTlsPort, { ca: readFileSync(pki.rogueCaCert), rejectUnauthorized: true }),
      /self[- ]signed|unable to verify|certificate/i,
    );
  });
});

describe('private test broker', () => {
  let broker: Broker | null = null;
  after(async () => {
    await broker?.stop();
  });

  it('keeps a persistent message across restart()', async () => {
    broker = await Broker.start({ name: 'harness-restart' });
    const port = broker.stompPort;
    const queue = `/queue/harness.restart.${Date.now()}`;
    const body = JSON.stringify({ hello: 'world', at: Date.now() });

    const producer = await connectStomp(port);
    producer.send(encodeFrame('SEND', {
      destination: queue, persistent: 'true', 'content-type': 'application/json', receipt: 'r1',
    }, body));
    const receipt = await producer.nextFrame(5000);
    assert.equal(receipt.command, 'RECEIPT');
    assert.equal(receipt.headers['receipt-id'], 'r1');
    await producer.close();

    const pidBefore = broker.pid;
    await broker.restart();
    assert.equal(broker.stompPort, port, 'same port after restart');
    assert.notEqual(broker.pid, pidBefore);

    const consumer = await connectStomp(port);
    consumer.send(encodeFrame('SUBSCRIBE', { id: 'sub-0', destination: queue, ack: 'client-individual' }));
    const msg = await consumer.nextFrame(10_000);
    assert.equal(msg.command, 'MESSAGE', `${msg.command} ${msg.body}\n${broker.logTail()}`);
    assert.equal(msg.body, body);
    assert.equal(msg.headers.destination, queue);
    assert.equal(msg.headers.persistent, 'true');
    consumer.send(encodeFrame('ACK', { id: msg.headers.ack! }));
    consumer.send(encodeFrame('DISCONNECT', { receipt: 'bye' }));
    assert.equal((await consumer.nextFrame(5000)).command, 'RECEIPT');
    await consumer.close();
  });
});
