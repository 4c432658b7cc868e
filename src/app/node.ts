/**
 * A running clearing node: for each configured brand a SOAR client and a worker, and, when the
 * config has a network, the peer API server. Owns start-up order (SOAR first, so the org id is
 * known before subscribing) and shutdown.
 */
import type { FunctionDefinition } from '../worker/function.js';
import type { ConfigPushSchedule } from '../clearing/config-push-schedule.js';
import { ClearingNetwork } from '../clearing/network.js';
import type { PeerServer } from '../clearing/peer-server.js';
import type { AppConfig, BrandConfig } from '../config/types.js';
import { backoffDelay, sleep } from '../core/backoff.js';
import { ClearingError } from '../core/errors.js';
import { SoarClient } from '../soar/client.js';
import type { TriageSweep } from '../triage/sweep.js';
import type { Logger } from '../core/types.js';
import { checkFunctionsDefined } from '../worker/preflight.js';
import { FunctionRegistry } from '../worker/registry.js';
import { BrandWorker } from '../worker/worker.js';
import type { WebServer } from '../web/server.js';

export interface NodeOptions {
  /** The web UI's clock (sessions' idle timeout, sign-in throttling); tests move it. */
  readonly webClock?: () => number;
}

export class ClearingNode {
  workers: BrandWorker[] = [];
  private current: ClearingNetwork;
  private peerServer: PeerServer | null = null;
  private pushSchedule: ConfigPushSchedule | null = null;
  private webServer: WebServer | null = null;
  /** The triage sweep (acknowledgement lifecycle, thresholds) of the current run. */
  triageSweep: TriageSweep | null = null;
  private soarClients: SoarClient[] = [];
  private stopping = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly functions: readonly FunctionDefinition[],
    private readonly log: Logger,
    private readonly opts: NodeOptions = {},
  ) {
    this.current = new ClearingNetwork(config, log);
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

  async start(): Promise<void> {
    if (this.stopping.signal.aborted) {
      this.stopping = new AbortController();
      this.current = new ClearingNetwork(this.config, this.log);
      this.workers = [];
      this.soarClients = [];
    }
    const registry = new FunctionRegistry(this.functions);
    this.log.info(`node '${this.config.node.id}' starting`, { brands: this.config.brands.map((b) => b.id), functions: registry.names() });
    for (const brand of this.config.brands) {
      const soar = await this.connectSoar(brand);
      if (!soar) return; // stopped while waiting for SOAR
      this.soarClients.push(soar);
      this.network.registerLocal(brand.id, soar);
      const worker = new BrandWorker({ brand, worker: this.config.worker, registry, soar, log: this.log, nodeId: this.config.node.id, network: this.network });
      this.workers.push(worker);
      await checkFunctionsDefined(soar, registry.names(), brand.destinations, this.log.child({ brand: brand.id })).catch((err: unknown) =>
        this.log.warn(`could not check function definitions: ${(err as Error).message}`, { brand: brand.id }));
      // Not awaited: one brand's broker being down must not hold the other brands back.
      void worker.start();
    }
    // The peer API, the web UI and the sweep are imported only when the config enables them.
    const { node, network } = this.config;
    if (network && node.listen && node.tls) {
      const [{ PeerServer }, { peerRoutes }, { ConfigPushSchedule }] = await Promise.all([
        import('../clearing/peer-server.js'), import('./peer-routes.js'), import('../clearing/config-push-schedule.js'),
      ]);
      this.peerServer = await PeerServer.start({
        node: { id: node.id, listen: node.listen, tls: node.tls },
        peers: network.peers,
        routes: peerRoutes(this.network),
        log: this.log.child({ component: 'peer-api' }),
      });
      this.log.info(`peer API listening on https://${node.listen.host}:${this.peerServer.port}`, { peers: network.peers.map((p) => p.id) });
      this.pushSchedule = ConfigPushSchedule.start(this.network, this.log);
    }
    if (this.config.web) {
      const { WebServer } = await import('../web/server.js');
      this.webServer = await WebServer.start({ config: this.config, network: this.network, log: this.log.child({ component: 'web' }), ...(this.opts.webClock ? { now: this.opts.webClock } : {}) });
      this.log.info(`web UI listening on https://${this.config.web.listen.host}:${this.webServer.port}/ui/`);
    }
    if (network) {
      const { TriageSweep } = await import('../triage/sweep.js');
      this.triageSweep = new TriageSweep(this.network);
      this.triageSweep.start();
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
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
  }

  /** SOAR unreachable at start is retried (it may be restarting); bad credentials or org are not. */
  private async connectSoar(brand: BrandConfig): Promise<SoarClient | null> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      try {
        const soar = await SoarClient.connect(brand.soar, { logger: this.log.child({ brand: brand.id }) });
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
