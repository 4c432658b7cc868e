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

interface BatchedReply {
  readonly delivery: ReplyDelivery;
  readonly destination: string;
  readonly headers: StompHeaders;
  readonly body: string;
  readonly written: () => void;
}

/** A group commit leaves at once when it holds this many replies or body bytes. */
const MAX_BATCH_REPLIES = 100;
const MAX_BATCH_BYTES = 1 << 20;

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
  private replyBatch: BatchedReply[] = [];
  private replyBatchBytes = 0;
  private flushScheduled = false;

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
    if (this.replyBatch.length > 0) this.flushReplies();
    this.stopping = true;
    this.stopSignal.abort();
    const client = this.client;
    if (client) await client.deactivate();
    await this.loop;
  }

  subscribe(destination: string, prefetch: number, onMessage: (msg: IMessage) => void): void {
    this.current().subscribe(destination, onMessage, {
      id: destination,
      ack: 'client-individual',
      'activemq.prefetchSize': String(prefetch),
    });
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
   * Replies completed in the same turn of the event loop share one transaction (group commit):
   * ActiveMQ syncs its journal at each COMMIT and handles a connection's frames in order, so a
   * transaction per reply would cap throughput at one journal sync per invocation. A shared
   * transaction still commits each reply together with its own ACK.
   *
   * `written` runs once the frames are handed to the socket. Throws NotConnectedError when the
   * delivery's session is gone; a reply whose session is lost before the batch leaves is dropped
   * without `written`, and its message is redelivered on the new session.
   */
  replyAndAck(delivery: ReplyDelivery, destination: string, headers: StompHeaders, body: string, written: () => void): void {
    if (!this.connected || delivery.session !== this.session) throw new NotConnectedError('the delivery belongs to a lost connection');
    this.replyBatch.push({ delivery, destination, headers, body, written });
    this.replyBatchBytes += body.length;
    if (this.replyBatch.length >= MAX_BATCH_REPLIES || this.replyBatchBytes >= MAX_BATCH_BYTES) {
      this.flushReplies();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushReplies());
    }
  }

  /** Commits the batched replies with their ACKs as one transaction, in one TCP write. */
  private flushReplies(): void {
    this.flushScheduled = false;
    const batch = this.replyBatch;
    this.replyBatch = [];
    this.replyBatchBytes = 0;
    const client = this.connected ? this.client : null;
    const acked = new Set<string>();
    // One reply per delivery even if it was settled twice before the batch left.
    const live = client ? batch.filter((r) => r.delivery.session === this.session && !acked.has(r.delivery.ackId) && acked.add(r.delivery.ackId)) : [];
    const lost = batch.filter((r) => r.delivery.session !== this.session || !client).length;
    if (lost > 0) this.log.warn(`${lost} final replies not sent (connection lost); they are answered on redelivery`);
    if (!client || live.length === 0) return;
    const tx = `tx-${this.session}-${++this.frameCounter}`;
    const frames = (): void => {
      client.begin(tx);
      for (const r of live) {
        client.publish({ destination: r.destination, headers: { ...r.headers, transaction: tx }, body: r.body });
        client.ack(r.delivery.ackId, r.delivery.subscription, { transaction: tx });
      }
      client.commit(tx);
    };
    if (this.socket) this.socket.batch(frames);
    else frames();
    for (const r of live) r.written();
  }

  /** Fire-and-forget SEND (status messages). Throws NotConnectedError when down. */
  send(destination: string, headers: StompHeaders, body: string): void {
    this.current().publish({ destination, headers, body });
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

  /** ACK a delivery of the given session; false (and no frame) if that session is gone. */
  ack(session: number, ackId: string, subscription: string): boolean {
    if (!this.connected || session !== this.session || !this.client) return false;
    this.client.ack(ackId, subscription);
    return true;
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
        // ActiveMQ closes the link after an ERROR frame; keep its text as the reason.
        reason = `broker error: ${frame.headers['message'] ?? 'unknown'}${frame.body ? ` (${frame.body.trim().split('\n')[0]})` : ''}`;
        this.log.error(`STOMP ${reason}`, { broker: socket?.url });
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
