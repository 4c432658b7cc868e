/**
 * The worker's reply-and-ACK ordering on the wire (src/worker/connection.ts), against a scripted
 * STOMP server on loopback that plays the broker frame by frame (no ActiveMQ: the cases need a
 * broker that misbehaves on cue):
 * - one subscription per concurrency slot, `ack: client`, prefetch 1;
 * - a `client` ACK is cumulative, so when a subscription is handed a second message before the
 *   first is answered (ActiveMQ 5.17 does so now and then), the second's ACK never leaves before
 *   the first's, and both go in one transaction in delivery order;
 * - one commit in flight: nothing is written until the broker's receipt for the last COMMIT;
 *   statuses wait for it too and leave before the next transaction;
 * - an ERROR frame ends the connection.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { encodeFrame, FrameParser, type Frame } from '../../sim/emulator/stomp-wire.js';
import { StompConnection } from '../../src/worker/connection.js';
import type { StompConfig } from '../../src/config/types.js';
import { collectingLogger } from '../support/loggers.js';

/** One scripted broker connection: every frame the client sent, and a way to answer. */
class ScriptedBroker {
  readonly frames: Frame[] = [];
  private socket: net.Socket | null = null;
  private readonly server: net.Server;
  private waiters: Array<() => void> = [];
  private messageSeq = 0;

  constructor() {
    this.server = net.createServer((socket) => {
      this.socket = socket;
      const parser = new FrameParser();
      socket.on('data', (chunk: Buffer) => {
        for (const frame of parser.push(chunk)) {
          if (frame.command === 'CONNECT' || frame.command === 'STOMP') {
            socket.write(encodeFrame('CONNECTED', { version: '1.2', 'heart-beat': '0,0', server: 'scripted' }));
            continue;
          }
          this.frames.push(frame);
        }
        for (const w of this.waiters.splice(0)) w();
      });
      socket.on('error', () => undefined);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Hands subscription `sub` a function message; returns its ack id. */
  deliver(sub: string, destination: string): string {
    const n = ++this.messageSeq;
    const ack = `ack-${n}`;
    this.socket!.write(encodeFrame('MESSAGE', {
      subscription: sub, 'message-id': `ID:scripted-${n}`, ack, destination: `/queue/${destination}`,
      'reply-to': `/queue/acks.${n}`, 'correlation-id': `invid:${n}`,
    }, '{}'));
    return ack;
  }

  send(command: string, headers: Record<string, string>): void {
    this.socket!.write(encodeFrame(command, headers));
  }

  /** Resolves once `until` holds for the frames received so far. */
  async waitFor(until: (frames: Frame[]) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!until(this.frames)) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${this.frames.map((f) => f.command).join(' ')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stompConfig(port: number): StompConfig {
  return {
    host: '127.0.0.1', port, tls: false, trust: { verify: true, cafile: null }, login: 'l', passcode: 'p',
    heartbeat_in_ms: 0, heartbeat_out_ms: 0, connect_timeout_ms: 3000, reconnect: { initial_ms: 50, max_ms: 100 },
  };
}

describe('worker connection: reply-and-ACK ordering on the wire', () => {
  let broker: ScriptedBroker;
  let connection: StompConnection;
  let session = 0;
  const deliveries: Array<{ sub: string; ack: string }> = [];
  const destination = 'actions.201.fn_acks';
  const log = collectingLogger();

  before(async () => {
    broker = new ScriptedBroker();
    const port = await broker.listen();
    let subscribed!: () => void;
    const up = new Promise<void>((resolve) => (subscribed = resolve));
    connection = new StompConnection(stompConfig(port), log.logger, {
      onConnected: (s) => {
        session = s;
        connection.subscribe(destination, 3, (msg) => deliveries.push({ sub: msg.headers['subscription']!, ack: msg.headers['ack']! }));
        subscribed();
      },
      onDisconnected: () => undefined,
    });
    connection.start();
    await up;
    await broker.waitFor((f) => f.filter((x) => x.command === 'SUBSCRIBE').length === 3);
  });

  after(async () => {
    await connection.stop();
    await broker.close();
  });

  const reply = (ack: string, sub: string, written: () => void = () => undefined): void =>
    connection.replyAndAck({ session, ackId: ack, subscription: sub }, `/queue/acks.${ack}`, { 'correlation-id': ack }, `{"for":"${ack}"}`, written);
  const commits = (): Frame[] => broker.frames.filter((f) => f.command === 'COMMIT');
  const receipt = (commit: Frame): void => broker.send('RECEIPT', { 'receipt-id': commit.headers['receipt']! });

  test('one subscription per slot: ack client, prefetch 1, distinct ids', () => {
    const subs = broker.frames.filter((f) => f.command === 'SUBSCRIBE');
    assert.deepEqual(subs.map((f) => [f.headers['destination'], f.headers['ack'], f.headers['activemq.prefetchSize']]), Array(3).fill([destination, 'client', '1']));
    assert.equal(new Set(subs.map((f) => f.headers['id'])).size, 3);
  });

  test('a reply leaves at once in its own transaction; the next waits for the receipt', async () => {
    const sub = `${destination}#0`;
    const a1 = broker.deliver(sub, destination);
    await broker.waitFor(() => deliveries.length === 1);
    reply(a1, sub);
    await broker.waitFor(() => commits().length === 1);
    const first = commits()[0]!;
    assert.ok(first.headers['receipt'], 'the COMMIT asks for a receipt');
    const frames = broker.frames.slice(-4).map((f) => `${f.command} ${f.headers['transaction']}`);
    assert.deepEqual(frames, ['BEGIN', 'SEND', 'ACK', 'COMMIT'].map((c) => `${c} ${first.headers['transaction']}`));

    const a2 = broker.deliver(sub, destination);
    const sub1 = `${destination}#1`;
    const b1 = broker.deliver(sub1, destination);
    await broker.waitFor(() => deliveries.length === 3);
    reply(a2, sub);
    reply(b1, sub1);
    await sleep(100);
    assert.equal(commits().length, 1, 'nothing leaves while a commit is in flight');
    receipt(first);
    await broker.waitFor(() => commits().length === 2);
    const second = commits()[1]!;
    const acks = broker.frames.filter((f) => f.command === 'ACK' && f.headers['transaction'] === second.headers['transaction']).map((f) => f.headers['id']);
    assert.deepEqual(acks.sort(), [a2, b1].sort(), 'replies finished meanwhile leave together');
    receipt(second);
    await sleep(50);
  });

  test('a second message on a busy subscription: its ACK waits for the older one, then both leave in order', async () => {
    const sub = `${destination}#2`;
    const older = broker.deliver(sub, destination);
    const newer = broker.deliver(sub, destination);
    await broker.waitFor(() => deliveries.filter((d) => d.sub === sub).length === 2);
    const before = commits().length;
    let newerWritten = false;
    reply(newer, sub, () => (newerWritten = true));
    await sleep(100);
    assert.equal(commits().length, before, 'a cumulative ACK of the newer message would acknowledge the older one unanswered');
    assert.equal(newerWritten, false);
    reply(older, sub);
    await broker.waitFor(() => commits().length === before + 1);
    const commit = commits().at(-1)!;
    const acks = broker.frames.filter((f) => f.command === 'ACK' && f.headers['transaction'] === commit.headers['transaction']).map((f) => f.headers['id']);
    assert.deepEqual(acks, [older, newer]);
    assert.equal(newerWritten, true);
    receipt(commit);
    await sleep(50);
  });

  test('statuses wait for the commit in flight and leave before the next transaction; header values escaped, content-length in bytes', async () => {
    const sub = `${destination}#0`;
    const corr = 'invid:\u00e4:1\\x'; // a colon and a backslash must be escaped on STOMP 1.2
    const body = '{"text":"caf\u00e9 \u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9"}'; // more bytes than characters
    const sends = (id: string): Frame[] => broker.frames.filter((f) => f.command === 'SEND' && f.headers['correlation-id'] === id);
    const a1 = broker.deliver(sub, destination);
    await broker.waitFor(() => deliveries.some((d) => d.ack === a1));
    const before = commits().length;
    connection.replyAndAck({ session, ackId: a1, subscription: sub }, '/queue/acks.x', { 'correlation-id': corr, persistent: 'true' }, body, () => undefined);
    await broker.waitFor(() => commits().length === before + 1);
    const [reply1] = sends(corr);
    assert.equal(reply1?.body, body, 'content-length counts UTF-8 bytes');
    assert.equal(reply1?.headers['persistent'], 'true');

    connection.send('/queue/acks.x', { 'correlation-id': 'status:1' }, '{"complete":false}');
    const a2 = broker.deliver(sub, destination);
    await broker.waitFor(() => deliveries.some((d) => d.ack === a2));
    reply(a2, sub);
    await sleep(100);
    assert.equal(sends('status:1').length, 0, 'a status waits while a commit is in flight');
    receipt(commits().at(-1)!);
    await broker.waitFor(() => commits().length === before + 2);
    const status = broker.frames.indexOf(sends('status:1')[0]!);
    const begin = broker.frames.findIndex((f) => f.command === 'BEGIN' && f.headers['transaction'] === commits().at(-1)!.headers['transaction']);
    assert.ok(status >= 0 && status < begin, 'the status leaves before the transaction that follows the receipt');
    receipt(commits().at(-1)!);
    await sleep(50);

    connection.send('/queue/acks.x', { 'correlation-id': 'status:2' }, '{"complete":false}');
    await broker.waitFor(() => sends('status:2').length === 1);
    assert.equal(commits().length, before + 2, 'with no commit in flight a status leaves on its own');
  });

  test('an ERROR from the broker ends the connection', async () => {
    const lost = (): boolean => log.lines.some(([level, message]) => level === 'warn' && /connection lost: broker error: Unexpected ACK/.test(message));
    broker.send('ERROR', { message: 'Unexpected ACK received for message-id [null]' });
    const deadline = Date.now() + 3000;
    while (!lost() && Date.now() < deadline) await sleep(20);
    assert.ok(lost(), 'the worker closed the link after the ERROR');
  });
});
