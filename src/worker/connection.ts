/**
 * One brand's STOMP link to SOAR's broker, kept alive by a single reconnect loop.
 *
 * Each attempt uses a fresh @stomp/stompjs Client with its own reconnect disabled: the loop here
 * is the only one, so backoff, jitter and "subscribe exactly once per connection" are ours.
 * A `session` number identifies each successful connection; ack ids are only valid within the
 * session that delivered the message, so callers tag deliveries with it.
 */
import { Client, type IFrame, type IMessage, type StompHeaders } from '@stomp/stompjs';
import type { StompConfig } from '../config/types.js';
import type { Logger } from '../core/types.js';
import { backoffDelay, sleep } from '../core/backoff.js';
import { StompSocket, type CloseEvent } from './socket.js';

export interface ConnectionHandlers {
  /** Called once per successful CONNECTED, with the session number; subscribe here. */
  onConnected(session: number): void;
  /** Called once per lost connection that had been established. */
  onDisconnected(session: number, reason: string): void;
}

/** Where a final reply goes back to: the delivery it answers (its session, ack id, subscription). */
export interface ReplyDelivery {
  readonly session: number;
  readonly ackId: string;
  readonly subscription: string;
}

/** An ACK waiting for its transaction, with the reply it commits (null: an ACK alone). */
interface BatchedAck {
  readonly delivery: ReplyDelivery;
  readonly reply: { readonly destination: string; readonly headers: StompHeaders; readonly body: string } | null;
  readonly written: () => void;
}

/** A group commit holds at most this many replies, or about this many body bytes. */
const MAX_BATCH_REPLIES = 100;
const MAX_BATCH_BYTES = 1 << 20;
/** How long stop() waits for the last replies to be committed before it disconnects. */
const STOP_COMMIT_WAIT_MS = 5000;

/** A header value as stompjs writes it: escaped on STOMP 1.2 (\\, CR, LF, colon), as is before. */
function headerValue(value: string, v12: boolean): string {
  if (!v12 || !/[\\\r\n:]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

/**
 * A SEND frame as stompjs's publish() writes it (headers, `content-length` in UTF-8 bytes, body,
 * NUL), built here so a whole transaction is one string and one write: stompjs serializes each
 * frame with a TextEncoder pass over the body and writes it separately.
 */
function sendFrame(destination: string, headers: StompHeaders, body: string, v12: boolean, tx: string | null): string {
  let frame = `SEND\ndestination:${headerValue(destination, v12)}\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) frame += `${name}:${headerValue(String(value), v12)}\n`;
  }
  if (tx !== null) frame += `transaction:${tx}\n`;
  return `${frame}content-length:${Buffer.byteLength(body, 'utf8')}\n\n${body}\0`;
}

class NotConnectedError extends Error {
  constructor(reason = 'not connected to the broker') {
    super(reason);
    this.name = 'NotConnectedError';
  }
}

export class StompConnection {
  /** Current session number; 0 before the first connection. */
  session = 0;
  /** Why the last attempt failed or the last connection ended (selftest reports it). */
  lastFailure: string | null = null;
  private client: Client | null = null;
  private socket: StompSocket | null = null;
  private connected = false;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  private frameCounter = 0;
  private readonly pendingReceipts = new Map<string, (err?: Error) => void>();
  /** Status SENDs not written yet (see send). */
  private sends: Array<{ readonly destination: string; readonly headers: StompHeaders; readonly body: string }> = [];
  /** Replies and ACKs handed over and not written yet (see replyAndAck). */
  private waiting: BatchedAck[] = [];
  /** The receipt of the COMMIT the broker has not confirmed yet. */
  private commitInFlight: string | null = null;
  /** Per subscription of the current session: ack ids delivered and not yet ACKed, oldest first. */
  private readonly outstanding = new Map<string, string[]>();

  constructor(
    private readonly cfg: StompConfig,
    private readonly log: Logger,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** DISCONNECT politely (the broker returns unacked messages to the queue), end the loop. */
  async stop(): Promise<void> {
    await this.commitsDone(STOP_COMMIT_WAIT_MS);
    this.stopping = true;
    this.stopSignal.abort();
    const client = this.client;
    if (client) await client.deactivate();
    await this.loop;
  }

  /**
   * Resolves once every waiting reply that can leave is committed: nothing in flight and nothing
   * eligible left (a reply behind a message that will never be answered stays unsent, and its
   * message is handed out again), or the link is gone, or `timeoutMs` passed.
   */
  private async commitsDone(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connected && Date.now() < deadline) {
      if (this.commitInFlight === null) {
        this.flushReplies();
        if (this.commitInFlight === null) return;
      }
      await sleep(5);
    }
  }

  /**
   * Subscribes to `destination` once per concurrency slot: `slots` subscriptions, each with
   * `ack: client` and a prefetch of 1.
   *
   * Why not one `client-individual` subscription with a prefetch of `slots`: ActiveMQ 5.x keeps
   * every message ACKed inside a transaction on a client-individual subscription in a list that
   * only an ABORT or the end of the connection empties (StompSubscription.onStompCommit clears it
   * for `ack: client` only, 5.15.1 through 6.x), and walks that list at every COMMIT: one
   * MessageDispatch and one StompAckEntry per invocation ever answered, the broker's CPU per
   * invocation growing with them. In `client` mode the COMMIT turns the transacted ACKs into a
   * standard one and forgets them.
   *
   * A `client` ACK is cumulative: it acknowledges every message the subscription delivered
   * before it. A prefetch of 1 makes that rare but not impossible: the broker widens a
   * subscription's window by one at a transacted ACK and narrows it again after the COMMIT, and
   * its dispatch thread can hand out two messages in between (seen on 5.17.2). So the order of
   * deliveries is kept per subscription (`outstanding`), and an ACK leaves only together with,
   * or after, the ACKs of every message its subscription delivered before it (flushReplies).
   * ActiveMQ 5.x keeps an unsubscribed subscription until the connection closes (AMQ-9283,
   * fixed in 6.0), so the slots are subscribed once per connection and never recycled.
   */
  subscribe(destination: string, slots: number, onMessage: (msg: IMessage) => void): void {
    const client = this.current();
    for (let slot = 0; slot < slots; slot++) {
      const id = `${destination}#${slot}`;
      const order: string[] = [];
      this.outstanding.set(id, order);
      client.subscribe(destination, (msg) => {
        order.push(msg.headers['ack'] ?? '');
        onMessage(msg);
      }, { id, ack: 'client', 'activemq.prefetchSize': '1' });
    }
  }

  /**
   * Selftest: subscribe with a receipt (SOAR's broker answers ERROR instead when the credentials
   * may not use the destination), then unsubscribe at once; a message delivered meanwhile is
   * never ACKed, so the broker hands it on.
   */
  async probeSubscription(destination: string, timeoutMs = 10_000): Promise<void> {
    const id = `probe-${destination}`;
    await this.withReceipt(timeoutMs, (client, receipt) =>
      client.subscribe(destination, () => undefined, { id, ack: 'client-individual', 'activemq.prefetchSize': '1', receipt }));
    this.client?.unsubscribe(id);
  }

  /**
   * The final reply and the ACK of the message it answers, in one broker transaction
   * (BEGIN, SEND, ACK, COMMIT): whatever dies when, either both take effect (SOAR gets the reply,
   * the message is gone) or neither (the message comes back and no reply was delivered). Never a
   * reply without its ACK, so a redelivered message was never answered.
   *
   * Replies share transactions (group commit): ActiveMQ syncs its journal at each COMMIT and
   * handles a connection's frames one at a time, so a transaction per reply would cap throughput
   * at one journal sync per invocation. One commit is in flight at a time: its COMMIT asks for a
   * receipt, replies finished meanwhile wait for it and then leave together in the next
   * transaction; with nothing in flight a reply leaves at once. A shared transaction still
   * commits each reply together with its own ACK.
   *
   * The cumulative `client` ACKs (see subscribe) stay exact because an ACK leaves only after, or
   * with, the ACKs of the messages its subscription delivered before it, and only once the
   * broker confirmed every earlier commit. A COMMIT the broker refuses answers ERROR instead of
   * the receipt, and an ERROR ends the connection (see connectOnce), so a refused transaction's
   * messages are handed out again and never swept up by a later ACK.
   *
   * `written` runs once the frames are handed to the socket. Throws NotConnectedError when the
   * delivery's session is gone; a reply whose session is lost before its batch leaves is dropped
   * without `written`, and its message is redelivered on the new session.
   */
  replyAndAck(delivery: ReplyDelivery, destination: string, headers: StompHeaders, body: string, written: () => void): void {
    if (!this.connected || delivery.session !== this.session) throw new NotConnectedError('the delivery belongs to a lost connection');
    this.enqueue({ delivery, reply: { destination, headers, body }, written });
  }

  /**
   * ACK a delivery of the given session without a reply (a message that cannot be answered);
   * false (and no frame) if that session is gone. It goes in a transaction like a reply's ACK,
   * in the same order.
   */
  ack(session: number, ackId: string, subscription: string): boolean {
    if (!this.connected || session !== this.session || !this.client) return false;
    this.enqueue({ delivery: { session, ackId, subscription }, reply: null, written: () => undefined });
    return true;
  }

  private enqueue(entry: BatchedAck): void {
    this.waiting.push(entry);
    if (this.commitInFlight !== null) return; // leaves when the receipt comes (committed)
    this.flushReplies();
  }

  /**
   * Commits waiting replies with their ACKs as one transaction, in one TCP write: on each
   * subscription, the run of delivered messages, oldest first, that all have their reply (or
   * ACK) waiting; at most MAX_BATCH_REPLIES of them, or about MAX_BATCH_BYTES of bodies. The
   * rest wait for the receipt, or for an older message of their subscription. Does nothing
   * while a commit is in flight.
   */
  private flushReplies(): void {
    if (this.commitInFlight !== null) return;
    const client = this.connected ? this.client : null;
    const socket = this.socket;
    const entries = this.waiting;
    this.waiting = [];
    const current = client && socket ? entries.filter((r) => r.delivery.session === this.session) : [];
    const lost = entries.filter((r) => r.reply !== null && (!client || !socket || r.delivery.session !== this.session)).length;
    if (lost > 0) this.log.warn(`${lost} final replies not sent (connection lost); they are answered on redelivery`);
    if (!client || !socket || current.length === 0) return;
    // One entry per delivery even if it was settled twice before its batch left.
    const ready = new Map<string, BatchedAck>();
    for (const r of current) if (!ready.has(r.delivery.ackId)) ready.set(r.delivery.ackId, r);
    const batch: BatchedAck[] = [];
    let bytes = 0;
    for (const order of this.outstanding.values()) {
      let n = 0;
      while (n < order.length && batch.length < MAX_BATCH_REPLIES && bytes < MAX_BATCH_BYTES) {
        const r = ready.get(order[n]!);
        if (!r) break;
        ready.delete(order[n]!);
        batch.push(r);
        bytes += r.reply?.body.length ?? 0;
        n += 1;
      }
      order.splice(0, n);
    }
    // Left waiting: entries behind an older delivery of their subscription. An entry whose
    // delivery is no longer outstanding was committed already (settled twice): dropped.
    const pending = new Set<string>();
    for (const order of this.outstanding.values()) for (const id of order) pending.add(id);
    this.waiting = [...ready.values()].filter((r) => pending.has(r.delivery.ackId));
    if (batch.length === 0) return;
    const tx = `tx-${this.session}-${++this.frameCounter}`;
    const receipt = `c-${this.session}-${this.frameCounter}`;
    this.commitInFlight = receipt;
    client.watchForReceipt(receipt, () => this.committed(receipt));
    const v12 = client.connectedVersion === '1.2';
    const ackIdHeader = v12 ? 'id' : 'message-id';
    // The waiting status SENDs first, then the transaction: one string, one write.
    let wire = this.takeSends(v12);
    wire += `BEGIN\ntransaction:${tx}\n\n\0`;
    for (const r of batch) {
      if (r.reply) wire += sendFrame(r.reply.destination, r.reply.headers, r.reply.body, v12, tx);
      wire += `ACK\n${ackIdHeader}:${headerValue(r.delivery.ackId, v12)}\nsubscription:${headerValue(r.delivery.subscription, v12)}\ntransaction:${tx}\n\n\0`;
    }
    wire += `COMMIT\ntransaction:${tx}\nreceipt:${receipt}\n\n\0`;
    socket.send(wire);
    for (const r of batch) r.written();
  }

  /** The broker confirmed the commit in flight (or the link is gone, `receipt` null): the next may leave. */
  private committed(receipt: string | null): void {
    if (this.commitInFlight === null || (receipt !== null && this.commitInFlight !== receipt)) return;
    this.commitInFlight = null;
    if (this.waiting.length > 0) this.flushReplies();
    if (this.commitInFlight === null) this.flushSends(); // statuses held while the commit was in flight
  }

  /**
   * Fire-and-forget SEND (status messages). Throws NotConnectedError when down. The frame leaves
   * at the end of the event loop's turn, or with the next transaction if that leaves first (in
   * the same TCP write, before it): a status and the final reply of a function that finished at
   * once reach the broker together. While a commit is in flight, statuses wait for its receipt
   * and leave with the next transaction (or alone if none is ready): one write per commit, not
   * one per turn, under load.
   */
  send(destination: string, headers: StompHeaders, body: string): void {
    this.current();
    this.sends.push({ destination, headers, body });
    if (this.sends.length === 1 && this.commitInFlight === null) setImmediate(() => this.flushSends());
  }

  /** Writes the waiting status SENDs, unless a commit is in flight (its receipt writes them). */
  private flushSends(): void {
    if (this.sends.length === 0 || this.commitInFlight !== null) return;
    const client = this.connected ? this.client : null;
    const socket = this.socket;
    if (!client || !socket) {
      this.sends = []; // advisory: lost with the link
      return;
    }
    socket.send(this.takeSends(client.connectedVersion === '1.2'));
  }

  /** The waiting status SENDs as wire text, emptied. */
  private takeSends(v12: boolean): string {
    let wire = '';
    for (const m of this.sends) wire += sendFrame(m.destination, m.headers, m.body, v12, null);
    this.sends = [];
    return wire;
  }

  /** Runs `send` with a fresh receipt id; settles on the RECEIPT, a lost link, or the timeout. */
  private withReceipt(timeoutMs: number, send: (client: Client, receipt: string) => void): Promise<void> {
    const client = this.current();
    const receipt = `r-${this.session}-${++this.frameCounter}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => settle(new NotConnectedError('no receipt from the broker in time')), timeoutMs);
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        this.pendingReceipts.delete(receipt);
        if (err) reject(err);
        else resolve();
      };
      this.pendingReceipts.set(receipt, settle);
      client.watchForReceipt(receipt, () => settle());
      send(client, receipt);
    });
  }

  private current(): Client {
    if (!this.connected || !this.client) throw new NotConnectedError();
    return this.client;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      const outcome = await this.connectOnce();
      if (this.stopping) break;
      if (outcome.established) attempt = 0;
      this.lastFailure = outcome.reason;
      const delay = backoffDelay(attempt++, this.cfg.reconnect.initial_ms, this.cfg.reconnect.max_ms);
      this.log.warn(`STOMP ${outcome.established ? 'connection lost' : 'connect failed'}: ${outcome.reason}; retrying in ${delay} ms`, {
        broker: `${this.cfg.host}:${this.cfg.port}`,
        attempt,
      });
      await sleep(delay, this.stopSignal.signal).catch(() => undefined); // aborted = stopping
    }
  }

  /** One connection attempt, resolved when that connection ends (or fails to start). */
  private connectOnce(): Promise<{ established: boolean; reason: string }> {
    return new Promise((resolve) => {
      let established = false;
      let reason = 'connection closed';
      let socket: StompSocket | null = null;
      const client = new Client({
        webSocketFactory: () => {
          socket = new StompSocket({ host: this.cfg.host, port: this.cfg.port, tls: this.cfg.tls, trust: this.cfg.trust });
          this.socket = socket;
          return socket;
        },
        connectHeaders: { login: this.cfg.login, passcode: this.cfg.passcode, host: this.cfg.host },
        heartbeatIncoming: this.cfg.heartbeat_in_ms,
        heartbeatOutgoing: this.cfg.heartbeat_out_ms,
        connectionTimeout: this.cfg.connect_timeout_ms,
        reconnectDelay: 0,
        discardWebsocketOnCommFailure: true,
        // Frames are text (JSON bodies): written as strings, no extra encode per frame.
        forceBinaryWSFrames: false,
        debug: () => undefined,
      });
      this.client = client;

      client.onConnect = (frame: IFrame) => {
        established = true;
        this.connected = true;
        this.session += 1;
        this.outstanding.clear();
        this.log.info('STOMP connected', {
          broker: socket?.url,
          server: frame.headers['server'],
          heartBeat: frame.headers['heart-beat'],
        });
        try {
          this.handlers.onConnected(this.session);
        } catch (err) {
          reason = `subscribe failed: ${(err as Error).message}`;
          void client.deactivate({ force: true });
        }
      };
      client.onStompError = (frame: IFrame) => {
        // ActiveMQ keeps the link open after most ERROR frames (a refused ACK or COMMIT, a
        // failed SEND), leaving this connection's transactions in a state the worker cannot
        // know; the worker ends the link instead, so the broker hands every unacknowledged
        // message out again (see replyAndAck). The ERROR's text is the reason.
        reason = `broker error: ${frame.headers['message'] ?? 'unknown'}${frame.body ? ` (${frame.body.trim().split('\n')[0]})` : ''}`;
        this.log.error(`STOMP ${reason}`, { broker: socket?.url });
        client.forceDisconnect();
      };
      client.onHeartbeatLost = () => {
        reason = `no heart-beat from the broker for ${this.cfg.heartbeat_in_ms * 2} ms`;
      };
      client.onWebSocketClose = (evt?: CloseEvent) => {
        if (reason === 'connection closed' && evt?.reason) reason = evt.reason;
        if (!established && socket?.lastError) reason = socket.lastError.message;
        const wasConnected = this.connected;
        this.connected = false;
        for (const settle of [...this.pendingReceipts.values()]) settle(new NotConnectedError(`connection lost: ${reason}`));
        // No receipt comes on a dead link: the waiting replies are dropped (answered on redelivery).
        this.committed(null);
        if (wasConnected) this.handlers.onDisconnected(this.session, reason);
        // The loop owns reconnection; make sure this client never tries on its own.
        void client.deactivate({ force: true });
        if (this.client === client) this.client = null;
        resolve({ established, reason });
      };
      client.activate();
    });
  }
}
