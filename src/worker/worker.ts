/**
 * The resilient-circuits equivalent for one brand: subscribes to the brand's message
 * destinations, runs each invocation through the function registry and answers SOAR.
 *
 * Ordering guarantees (where IBM's client loses results, docs/soar-wire.md "Replies"):
 * - the final reply and the ACK go in one broker transaction: a crash leaves either both or
 *   neither, so every invocation gets exactly one final reply (IBM's client ACKs first and can
 *   lose the reply; a receipt-then-ACK order can answer twice);
 * - every message is answered and ACKed, poison ones included, so none blocks a prefetch slot;
 * - a redelivered message-id never runs its handler twice in this process (DedupeCache).
 */
import type { FunctionContext } from './function.js';
import type { IMessage } from '@stomp/stompjs';
import type { ClearingNetwork } from '../clearing/network.js';
import type { BrandConfig, WorkerConfig } from '../config/types.js';
import { ClearingError, ErrorCode, InputInvalidError } from '../core/errors.js';
import { Lifecycle, type Transitions } from '../core/lifecycle.js';
import type { BrandMetrics } from '../core/metrics.js';
import type { SoarClient } from '../soar/client.js';
import { withMeta } from '../core/logger.js';
import type { Logger } from '../core/types.js';
import { StompConnection } from './connection.js';
import { DedupeCache } from './dedupe.js';
import { normalizeInputs } from './inputs.js';
import { parseFunctionMessage, type Delivery, type Invocation, type ReplyAddress } from './message.js';
import type { FunctionRegistry } from './registry.js';
import { errorReply, finalReply, resultsV2, statusReply } from './replies.js';

/**
 * The worker's lifecycle:
 * - `created`: constructed, not connecting;
 * - `connecting`: start() called, not yet subscribed;
 * - `running`: subscribed on the current connection;
 * - `reconnecting`: the connection was lost; the connection's loop reconnects and subscribes again;
 * - `draining`: stop() called: no new message is taken, in-flight ones get the grace period;
 * - `stopping`: disconnecting (the broker returns unacked messages to the queue);
 * - `stopped`: disconnected for good; a worker does not start again (a node makes new ones).
 */
export const WorkerState = {
  Created: 'created',
  Connecting: 'connecting',
  Running: 'running',
  Reconnecting: 'reconnecting',
  Draining: 'draining',
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

export const WORKER_TRANSITIONS: Transitions<WorkerState> = {
  [WorkerState.Created]: [WorkerState.Connecting, WorkerState.Stopped],
  [WorkerState.Connecting]: [WorkerState.Running, WorkerState.Draining],
  [WorkerState.Running]: [WorkerState.Reconnecting, WorkerState.Draining],
  [WorkerState.Reconnecting]: [WorkerState.Running, WorkerState.Draining],
  [WorkerState.Draining]: [WorkerState.Stopping],
  [WorkerState.Stopping]: [WorkerState.Stopped],
  [WorkerState.Stopped]: [],
};

export interface WorkerOptions {
  readonly brand: BrandConfig;
  readonly worker: WorkerConfig;
  readonly registry: FunctionRegistry;
  readonly soar: SoarClient;
  readonly log: Logger;
  readonly nodeId: string;
  readonly network: ClearingNetwork;
}

export interface WorkerStats {
  readonly inFlight: number;
  readonly completed: number;
  readonly failed: number;
  readonly rejected: number;
  readonly redeliveriesAbsorbed: number;
}

/** Promise.withResolvers, which Node 20 lacks. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Why an invocation's handler was aborted: only a timeout is answered; shutdown leaves it for redelivery. */
class ShutdownAbort extends Error {}

export class BrandWorker {
  private readonly lifecycle: Lifecycle<WorkerState>;
  private stopRun: Promise<void> | null = null;
  private readonly connection: StompConnection;
  private readonly dedupe: DedupeCache;
  private readonly running = new Map<string, AbortController>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly log: Logger;
  private stats = { completed: 0, failed: 0, rejected: 0, redeliveriesAbsorbed: 0 };
  private readonly firstConnect = deferred();
  private readonly metrics: BrandMetrics;

  constructor(private readonly opts: WorkerOptions) {
    this.log = opts.log.child({ brand: opts.brand.id });
    this.lifecycle = new Lifecycle(`worker '${opts.brand.id}'`, WorkerState.Created, WORKER_TRANSITIONS, this.log);
    this.dedupe = new DedupeCache(opts.worker.dedupe_size);
    this.metrics = opts.network.metrics.brand(opts.brand.id);
    this.connection = new StompConnection(opts.brand.stomp, this.log, {
      onConnected: (session) => this.subscribeAll(session),
      onDisconnected: (_session, reason) => {
        if (this.lifecycle.is(WorkerState.Running)) this.lifecycle.transition(WorkerState.Reconnecting, reason);
      },
    });
  }

  /** Queue names this worker subscribes to: `actions.<org_id>.<destination>`. */
  get destinations(): string[] {
    return this.opts.brand.destinations.map((d) => `actions.${this.opts.soar.orgId}.${d}`);
  }

  getStats(): WorkerStats {
    return { inFlight: this.running.size, ...this.stats };
  }

  get state(): WorkerState {
    return this.lifecycle.state;
  }

  /**
   * Starts the connection loop; resolves once subscribed the first time. Called again while
   * connecting or running, it only waits for that first subscription; once stop() was called it
   * throws IllegalStateError.
   */
  start(): Promise<void> {
    if (this.lifecycle.is(WorkerState.Connecting, WorkerState.Running, WorkerState.Reconnecting)) return this.firstConnect.promise;
    this.lifecycle.transition(WorkerState.Connecting, `broker ${this.opts.brand.stomp.host}:${this.opts.brand.stomp.port}`);
    this.connection.start();
    return this.firstConnect.promise;
  }

  /**
   * Graceful stop: take no new messages, give in-flight ones `graceMs` to finish and answer,
   * abort the rest (their messages stay unacked and return to the queue), then disconnect.
   * Before start() it only marks the worker stopped; called again, it returns the same stop.
   */
  stop(graceMs = this.opts.worker.shutdown_grace_ms): Promise<void> {
    if (this.lifecycle.is(WorkerState.Created)) this.lifecycle.transition(WorkerState.Stopped, 'stop before start');
    if (this.lifecycle.is(WorkerState.Stopped) && !this.stopRun) return Promise.resolve();
    return (this.stopRun ??= this.drainAndDisconnect(graceMs));
  }

  private async drainAndDisconnect(graceMs: number): Promise<void> {
    this.lifecycle.transition(WorkerState.Draining, 'stop requested');
    if (this.running.size > 0) {
      this.log.info(`draining: waiting up to ${graceMs} ms for ${this.running.size} invocation(s)`);
      const drained = await this.waitIdle(graceMs);
      if (!drained) {
        this.log.warn(`grace period over: aborting ${this.running.size} invocation(s); they will be redelivered`);
        for (const ctl of this.running.values()) ctl.abort(new ShutdownAbort('worker shutting down'));
        await this.waitIdle(2000);
      }
    }
    this.lifecycle.transition(WorkerState.Stopping, 'disconnecting');
    await this.connection.stop();
    this.lifecycle.transition(WorkerState.Stopped, 'disconnected', { ...this.getStats() });
  }

  private waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private subscribeAll(session: number): void {
    for (const destination of this.destinations) {
      this.connection.subscribe(destination, this.opts.worker.concurrency, (msg) => this.onMessage(session, destination, msg));
    }
    if (this.lifecycle.is(WorkerState.Connecting, WorkerState.Reconnecting)) this.lifecycle.transition(WorkerState.Running, `subscribed (session ${session})`);
    this.metrics.brokerSession(session);
    this.log.info(`subscribed to ${this.destinations.join(', ')}`, { prefetch: this.opts.worker.concurrency, session });
    this.firstConnect.resolve();
  }

  private onMessage(session: number, destination: string, msg: IMessage): void {
    // While draining, new deliveries are left unacked: the broker hands them on when we disconnect.
    if (this.lifecycle.is(WorkerState.Draining, WorkerState.Stopping, WorkerState.Stopped)) return;
    const headers = msg.headers as Record<string, string>;
    const ackId = headers['ack'] ?? headers['message-id'] ?? '';
    const delivery: Delivery = {
      session,
      ackId,
      subscription: headers['subscription'] ?? destination,
      // ActiveMQ always sets message-id; the fallback only keeps the dedupe key unique.
      messageId: headers['message-id'] || `${session}:${ackId}`,
      redelivered: headers['redelivered'] === 'true',
    };
    const seen = this.dedupe.get(delivery.messageId);
    if (seen && seen.state === 'done' && seen.reply === null) {
      // Committed, yet back: that commit never reached the broker, so nothing was answered.
      this.dedupe.delete(delivery.messageId);
    } else if (seen) {
      this.stats.redeliveriesAbsorbed += 1;
      seen.delivery = delivery;
      if (seen.state === 'done') this.settle(delivery.messageId);
      return;
    }
    const parsed = parseFunctionMessage(headers, msg.body);
    if (!parsed.ok) {
      this.reject(delivery, parsed.reply, parsed.error);
      return;
    }
    void this.invoke(delivery, parsed.invocation);
  }

  /** Poison message: answer it (when it can be answered) and ACK it, so it never comes back. */
  private reject(delivery: Delivery, reply: ReplyAddress | null, error: ClearingError): void {
    this.stats.rejected += 1;
    this.metrics.rejected();
    this.log.warn(`rejected message: ${error.message}`, {
      outcome: 'rejected',
      code: error.code,
      correlation_id: reply?.correlationId,
      message_id: delivery.messageId,
    });
    if (!reply) {
      this.connection.ack(delivery.session, delivery.ackId, delivery.subscription);
      return;
    }
    this.finish(delivery, reply, errorReply(error.toReplyMessage()));
  }

  private async invoke(delivery: Delivery, inv: Invocation): Promise<void> {
    const started = performance.now();
    const controller = new AbortController();
    this.running.set(delivery.messageId, controller);
    this.dedupe.set(delivery.messageId, { state: 'running', delivery });
    const log = withMeta(this.log, { function: inv.functionName, correlation_id: inv.correlationId });
    let reply: string | null = null;
    let outcome = 'success';
    let code: string | undefined;
    try {
      const def = this.opts.registry.get(inv.functionName);
      if (!def) {
        throw new ClearingError(ErrorCode.FunctionUnknown,
          `function '${inv.functionName}' is not served by this app (serves: ${this.opts.registry.names().join(', ')})`);
      }
      const inputs = normalizeInputs(inv.inputs);
      const problems = this.opts.registry.validate(def.name, inputs);
      if (problems.length > 0) throw new InputInvalidError(def.name, problems);
      const ctx = this.contextFor(inv, delivery, controller.signal, log);
      await ctx.status(`Running '${def.displayName}'`);
      const content = await this.withTimeout(def.handler(inputs, ctx), controller);
      // A handler returning nothing still owes SOAR a `content` key.
      reply = finalReply(resultsV2(content ?? null, inputs, Math.round(performance.now() - started), new Date()));
      this.stats.completed += 1;
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason instanceof ShutdownAbort) {
        outcome = 'abandoned';
      } else {
        const error = ClearingError.from(err);
        outcome = 'error';
        code = error.code;
        reply = errorReply(error.toReplyMessage());
        this.stats.failed += 1;
        if (error.code === ErrorCode.Internal) log.error(`handler failed: ${error.message}`, { stack: (err as Error)?.stack });
      }
    } finally {
      this.running.delete(delivery.messageId);
    }
    const durationMs = Math.round(performance.now() - started);
    // A name this app does not serve comes from the message: one label value for all of them.
    this.metrics.invocation(this.opts.registry.get(inv.functionName) ? inv.functionName : 'unknown', outcome, durationMs);
    if (reply === null) {
      // Abandoned on shutdown: unacked, so the broker hands it to the next worker.
      this.dedupe.delete(delivery.messageId);
    } else {
      // The entry may carry a newer delivery (redelivered while running): ACK that one.
      const latest = this.dedupe.get(delivery.messageId)?.delivery ?? delivery;
      this.finish(latest, inv, reply);
    }
    // Logged once the reply is handed over: writing the line is not on the reply's path.
    log.info(`invocation ${outcome}`, { outcome, code, duration_ms: durationMs });
    this.notifyIfIdle();
  }

  /** Record the final reply, then commit it with the ACK (see settle). */
  private finish(delivery: Delivery, to: ReplyAddress, reply: string): void {
    this.dedupe.set(delivery.messageId, {
      state: 'done', delivery, replyTo: to.replyTo, correlationId: to.correlationId, reply,
    });
    this.settle(delivery.messageId);
  }

  /** Commit the recorded final reply together with the ACK of its latest delivery. */
  private settle(key: string): void {
    const entry = this.dedupe.get(key);
    if (!entry || entry.state !== 'done' || entry.reply === null) return;
    try {
      this.connection.replyAndAck(entry.delivery, entry.replyTo, { 'correlation-id': entry.correlationId, persistent: 'true' }, entry.reply, () => {
        entry.reply = null; // committed: don't hold the body in memory
      });
    } catch (err) {
      // Link down: the message is unacked, the broker redelivers it, and settle runs again then.
      this.log.warn(`final reply not sent (${(err as Error).message}); will answer on redelivery`, { correlation_id: entry.correlationId });
    }
  }

  private contextFor(inv: Invocation, delivery: Delivery, signal: AbortSignal, log: Logger): FunctionContext {
    return {
      status: async (message: string) => {
        try {
          this.connection.send(inv.replyTo, { 'correlation-id': inv.correlationId }, statusReply(message));
        } catch {
          // A status line is advisory; losing one while reconnecting must not fail the function.
        }
      },
      log,
      soar: this.opts.soar.withContextToken(inv.contextToken),
      signal,
      nodeId: this.opts.nodeId,
      network: this.opts.network,
      invocation: {
        brand: this.opts.brand.id,
        functionName: inv.functionName,
        correlationId: inv.correlationId,
        messageId: delivery.messageId,
        workflowInstanceId: inv.workflowInstanceId,
        workflow: inv.workflow,
        principal: inv.principal,
        redelivered: delivery.redelivered,
      },
    };
  }

  private withTimeout<T>(work: Promise<T>, controller: AbortController): Promise<T> {
    const limit = this.opts.worker.function_timeout_ms;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(controller.signal.reason);
      controller.signal.addEventListener('abort', onAbort, { once: true });
      const timer = limit > 0
        ? setTimeout(() => controller.abort(new ClearingError(ErrorCode.FunctionTimeout, `function did not finish within ${limit} ms`)), limit)
        : null;
      work.then(resolve, reject).finally(() => {
        if (timer) clearTimeout(timer);
        controller.signal.removeEventListener('abort', onAbort);
      });
    });
  }

  private notifyIfIdle(): void {
    if (this.running.size > 0) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }
}
