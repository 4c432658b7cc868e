/**
 * The node's liveness and readiness as the admin listener answers them (/healthz, /readyz):
 * ready when the node is running, every brand's SOAR answers and its worker is subscribed to
 * the broker, and every peer node answers its health call. Certificates that expire within
 * CERT_WARN_DAYS are warnings; an expired or unreadable one makes the node unready.
 */
import { peerHealth } from '../clearing/contracts/health.js';
import type { ClearingNetwork } from '../clearing/network.js';
import { type CertificateExpiry, certificatesExpiry } from '../config/cert-expiry.js';
import type { AppConfig } from '../config/types.js';
import { ClearingError } from '../core/errors.js';
import { PACKAGE_VERSION } from '../core/version.js';
import type { SoarClient } from '../soar/client.js';
import { WorkerState } from '../worker/worker.js';

/** How long a readiness probe of SOAR or a peer may take. */
const PROBE_TIMEOUT_MS = 5000;

/** What health asks of the node (ClearingNode). */
export interface HealthSource {
  readonly config: AppConfig;
  readonly state: string;
  readonly network: ClearingNetwork;
  readonly startedAt: number;
  /** Each configured brand: its SOAR client once connected, its worker's state once it has one. */
  brandParts(): readonly { readonly brand: string; readonly soar: SoarClient | null; readonly workerState: string | null }[];
}

interface Check {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Liveness {
  readonly alive: true;
  readonly node: string;
  readonly version: string;
  readonly state: string;
  readonly uptime_s: number;
  readonly warnings: readonly string[];
}

export interface Readiness {
  readonly ready: boolean;
  readonly node: string;
  readonly state: string;
  readonly brands: readonly { readonly brand: string; readonly soar: Check; readonly broker: Check }[];
  readonly peers: readonly ({ readonly peer: string; readonly latency_ms: number | null } & Check)[];
  readonly certificates: readonly CertificateExpiry[];
  /** Why the node is not ready (empty when ready). */
  readonly problems: readonly string[];
  /** What needs doing soon, ready or not (certificates about to expire). */
  readonly warnings: readonly string[];
}

function certificateWarnings(certs: readonly CertificateExpiry[]): string[] {
  return certs.filter((c) => c.warning !== null && !c.failed).map((c) => c.warning!);
}

export function liveness(source: HealthSource, now = Date.now()): Liveness {
  const certs = certificatesExpiry(source.config, now);
  return {
    alive: true,
    node: source.config.node.id,
    version: PACKAGE_VERSION,
    state: source.state,
    uptime_s: Math.round((now - source.startedAt) / 1000),
    warnings: [...certs.filter((c) => c.failed).map((c) => c.warning!), ...certificateWarnings(certs)],
  };
}

async function probe(what: () => Promise<unknown>, timeoutMs: number): Promise<Check & { readonly ms: number }> {
  const started = performance.now();
  try {
    await what();
    return { ok: true, detail: 'answers', ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    const timedOut = performance.now() - started >= timeoutMs;
    return { ok: false, detail: timedOut ? `no answer within ${timeoutMs} ms` : ClearingError.from(err).message, ms: 0 };
  }
}

export async function readiness(source: HealthSource, now = Date.now(), timeoutMs = PROBE_TIMEOUT_MS): Promise<Readiness> {
  const brands = await Promise.all(source.brandParts().map(async (part) => {
    const soar: Check = part.soar === null
      ? { ok: false, detail: 'not connected yet' }
      : await probe(() => part.soar!.get('', { signal: AbortSignal.timeout(timeoutMs), skipRetry: true }), timeoutMs);
    const broker: Check = part.workerState === WorkerState.Running
      ? { ok: true, detail: 'subscribed' }
      : { ok: false, detail: part.workerState === null ? 'no worker yet' : `worker ${part.workerState}` };
    return { brand: part.brand, soar: { ok: soar.ok, detail: soar.detail }, broker };
  }));
  const peers = await Promise.all(source.network.peerClients.map(async (client) => {
    const p = await probe(() => peerHealth(client, { timeoutMs }), timeoutMs);
    return { peer: client.peer.id, ok: p.ok, detail: p.detail, latency_ms: p.ok ? p.ms : null };
  }));
  const certificates = certificatesExpiry(source.config, now);
  const problems = [
    ...(source.state === 'running' ? [] : [`node ${source.state}`]),
    ...brands.flatMap((b) => [
      ...(b.soar.ok ? [] : [`brand ${b.brand}: SOAR: ${b.soar.detail}`]),
      ...(b.broker.ok ? [] : [`brand ${b.brand}: broker: ${b.broker.detail}`]),
    ]),
    ...peers.filter((p) => !p.ok).map((p) => `peer ${p.peer}: ${p.detail}`),
    ...certificates.filter((c) => c.failed).map((c) => c.warning!),
  ];
  return {
    ready: problems.length === 0,
    node: source.config.node.id,
    state: source.state,
    brands,
    peers,
    certificates,
    problems,
    warnings: certificateWarnings(certificates),
  };
}
