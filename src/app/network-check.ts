/**
 * `soar-clearing network check`: from this node, asks every configured peer its health over the
 * peer API (mutual TLS, as the node itself calls it) and tells, per peer: reachable, the node its
 * certificate names, its version and peer API protocol, its clock against ours, the round trip,
 * and the brands it serves against this node's configuration (and the brands its configuration
 * says this node serves). Any problem -> exit 1, each problem in words.
 */
import { describeIdentity } from '../config/cert-identity.js';
import type { AppConfig, NodeTlsConfig, PeerConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { PACKAGE_VERSION } from '../core/version.js';
import { PEER_PROTOCOL, type PeerHealth, peerHealth } from '../clearing/contracts/health.js';
import { PeerError } from '../clearing/contracts/peer-error.js';
import { PeerClient, PeerIdentityMismatchError, PeerTlsError, PeerUnreachableError, type PresentedCertificate } from '../clearing/peer-client.js';

/** Clock skew beyond which a peer is a problem, by default. */
const DEFAULT_MAX_SKEW_MS = 5_000;

/** One peer's line of the report. */
export interface PeerCheck {
  readonly peer: string;
  readonly url: string;
  /** A TCP connection was made (false: refused, timed out, name not found). */
  readonly reachable: boolean;
  /** The node its certificate names (`us (SAN URI)`), or null when no certificate was seen. */
  readonly identity: string | null;
  readonly certificate_fingerprint: string | null;
  readonly certificate_valid_to: string | null;
  readonly version: string | null;
  /** Its peer API protocol; null when not told (an older node) or not asked. */
  readonly protocol: number | null;
  /** Its clock minus ours, ms (positive: ahead); exact to within half the latency. */
  readonly clock_skew_ms: number | null;
  readonly latency_ms: number | null;
  readonly brands: {
    /** What this node's configuration says the peer serves. */
    readonly configured: readonly string[];
    /** What the peer says it serves; null when not told. */
    readonly served: readonly string[] | null;
    /** What the peer's configuration says this node serves; null when not told. */
    readonly peer_says_we_serve: readonly string[] | null;
  };
  /** Each makes the check fail. */
  readonly problems: readonly string[];
  /** Worth knowing, not failing. */
  readonly warnings: readonly string[];
}

export interface NetworkCheckReport {
  readonly ok: boolean;
  readonly node: string;
  readonly version: string;
  readonly protocol: number;
  readonly checked_at: string;
  readonly peers: readonly PeerCheck[];
}

export interface NetworkCheckOptions {
  readonly maxSkewMs?: number;
  /** Time a peer may take to answer (default network.timeout_ms). */
  readonly timeoutMs?: number;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

function list(brands: readonly string[]): string {
  return brands.length === 0 ? 'none' : brands.join(', ');
}

/** `1.2.3` -> what must match for two versions to be the same release line: the major, or `0.minor` before 1.0. */
function releaseLine(version: string): string | null {
  const m = /^(\d+)\.(\d+)\.\d+/.exec(version);
  if (!m) return null;
  return m[1] === '0' ? `0.${m[2]}` : (m[1] as string);
}

/**
 * What a health answer says against this node's configuration: problems and warnings, in words.
 * Pure (unit-tested): `health` is a successful answer of `peer`.
 */
export function assessHealth(
  self: { readonly id: string; readonly brands: readonly string[]; readonly version: string },
  peer: PeerConfig,
  health: PeerHealth,
  maxSkewMs: number,
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (health.node !== peer.id) problems.push(`its health answer names node ${health.node}, not ${peer.id}`);
  const missing = [health.protocol === null ? 'protocol' : null, health.brands === null ? 'brands' : null].filter((x): x is string => x !== null);
  if (missing.length > 0) {
    warnings.push(`it answers without ${missing.join(' and ')} (a node older than this one, version ${health.version}): ${[
      health.protocol === null ? 'protocol 1 assumed' : null,
      health.brands === null ? 'the brands it serves cannot be checked' : null,
    ].filter((x) => x !== null).join('; ')}`);
  }
  const protocol = health.protocol ?? 1;
  if (protocol !== PEER_PROTOCOL) {
    problems.push(`it speaks peer API protocol ${protocol}, this node protocol ${PEER_PROTOCOL}: upgrade the ${protocol < PEER_PROTOCOL ? 'peer' : 'older node'}`);
  }
  const theirs = releaseLine(health.version);
  const ours = releaseLine(self.version);
  if (theirs === null) warnings.push(`its version ${JSON.stringify(health.version)} is not a release version`);
  else if (health.version !== self.version) {
    warnings.push(`it runs version ${health.version}, this node ${self.version}${theirs === ours ? '' : ' (another release line; fine while the protocol matches)'}`);
  }
  if (Math.abs(health.clockSkewMs) > maxSkewMs) {
    problems.push(`its clock is ${(Math.abs(health.clockSkewMs) / 1000).toFixed(1)} s ${health.clockSkewMs > 0 ? 'ahead of' : 'behind'} this node's (at most ${maxSkewMs / 1000} s allowed): synchronise both with NTP`);
  }
  if (health.brands !== null && !sameSet(health.brands, peer.brands)) {
    problems.push(`it serves brands ${list(health.brands)}, but this node's configuration (network.peers.${peer.id}.brands) says ${list(peer.brands)}`);
  }
  if (health.yourBrands !== null && !sameSet(health.yourBrands, self.brands)) {
    problems.push(`its configuration says this node (${self.id}) serves brands ${list(health.yourBrands)}, but it serves ${list(self.brands)}`);
  }
  return { problems, warnings };
}

/** A failed health call, in words. */
function failureWords(err: ClearingError): { reachable: boolean; problem: string } {
  if (err instanceof PeerUnreachableError) return { reachable: false, problem: `unreachable: ${err.reason}` };
  if (err instanceof PeerIdentityMismatchError) return { reachable: true, problem: `wrong identity: ${err.message}` };
  if (err instanceof PeerTlsError) return { reachable: true, problem: `TLS failed: ${err.reason}` };
  if (err instanceof PeerError) {
    if (err.remoteCode === ErrorCode.PeerUnknown || err.status === 403) {
      return { reachable: true, problem: `it refuses this node (${err.status} ${err.remoteCode}): ${err.remoteMessage}; is this node in its network.peers?` };
    }
    return { reachable: true, problem: `its health answer is an error: ${err.status} ${err.remoteCode}: ${err.remoteMessage}` };
  }
  return { reachable: true, problem: err.message };
}

function certificateFields(cert: PresentedCertificate | null): Pick<PeerCheck, 'identity' | 'certificate_fingerprint' | 'certificate_valid_to'> {
  if (cert === null) return { identity: null, certificate_fingerprint: null, certificate_valid_to: null };
  return {
    identity: cert.identity.ok ? describeIdentity(cert.identity.identity) : `none (${cert.identity.reason})`,
    certificate_fingerprint: cert.fingerprint256,
    certificate_valid_to: cert.validTo,
  };
}

async function checkPeer(config: AppConfig, tls: NodeTlsConfig, peer: PeerConfig, log: Logger, maxSkewMs: number, timeoutMs: number): Promise<PeerCheck> {
  const self = { id: config.node.id, brands: config.brands.map((b) => b.id), version: PACKAGE_VERSION };
  const client = new PeerClient({ self: { id: config.node.id, tls }, peer, timeoutMs, log });
  const base = { peer: peer.id, url: peer.url };
  try {
    const health = await peerHealth(client);
    const { problems, warnings } = assessHealth(self, peer, health, maxSkewMs);
    return {
      ...base,
      reachable: true,
      ...certificateFields(client.presentedCertificate),
      version: health.version,
      protocol: health.protocol,
      clock_skew_ms: health.clockSkewMs,
      latency_ms: health.latencyMs,
      brands: { configured: peer.brands, served: health.brands, peer_says_we_serve: health.yourBrands },
      problems,
      warnings,
    };
  } catch (err) {
    const { reachable, problem } = failureWords(ClearingError.from(err));
    return {
      ...base,
      reachable,
      ...certificateFields(client.presentedCertificate),
      version: null,
      protocol: null,
      clock_skew_ms: null,
      latency_ms: null,
      brands: { configured: peer.brands, served: null, peer_says_we_serve: null },
      problems: [problem],
      warnings: [],
    };
  } finally {
    client.close();
  }
}

/** Checks every configured peer, in parallel. */
async function checkNetwork(config: AppConfig, log: Logger, opts: NetworkCheckOptions = {}): Promise<NetworkCheckReport> {
  const { network } = config;
  if (network === null) throw new ClearingError(ErrorCode.Usage, `no network configured in ${config.source} (no network: section): nothing to check`);
  const { tls } = config.node;
  if (tls === null) throw new ClearingError(ErrorCode.Usage, 'this node has no certificate (node.tls): it cannot call peers');
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const timeoutMs = opts.timeoutMs ?? network.timeout_ms;
  const peers = await Promise.all(network.peers.map((p) => checkPeer(config, tls, p, log, maxSkewMs, timeoutMs)));
  return {
    ok: peers.every((p) => p.problems.length === 0),
    node: config.node.id,
    version: PACKAGE_VERSION,
    protocol: PEER_PROTOCOL,
    checked_at: new Date().toISOString(),
    peers,
  };
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : '-'}${Math.abs(ms)} ms`;
}

function brandsCell(p: PeerCheck): string {
  if (p.brands.served === null) return `${list(p.brands.configured)} (not told)`;
  return sameSet(p.brands.served, p.brands.configured) ? `${list(p.brands.served)} ok` : `${list(p.brands.served)} != ${list(p.brands.configured)}`;
}

/** The report as a table, then each problem and warning in words. */
export function formatNetworkCheck(report: NetworkCheckReport): string {
  const header = ['PEER', 'URL', 'REACHABLE', 'IDENTITY', 'VERSION', 'PROTOCOL', 'CLOCK SKEW', 'LATENCY', 'BRANDS', 'STATUS'];
  const rows = report.peers.map((p) => [
    p.peer,
    p.url,
    p.reachable ? 'yes' : 'no',
    p.identity ?? '-',
    p.version ?? '-',
    p.protocol !== null ? String(p.protocol) : p.version !== null ? '1?' : '-',
    p.clock_skew_ms !== null ? signed(p.clock_skew_ms) : '-',
    p.latency_ms !== null ? `${p.latency_ms} ms` : '-',
    brandsCell(p),
    p.problems.length > 0 ? 'PROBLEM' : p.warnings.length > 0 ? 'warning' : 'ok',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const out = [
    `network check from node ${report.node} (version ${report.version}, peer API protocol ${report.protocol}), ${report.peers.length} peer${report.peers.length === 1 ? '' : 's'}:`,
    '',
    line(header),
    ...rows.map(line),
    '',
  ];
  for (const p of report.peers) {
    for (const problem of p.problems) out.push(`PROBLEM ${p.peer}: ${problem}`);
    for (const warning of p.warnings) out.push(`warning ${p.peer}: ${warning}`);
  }
  const problems = report.peers.reduce((n, p) => n + p.problems.length, 0);
  out.push(report.peers.length === 0 ? 'no peers configured' : problems === 0 ? 'all peers OK' : `${problems} problem${problems === 1 ? '' : 's'} found`);
  return `${out.join('\n')}\n`;
}

/** The command: prints the report (table or JSON) and returns the exit code (0 ok, 1 any problem). */
export async function networkCheckCommand(config: AppConfig, log: Logger, opts: NetworkCheckOptions & { readonly json: boolean }): Promise<number> {
  const report = await checkNetwork(config, log, opts);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatNetworkCheck(report));
  return report.ok ? 0 : 1;
}
