/**
 * The node's metrics, in Prometheus' text format (prom-client), served by the admin listener's
 * `/metrics`. One `Metrics` per node, with its own registry: the demo and the tests run several
 * nodes in one process, and each node's /metrics must show its own figures only.
 *
 * Recording is cheap on purpose (a counter increment, a histogram observation): the worker
 * records once per invocation. Gauges that describe a state (in flight, broker connected,
 * certificate days left) are read from their owners when scraped, so keeping them costs nothing
 * between scrapes.
 *
 * The families (README "Health and metrics"): see METRIC below.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The name of every family this module defines. */
export const METRIC = {
  invocations: 'soar_clearing_invocations_total',
  invocationSeconds: 'soar_clearing_invocation_duration_seconds',
  inFlight: 'soar_clearing_invocations_in_flight',
  brokerConnected: 'soar_clearing_broker_connected',
  brokerReconnects: 'soar_clearing_broker_reconnects_total',
  soarRestErrors: 'soar_clearing_soar_rest_errors_total',
  peerCalls: 'soar_clearing_peer_calls_total',
  peerCallSeconds: 'soar_clearing_peer_call_duration_seconds',
  distributionRows: 'soar_clearing_distribution_rows_total',
  sweepSeconds: 'soar_clearing_sweep_duration_seconds',
  configPushes: 'soar_clearing_config_pushes_total',
  certificateDaysLeft: 'soar_clearing_certificate_days_left',
} as const;

/** What the node tells about each brand's worker when scraped. */
export interface WorkerProbe {
  readonly brand: string;
  readonly inFlight: number;
  readonly brokerConnected: boolean;
}

/** A configured certificate file as the expiry check saw it when scraped. */
export interface CertificateProbe {
  /** The config key naming the file (`node.tls.cert`, `brands.eu.stomp.cafile`). */
  readonly name: string;
  readonly path: string;
  /** Days until the first certificate in the file expires (negative: expired); null: unreadable. */
  readonly days_left: number | null;
}

/** The recording calls of one brand's worker and SOAR client (bound to the brand once). */
export interface BrandMetrics {
  /** An invocation answered (`success`, `error`) or left for redelivery at shutdown (`abandoned`). */
  invocation(fn: string, outcome: string, durationMs: number): void;
  /** A message that was no invocation it could run (answered with an error, or only ACKed). */
  rejected(): void;
  /** A STOMP session subscribed; sessions after the first are reconnects. */
  brokerSession(session: number): void;
  /** A failed SOAR REST request (each attempt): its HTTP status, or the network fault's code. */
  soarRestError(status: number | string): void;
  /** A distribution row's status was written (null: emptied). */
  distributionRow(status: string | null): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const SWEEP_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export class Metrics {
  readonly registry = new Registry();
  private readonly invocations: Counter<'brand' | 'function' | 'outcome'>;
  private readonly invocationSeconds: Histogram<'brand' | 'function'>;
  private readonly brokerReconnects: Counter<'brand'>;
  private readonly soarRestErrors: Counter<'brand' | 'status'>;
  private readonly peerCalls: Counter<'peer' | 'route' | 'status'>;
  private readonly peerCallSeconds: Histogram<'peer' | 'route'>;
  private readonly distributionRows: Counter<'brand' | 'status'>;
  private readonly sweepSeconds: Histogram;
  private readonly configPushes: Counter<'role' | 'outcome'>;
  private readonly brands = new Map<string, BrandMetrics>();
  private workers: () => readonly WorkerProbe[] = () => [];
  private certificates: () => readonly CertificateProbe[] = () => [];
  private processMetrics = false;

  constructor() {
    const registers = [this.registry];
    this.invocations = new Counter({ name: METRIC.invocations, help: 'Function invocations handled, by brand, function and outcome', labelNames: ['brand', 'function', 'outcome'], registers });
    this.invocationSeconds = new Histogram({ name: METRIC.invocationSeconds, help: 'Time from taking an invocation to handing over its final reply, in seconds', labelNames: ['brand', 'function'], buckets: LATENCY_BUCKETS, registers });
    const workers = (): readonly WorkerProbe[] => this.workers();
    new Gauge({
      name: METRIC.inFlight, help: 'Invocations running now, by brand', labelNames: ['brand'], registers,
      collect() {
        this.reset();
        for (const w of workers()) this.set({ brand: w.brand }, w.inFlight);
      },
    });
    new Gauge({
      name: METRIC.brokerConnected, help: "1 while the brand's worker is connected and subscribed to SOAR's broker, else 0", labelNames: ['brand'], registers,
      collect() {
        this.reset();
        for (const w of workers()) this.set({ brand: w.brand }, w.brokerConnected ? 1 : 0);
      },
    });
    this.brokerReconnects = new Counter({ name: METRIC.brokerReconnects, help: "Times the brand's worker subscribed again after losing its broker connection", labelNames: ['brand'], registers });
    this.soarRestErrors = new Counter({ name: METRIC.soarRestErrors, help: 'Failed SOAR REST requests (each attempt), by brand and HTTP status or network fault', labelNames: ['brand', 'status'], registers });
    this.peerCalls = new Counter({ name: METRIC.peerCalls, help: 'Calls to peer nodes, by peer, route and HTTP status (failed: no answer)', labelNames: ['peer', 'route', 'status'], registers });
    this.peerCallSeconds = new Histogram({ name: METRIC.peerCallSeconds, help: 'Duration of calls to peer nodes, in seconds', labelNames: ['peer', 'route'], buckets: LATENCY_BUCKETS, registers });
    this.distributionRows = new Counter({ name: METRIC.distributionRows, help: 'Distribution row statuses written, by brand and the status written (none: emptied)', labelNames: ['brand', 'status'], registers });
    this.sweepSeconds = new Histogram({ name: METRIC.sweepSeconds, help: 'Duration of triage sweep passes, in seconds', buckets: SWEEP_BUCKETS, registers });
    this.configPushes = new Counter({ name: METRIC.configPushes, help: 'Configuration pushes, sent (primary) or received, by outcome', labelNames: ['role', 'outcome'], registers });
    const certificates = (): readonly CertificateProbe[] => this.certificates();
    new Gauge({
      name: METRIC.certificateDaysLeft, help: 'Days until a configured certificate expires (the earliest in its file; negative: expired)', labelNames: ['certificate', 'path'], registers,
      collect() {
        this.reset();
        for (const c of certificates()) if (c.days_left !== null) this.set({ certificate: c.name, path: c.path }, c.days_left);
      },
    });
  }

  /** The recording calls of one brand, bound once (same object for every caller). */
  brand(brand: string): BrandMetrics {
    let bound = this.brands.get(brand);
    if (bound === undefined) {
      bound = {
        invocation: (fn, outcome, durationMs) => {
          this.invocations.inc({ brand, function: fn, outcome });
          this.invocationSeconds.observe({ brand, function: fn }, durationMs / 1000);
        },
        rejected: () => this.invocations.inc({ brand, function: 'unknown', outcome: 'rejected' }),
        brokerSession: (session) => {
          if (session > 1) this.brokerReconnects.inc({ brand });
          else this.brokerReconnects.inc({ brand }, 0); // shows the series from the first connection on
        },
        soarRestError: (status) => this.soarRestErrors.inc({ brand, status: String(status) }),
        distributionRow: (status) => this.distributionRows.inc({ brand, status: status ?? 'none' }),
      };
      this.brands.set(brand, bound);
    }
    return bound;
  }

  /** A call to a peer node: `route` is the operation's path pattern (`/api/v1/brands/:brand/incidents`), never a filled-in path. */
  peerCall(peer: string, route: string, status: number | 'failed', durationMs: number): void {
    this.peerCalls.inc({ peer, route, status: String(status) });
    this.peerCallSeconds.observe({ peer, route }, durationMs / 1000);
  }

  sweep(durationMs: number): void {
    this.sweepSeconds.observe(durationMs / 1000);
  }

  configPush(role: 'sent' | 'received', ok: boolean): void {
    this.configPushes.inc({ role, outcome: ok ? 'ok' : 'failed' });
  }

  /** Where the in-flight and broker gauges read from when scraped (the node's workers). */
  watchWorkers(probe: () => readonly WorkerProbe[]): void {
    this.workers = probe;
  }

  /** Where the certificate gauge reads from when scraped. */
  watchCertificates(probe: () => readonly CertificateProbe[]): void {
    this.certificates = probe;
  }

  /** Adds Node's process metrics (CPU, memory, event loop lag, GC), once; only a node that serves /metrics pays for them. */
  withProcessMetrics(): this {
    if (!this.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'soar_clearing_' });
    this.processMetrics = true;
    return this;
  }

  /** The text exposition of every family. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
