/**
 * A running clearing node: for each configured brand a SOAR client and a worker, and, when the
 * config has a network, the peer API server, the configuration push schedule and the triage
 * sweep; the web UI when the config has a web: section. Owns start-up order (SOAR first, so the
 * org id is known before subscribing), shutdown, and the node's lifecycle state.
 */
import type { FunctionDefinition } from '../worker/function.js';
import type { ConfigPushSchedule } from '../clearing/config-push-schedule.js';
import { ClearingNetwork } from '../clearing/network.js';
import type { PeerServer } from '../clearing/peer-server.js';
import type { AppConfig, BrandConfig } from '../config/types.js';
import { certificatesExpiry } from '../config/cert-expiry.js';
import type { AdminServer } from '../http/admin-server.js';
import { Metrics } from '../core/metrics.js';
import { BrokerWatchdog } from './broker-watchdog.js';
import { type HealthSource, type Readiness, liveness, readiness } from './health.js';
import { backoffDelay, sleep } from '../core/backoff.js';
import { ClearingError } from '../core/errors.js';
import { Lifecycle, type Transitions } from '../core/lifecycle.js';
import { SoarClient } from '../soar/client.js';
import type { TriageSweep } from '../triage/sweep.js';
import type { Logger } from '../core/types.js';
import { checkFunctionsDefined } from '../worker/preflight.js';
import { FunctionRegistry } from '../worker/registry.js';
import { BrandWorker, WorkerState } from '../worker/worker.js';
import type { WebServer } from '../web/server.js';

/**
 * The node's lifecycle:
 * - `created`: constructed, nothing started;
 * - `starting`: connecting to each brand's SOAR (retried while unreachable), starting the workers,
 *   then the peer API, the web UI and the sweep;
 * - `running`: all of it started (a worker may still be connecting to its broker: it retries on
 *   its own);
 * - `stopping`: releasing what the run holds;
 * - `stopped`: all released; `start()` begins a fresh run (new network, clients and workers);
 * - `failed`: `start()` threw; what it had started is held until `stop()`.
 */
export const NodeState = {
  Created: 'created',
  Starting: 'starting',
  Running: 'running',
  Stopping: 'stopping',
  Stopped: 'stopped',
  Failed: 'failed',
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export const NODE_TRANSITIONS: Transitions<NodeState> = {
  [NodeState.Created]: [NodeState.Starting, NodeState.Stopped],
  [NodeState.Starting]: [NodeState.Running, NodeState.Stopping, NodeState.Failed],
  [NodeState.Running]: [NodeState.Stopping],
  [NodeState.Stopping]: [NodeState.Stopped, NodeState.Failed],
  [NodeState.Stopped]: [NodeState.Starting],
  [NodeState.Failed]: [NodeState.Stopping],
};

export interface NodeOptions {
  /** The web UI's clock (sessions' idle timeout, sign-in throttling); tests move it. */
  readonly webClock?: () => number;
  /** The node's metrics (default: its own). */
  readonly metrics?: Metrics;
  /**
   * Called once a brand's broker has been unreachable for `worker.exit_after_broker_down_s`
   * (when set): the caller ends the process (`run` exits with code 34), and a supervisor
   * restarts it. Without it, the node only logs.
   */
  readonly onBrokerDown?: (brand: string, downMs: number) => void;
}

export class ClearingNode implements HealthSource {
  workers: BrandWorker[] = [];
  /** This node's metrics: what /metrics of its admin listener shows. */
  readonly metrics: Metrics;
  readonly startedAt = Date.now();
  /** Each brand's SOAR client and worker of the current run, as they come. */
  private readonly parts = new Map<string, { soar: SoarClient; worker: BrandWorker }>();
  private adminServer: AdminServer | null = null;
  private watchdog: BrokerWatchdog | null = null;
  /** The readiness check under way: concurrent /readyz calls share it. */
  private readyCheck: Promise<Readiness> | null = null;
  private current: ClearingNetwork;
  private peerServer: PeerServer | null = null;
  private pushSchedule: ConfigPushSchedule | null = null;
  private webServer: WebServer | null = null;
  /** The triage sweep (acknowledgement lifecycle, thresholds) of the current run. */
  triageSweep: TriageSweep | null = null;
  private soarClients: SoarClient[] = [];
  /** Aborted by stop(): ends start()'s wait for SOAR. */
  private stopping = new AbortController();
  private readonly lifecycle: Lifecycle<NodeState>;
  /** The run's start-up, settled or not; stop() lets it return before releasing what it holds. */
  private startUp: Promise<void> = Promise.resolve();
  private stopRun: Promise<void> | null = null;

  constructor(
    readonly config: AppConfig,
    private readonly functions: readonly FunctionDefinition[],
    private readonly log: Logger,
    private readonly opts: NodeOptions = {},
  ) {
    this.metrics = opts.metrics ?? new Metrics();
    this.metrics.watchWorkers(() => this.config.brands.map((b) => {
      const worker = this.parts.get(b.id)?.worker;
      return { brand: b.id, inFlight: worker?.getStats().inFlight ?? 0, brokerConnected: worker?.state === WorkerState.Running };
    }));
    this.metrics.watchCertificates(() => certificatesExpiry(config));
    this.current = new ClearingNetwork(config, log, this.metrics);
    this.lifecycle = new Lifecycle(`node '${config.node.id}'`, NodeState.Created, NODE_TRANSITIONS, log);
  }

  get state(): NodeState {
    return this.lifecycle.state;
  }

  /** The network of the current run (a stopped node starts again with fresh clients). */
  get network(): ClearingNetwork {
    return this.current;
  }

  /** The peer API's port once started (0 when this node has no network). */
  get peerPort(): number {
    return this.peerServer?.port ?? 0;
  }

  /** The web UI's port once started (0 when the config has no web: section). */
  get webPort(): number {
    return this.webServer?.port ?? 0;
  }

  /** The admin listener's port once started (0 when the config has no admin: section). */
  get adminPort(): number {
    return this.adminServer?.port ?? 0;
  }

  brandParts(): { brand: string; soar: SoarClient | null; workerState: string | null }[] {
    return this.config.brands.map((b) => {
      const part = this.parts.get(b.id);
      return { brand: b.id, soar: part?.soar ?? null, workerState: part?.worker.state ?? null };
    });
  }

  /** What /readyz answers; concurrent calls share one check. */
  readiness(): Promise<Readiness> {
    this.readyCheck ??= readiness(this).finally(() => {
      this.readyCheck = null;
    });
    return this.readyCheck;
  }

  /**
   * Starts a run from `created` or `stopped`; any other state throws IllegalStateError (a second
   * start() while starting or running is a bug). Resolves once running, or once stop() has
   * interrupted the start-up; rejects (state `failed`) when start-up fails.
   */
  async start(): Promise<void> {
    const restart = this.lifecycle.is(NodeState.Stopped);
    const registry = new FunctionRegistry(this.functions);
    this.lifecycle.transition(NodeState.Starting,
      `brands ${this.config.brands.map((b) => b.id).join(', ')}; functions ${registry.names().join(', ')}`);
    if (restart) {
      this.stopping = new AbortController();
      this.current = new ClearingNetwork(this.config, this.log, this.metrics);
      this.workers = [];
      this.soarClients = [];
      this.parts.clear();
    }
    const startUp = this.startParts(registry);
    this.startUp = startUp.catch(() => undefined);
    try {
      await startUp;
    } catch (err) {
      // Stopped meanwhile: stop() owns the state; the error still goes to the caller.
      if (this.lifecycle.is(NodeState.Starting)) this.lifecycle.transition(NodeState.Failed, ClearingError.from(err).message);
      throw err;
    }
    if (this.lifecycle.is(NodeState.Starting)) this.lifecycle.transition(NodeState.Running, 'started');
  }

  /**
   * Releases what the run holds. Defined from every state: before start() it only marks the node
   * stopped; while stopping it returns the stop under way; once stopped it does nothing; while
   * starting it interrupts the start-up (a wait for SOAR ends at once) and releases what was
   * started. A part failing to stop leaves the node `failed`, and stop() may be called again.
   */
  stop(reason = 'stop requested'): Promise<void> {
    if (this.lifecycle.is(NodeState.Stopped)) return Promise.resolve();
    if (this.lifecycle.is(NodeState.Created)) {
      this.lifecycle.transition(NodeState.Stopped, `${reason} before start`);
      return Promise.resolve();
    }
    if (this.lifecycle.is(NodeState.Stopping) && this.stopRun) return this.stopRun;
    this.lifecycle.transition(NodeState.Stopping, reason);
    this.stopRun = this.stopParts().then(
      () => this.lifecycle.transition(NodeState.Stopped, 'all parts stopped'),
      (err: unknown) => {
        this.lifecycle.transition(NodeState.Failed, `stop failed: ${ClearingError.from(err).message}`);
        throw err;
      },
    ).finally(() => {
      this.stopRun = null;
    });
    return this.stopRun;
  }

  /** Start-up in order; returns early, keeping what it got for stop() to release, once stopping. */
  private async startParts(registry: FunctionRegistry): Promise<void> {
    const stopped = (): boolean => this.stopping.signal.aborted;
    // First, so that /healthz answers and /readyz tells what is missing while the rest starts.
    if (this.config.admin) {
      const { AdminServer } = await import('../http/admin-server.js');
      this.adminServer = await AdminServer.start(this.config.admin.listen, {
        live: () => liveness(this),
        ready: () => this.readiness(),
        metrics: async () => ({ text: await this.metrics.text(), contentType: this.metrics.contentType }),
      }, this.log.child({ component: 'admin' }));
      this.metrics.withProcessMetrics();
    }
    const limit = this.config.worker.exit_after_broker_down_ms;
    if (limit > 0) {
      this.watchdog = new BrokerWatchdog(() => this.brandParts(), limit, (brand, downMs) => {
        this.log.error(`broker of brand ${brand} unreachable for ${Math.round(downMs / 1000)} s (worker.exit_after_broker_down_s: ${limit / 1000})${this.opts.onBrokerDown ? ': exiting, for the supervisor to restart the node' : ''}`, { brand });
        this.opts.onBrokerDown?.(brand, downMs);
      });
    }
    for (const brand of this.config.brands) {
      const soar = await this.connectSoar(brand);
      if (!soar) return; // stopped while waiting for SOAR
      this.soarClients.push(soar);
      this.network.registerLocal(brand.id, soar);
      const worker = new BrandWorker({ brand, worker: this.config.worker, registry, soar, log: this.log, nodeId: this.config.node.id, network: this.network });
      this.workers.push(worker);
      this.parts.set(brand.id, { soar, worker });
      await checkFunctionsDefined(soar, registry.names(), brand.destinations, this.log.child({ brand: brand.id })).catch((err: unknown) =>
        this.log.warn(`could not check function definitions: ${(err as Error).message}`, { brand: brand.id }));
      if (stopped()) return;
      // Not awaited: one brand's broker being down must not hold the other brands back.
      void worker.start();
    }
    // The peer API, the web UI and the sweep are imported only when the config enables them.
    const { node, network } = this.config;
    if (network && node.listen && node.tls) {
      const [{ PeerServer }, { peerRoutes }, { ConfigPushSchedule }] = await Promise.all([
        import('../clearing/peer-server.js'), import('./peer-routes.js'), import('../clearing/config-push-schedule.js'),
      ]);
      if (stopped()) return;
      this.peerServer = await PeerServer.start({
        node: { id: node.id, listen: node.listen, tls: node.tls, brands: this.config.brands.map((b) => b.id) },
        peers: network.peers,
        routes: peerRoutes(this.network),
        log: this.log.child({ component: 'peer-api' }),
      });
      this.log.info(`peer API listening on https://${node.listen.host}:${this.peerServer.port}`, { peers: network.peers.map((p) => p.id) });
      if (stopped()) return;
      this.pushSchedule = ConfigPushSchedule.start(this.network, this.log);
    }
    if (this.config.web) {
      const { WebServer } = await import('../web/server.js');
      if (stopped()) return;
      this.webServer = await WebServer.start({ config: this.config, network: this.network, log: this.log.child({ component: 'web' }), ...(this.opts.webClock ? { now: this.opts.webClock } : {}) });
      this.log.info(`web UI listening on https://${this.config.web.listen.host}:${this.webServer.port}/ui/`);
    }
    if (network) {
      const { TriageSweep } = await import('../triage/sweep.js');
      if (stopped()) return;
      this.triageSweep = new TriageSweep(this.network);
      this.triageSweep.start();
    }
  }

  private async stopParts(): Promise<void> {
    this.stopping.abort();
    await this.startUp;
    this.watchdog?.stop();
    this.watchdog = null;
    this.pushSchedule?.stop();
    this.pushSchedule = null;
    await this.triageSweep?.stop();
    this.triageSweep = null;
    await this.peerServer?.stop();
    this.peerServer = null;
    await this.webServer?.stop();
    this.webServer = null;
    await Promise.all(this.workers.map((w) => w.stop()));
    this.network.close();
    await Promise.all(this.soarClients.map((s) => s.close().catch(() => undefined)));
    // Last: /readyz says why the node is not ready while it stops.
    await this.adminServer?.stop();
    this.adminServer = null;
  }

  /** SOAR unreachable at start is retried (it may be restarting); bad credentials or org are not. */
  private async connectSoar(brand: BrandConfig): Promise<SoarClient | null> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      try {
        const soar = await SoarClient.connect(brand.soar, { logger: this.log.child({ brand: brand.id }), metrics: this.metrics.brand(brand.id) });
        this.log.info(`SOAR ${brand.soar.host}:${brand.soar.port} org '${soar.org.name}' (id ${soar.orgId})`, { brand: brand.id });
        return soar;
      } catch (err) {
        const error = ClearingError.from(err);
        if (!error.retryable) throw error;
        const delay = backoffDelay(attempt, brand.stomp.reconnect.initial_ms, brand.stomp.reconnect.max_ms);
        this.log.warn(`SOAR not reachable (${error.message}); retrying in ${delay} ms`, { brand: brand.id });
        await sleep(delay, this.stopping.signal).catch(() => undefined); // aborted = stopping
      }
    }
    return null;
  }
}
