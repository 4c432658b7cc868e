/**
 * The peer API client for one peer: HTTPS with this node's certificate as client certificate,
 * the network CA as the only trusted CA, and a check that the server's certificate names the
 * peer we meant to call (a node with a valid certificate but another id is refused).
 *
 * Failures are ClearingErrors with stable codes:
 *   peer_unreachable        connection refused, reset, DNS failure or timeout (retryable);
 *   peer_tls                the TLS handshake or certificate verification failed (with why);
 *   peer_identity_mismatch  the server's certificate is valid but names another node;
 *   peer_error              the peer answered with an error (its code, status and message kept:
 *                           PeerError, contracts/peer-error.ts).
 * Connections are kept alive and reused (one agent per client). `request` is the one request
 * function under every typed call of the peer API's contracts (contracts/*.ts).
 */
import https from 'node:https';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type ConnectionOptions, type PeerCertificate, type TLSSocket, checkServerIdentity } from 'node:tls';
import type { NodeTlsConfig, PeerConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import type { Metrics } from '../core/metrics.js';
import { type PeerCallOptions, type PeerCaller, type PeerMethod, routeOf } from './contracts/peer-api.js';
import { PeerError, errorAnswer } from './contracts/peer-error.js';
import { TunnelAgent, environmentProxyFor } from '../http/proxy.js';
import { type CertIdentity, type CertIdentityResult, describeIdentity, identityOfPeerCertificate } from '../config/cert-identity.js';

/** Default limit of an answer's body: 16 MiB. */
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface PeerClientOptions {
  /** This node: its id (for logs) and its certificate, key and the network CA. */
  readonly self: { readonly id: string; readonly tls: NodeTlsConfig };
  /** The peer to call. */
  readonly peer: PeerConfig;
  /** Time a request may take, connecting included (network.timeout_ms). */
  readonly timeoutMs: number;
  readonly log: Logger;
  /** Largest answer body accepted (default 16 MiB). */
  readonly maxResponseBytes?: number;
  /** Where each call is counted and timed, if anywhere. */
  readonly metrics?: Metrics;
  /** Connections kept to the peer at most (default 16); see session(). */
  readonly connections?: number;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The peer could not be reached: connection refused or reset, name not resolved, timeout. Retryable. */
export class PeerUnreachableError extends ClearingError {
  constructor(
    readonly peerId: string,
    readonly reason: string,
    options: { cause?: unknown; timeout?: boolean } = {},
  ) {
    super(ErrorCode.PeerUnreachable, `peer ${peerId} unreachable: ${reason}`, {
      httpStatus: options.timeout ? 504 : 502,
      retryable: true,
      cause: options.cause,
    });
  }
}

/** The TLS handshake failed or a certificate was refused; `reason` says which and why. */
export class PeerTlsError extends ClearingError {
  constructor(
    readonly peerId: string,
    readonly reason: string,
    /** Node's / OpenSSL's code, e.g. `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`. */
    readonly tlsCode: string | null,
    options: { cause?: unknown } = {},
  ) {
    super(ErrorCode.PeerTls, `peer ${peerId}: TLS failed: ${reason}`, { httpStatus: 502, cause: options.cause });
  }
}

/** The server's certificate is valid (network CA) but names another node than the peer called. */
export class PeerIdentityMismatchError extends ClearingError {
  constructor(
    readonly expected: string,
    /** The node the certificate names, or null when it names none. */
    readonly presented: string | null,
    reason: string,
  ) {
    super(ErrorCode.PeerIdentityMismatch, `expected peer ${expected}, but ${reason}`, { httpStatus: 502 });
  }
}

// ---------------------------------------------------------------------------------------------
// Error classification

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'UND_ERR_SOCKET',
]);

const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporarily)',
};

/** Certificate verification codes (OpenSSL's X509_V_ERR names as Node reports them) -> words. */
const VERIFY_WORDS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the peer's certificate is not signed by the network CA",
  UNABLE_TO_GET_ISSUER_CERT: "the peer's certificate is not signed by the network CA",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the peer's certificate is not signed by the network CA",
  SELF_SIGNED_CERT_IN_CHAIN: "the peer's certificate chain ends in a CA other than the network CA",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the peer's certificate is self-signed",
  CERT_HAS_EXPIRED: "the peer's certificate has expired",
  CERT_NOT_YET_VALID: "the peer's certificate is not valid yet",
  CERT_REVOKED: "the peer's certificate is revoked",
  CERT_SIGNATURE_FAILURE: "the peer's certificate signature is invalid",
  ERR_TLS_CERT_ALTNAME_INVALID: "the peer's certificate does not name the host of its URL",
};

/** TLS alerts the peer sends when it refuses our certificate (or our handshake). */
function alertWords(code: string): string | null {
  const alert = /^ERR_SSL_(?:SSL|TLS)V1[3]?_ALERT_(.+)$/.exec(code)?.[1];
  if (alert === undefined) return null;
  switch (alert) {
    case 'CERTIFICATE_REQUIRED':
      return 'the peer requires a client certificate and got none';
    case 'UNKNOWN_CA':
      return 'the peer refused our certificate: unknown CA (is node.tls.cert signed by the network CA?)';
    case 'BAD_CERTIFICATE':
    case 'CERTIFICATE_UNKNOWN':
    case 'UNSUPPORTED_CERTIFICATE':
      return `the peer refused our certificate (${alert.toLowerCase().replace(/_/g, ' ')})`;
    case 'CERTIFICATE_EXPIRED':
      return 'the peer refused our certificate: expired';
    case 'PROTOCOL_VERSION':
      return 'no TLS version in common with the peer (TLS 1.2 or newer required)';
    case 'HANDSHAKE_FAILURE':
      return 'the peer ended the handshake (no common cipher or certificate refused)';
    default:
      return `the peer sent the TLS alert ${alert.toLowerCase().replace(/_/g, ' ')}`;
  }
}

/**
 * A failed request's error as one of the peer error classes: TLS and certificate problems ->
 * PeerTlsError (with the reason in words), network problems -> PeerUnreachableError.
 */
export function classifyPeerFailure(peerId: string, err: unknown): ClearingError {
  if (err instanceof ClearingError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === REFUSED_CERTIFICATE_CODE) {
    return new PeerTlsError(
      peerId,
      `the peer refused our certificate: it closed the connection after the handshake (is node.tls.cert signed by the network CA, and still valid?) (${code})`,
      code,
      { cause: err },
    );
  }
  const verify = VERIFY_WORDS[code];
  if (verify !== undefined) return new PeerTlsError(peerId, `${verify} (${code})`, code, { cause: err });
  const alert = alertWords(code);
  if (alert !== null) return new PeerTlsError(peerId, `${alert} (${code})`, code, { cause: err });
  if (/^ERR_(SSL|TLS)_/.test(code) || /ssl|tls|certificate|handshake/i.test(code)) {
    return new PeerTlsError(peerId, `${message} (${code})`, code, { cause: err });
  }
  if (NETWORK_CODES.has(code)) {
    // A failure to reach the proxy (src/http/proxy.ts) names it.
    const proxy: unknown = (err as { proxy?: unknown } | null)?.proxy;
    const via = typeof proxy === 'string' ? ` via the proxy ${proxy}` : '';
    return new PeerUnreachableError(peerId, `${NETWORK_WORDS[code] ?? message} (${code})${via}`, { cause: err });
  }
  if (/disconnected before secure TLS connection/i.test(message)) {
    return new PeerUnreachableError(peerId, `the connection closed during the TLS handshake (the peer may have refused our certificate) (${code || message})`, { cause: err });
  }
  if (/socket hang up/i.test(message)) {
    return new PeerUnreachableError(peerId, `the connection closed before an answer (${message})`, { cause: err });
  }
  return new PeerUnreachableError(peerId, code !== '' ? `${message} (${code})` : message, { cause: err });
}

// ---------------------------------------------------------------------------------------------
// The client

/** Longest wait for the server's first TLS 1.3 session ticket before a new connection is used anyway. */
const TICKET_WAIT_MS = 1000;

/** Code of the error a new connection fails with when the server closed it instead of accepting our certificate. */
const REFUSED_CERTIFICATE_CODE = 'ERR_PEER_REFUSED_CERTIFICATE';

/**
 * Hands a new connection to a request (callback) only once the server has accepted our
 * certificate.
 *
 * With TLS 1.3 the client's side of the handshake ends before the server has checked the
 * client certificate. A Node server (every clearing node) refuses a certificate it does not
 * trust by closing the connection without a word (only a missing certificate gets a TLS
 * alert), and accepts one by sending its session tickets. A request written at once races
 * that refusal and ends in a bare ECONNRESET. So a new connection waits for the server's first
 * session ticket: the ticket means accepted; a close before it, right after the handshake,
 * means our certificate was refused (REFUSED_CERTIFICATE_CODE), and a TLS alert says itself
 * why. This costs one round trip per new connection, which keep-alive amortises. A server
 * sending no ticket is used after TICKET_WAIT_MS anyway.
 */
function awaitAcceptance(socket: TLSSocket, callback: (err: Error | null) => void): void {
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const settle = (err: Error | null): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('session', onSession);
    socket.off('secureConnect', onSecure);
    socket.off('error', onError);
    socket.off('close', onClose);
    // Not from inside the 'session' event: it fires within OpenSSL's ticket callback, and a
    // request written from there never reaches the wire.
    setImmediate(() => callback(err));
  };
  let secured = false;
  const onSession = (): void => settle(null);
  const onSecure = (): void => {
    if (socket.getProtocol() !== 'TLSv1.3') {
      settle(null);
      return;
    }
    secured = true;
    timer = setTimeout(() => settle(null), TICKET_WAIT_MS);
  };
  const onError = (err: Error): void => settle(err);
  const onClose = (): void =>
    settle(
      secured
        ? Object.assign(new Error('the server closed the connection right after the TLS handshake, without accepting our certificate'), {
            code: REFUSED_CERTIFICATE_CODE,
          })
        : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    );
  socket.on('session', onSession);
  socket.once('secureConnect', onSecure);
  socket.once('error', onError);
  socket.once('close', onClose);
}

/** The direct agent: each new connection waits for awaitAcceptance. */
class PeerAgent extends https.Agent {
  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = super.createConnection(options) as TLSSocket;
    if (callback === undefined) return socket;
    awaitAcceptance(socket, (err) => callback(err, socket));
    return undefined;
  }
}

/** The agent through a proxy (HTTPS_PROXY): a CONNECT tunnel, then the same TLS and the same wait. */
class PeerTunnelAgent extends TunnelAgent {
  override async connect(req: ClientRequest, opts: Parameters<TunnelAgent['connect']>[1]): Promise<Socket> {
    const socket = await super.connect(req, opts);
    await new Promise<void>((resolve, reject) =>
      awaitAcceptance(socket as TLSSocket, (err) => {
        if (err === null) resolve();
        else {
          socket.destroy();
          reject(err);
        }
      }));
    return socket;
  }
}

/** The certificate a peer presented, once the TLS layer verified its chain (`network check` shows it). */
export interface PresentedCertificate {
  /** The node it names, or why it names none. */
  readonly identity: CertIdentityResult;
  /** SHA-256 fingerprint (`AB:CD:...`). */
  readonly fingerprint256: string;
  /** End of validity as the certificate says it (`Mar  1 12:00:00 2027 GMT`). */
  readonly validTo: string;
}

export class PeerClient implements PeerCaller {
  readonly peer: PeerConfig;
  /** The certificate of the last new connection's server, or null before any. */
  presentedCertificate: PresentedCertificate | null = null;
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly basePath: string;

  constructor(private readonly opts: PeerClientOptions) {
    this.peer = opts.peer;
    this.base = new URL(opts.peer.url);
    if (this.base.protocol !== 'https:') throw new ClearingError(ErrorCode.ConfigInvalid, `peer ${opts.peer.id}: URL must be https:// (${opts.peer.url})`);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    const expected = opts.peer.id;
    // The host name of the URL, also through a tunnel (where the TLS layer would pass another).
    const hostname = this.base.hostname.replace(/^\[|\]$/g, '');
    const tls: ConnectionOptions = {
      cert: readFileSync(opts.self.tls.cert),
      key: readFileSync(opts.self.tls.key),
      // The network CA alone: Node's built-in CAs are never trusted for peers.
      ca: readFileSync(opts.self.tls.ca),
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      // Runs once the chain is verified: the usual host name check, then the node identity.
      checkServerIdentity: (_host: string, cert: PeerCertificate): Error | undefined => {
        const named = identityOfPeerCertificate(cert);
        this.presentedCertificate = { identity: named, fingerprint256: cert.fingerprint256, validTo: cert.valid_to };
        const hostError = checkServerIdentity(hostname, cert);
        if (hostError !== undefined) return hostError;
        if (!named.ok) return new PeerIdentityMismatchError(expected, null, `${opts.peer.url} presents a certificate that names no node: ${named.reason}`);
        if (named.identity.id !== expected) return mismatch(expected, opts.peer.url, named.identity);
        return undefined;
      },
    };
    const connections = opts.connections ?? 16;
    const pool = { keepAlive: true, maxSockets: connections, maxFreeSockets: Math.min(4, connections), scheduling: 'lifo' } as const;
    let proxy: string | null;
    try {
      proxy = environmentProxyFor(opts.peer.url);
    } catch (err) {
      throw new ClearingError(ErrorCode.ConfigInvalid, `peer ${opts.peer.id}: ${(err as Error).message}`);
    }
    if (proxy === null) this.agent = new PeerAgent({ ...pool, ...tls });
    else {
      const agent = new PeerTunnelAgent(proxy, tls, pool);
      opts.log.debug(`peer ${opts.peer.id} is reached through the proxy ${agent.proxyName}`);
      this.agent = agent;
    }
  }

  /**
   * Calls the peer: `path` is the API path (`/api/v1/...`, query included), `body` is sent as
   * JSON. Resolves with the parsed JSON answer (undefined for 204), or rejects with one of the
   * peer error classes (or `aborted` when `signal` fires).
   */
  async request<R>(method: PeerMethod, path: string, body?: unknown, options: PeerCallOptions = {}): Promise<R> {
    if (!path.startsWith('/api/')) throw new Error(`peer API paths start with /api/ (got ${path})`);
    const started = performance.now();
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
    // A request on a reused keep-alive connection that the server closed meanwhile fails before
    // reaching it: GET and PUT (idempotent) try once more on a fresh connection.
    const attempts = method === 'POST' ? 1 : 2;
    let status: number | 'failed' = 'failed';
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await this.once<R>(method, path, payload, options);
          status = result.status;
          return result.value;
        } catch (err) {
          if (err instanceof StaleSocket && attempt < attempts) continue;
          throw err instanceof StaleSocket ? classifyPeerFailure(this.peer.id, err.cause) : err;
        }
      }
    } catch (err) {
      if (err instanceof PeerError) status = err.status;
      throw err;
    } finally {
      const ms = performance.now() - started;
      this.opts.metrics?.peerCall(this.peer.id, routeOf(path), status, ms);
      this.opts.log.debug('peer call', {
        peer: this.peer.id,
        method,
        path: path.split('?')[0],
        status,
        duration_ms: Math.round(ms * 10) / 10,
      });
    }
  }

  /**
   * A client of the same peer whose calls all go over one connection, for an exchange whose
   * calls must reach the same process (a configuration push: begin, chunks, commit). Behind a
   * TCP load balancer in front of a region's two nodes, one connection is one node; the calls
   * of one exchange run one after the other, so they keep it. Close it when done.
   */
  session(): PeerClient {
    return new PeerClient({ ...this.opts, connections: 1 });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private once<R>(method: PeerMethod, path: string, payload: Buffer | null, options: PeerCallOptions): Promise<{ value: R; status: number }> {
    const peerId = this.peer.id;
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    const limit = options.maxResponseBytes ?? this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    return new Promise((resolve, reject) => {
      let settled = false;
      let req: ClientRequest | null = null;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: unknown, value?: { value: R; status: number }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err === null) resolve(value as { value: R; status: number });
        else reject(err);
      };
      const onAbort = (): void => {
        const reason: unknown = options.signal?.reason;
        const err = reason instanceof ClearingError ? reason : new ClearingError(ErrorCode.Aborted, `call to peer ${peerId} aborted`, { cause: reason });
        finish(err);
        req?.destroy();
      };
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => {
        finish(new PeerUnreachableError(peerId, `no answer within ${timeoutMs} ms`, { timeout: true }));
        req?.destroy();
      }, timeoutMs);

      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (payload !== null) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      req = https.request({
        agent: this.agent,
        method,
        protocol: 'https:',
        hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
        port: this.base.port === '' ? 443 : Number(this.base.port),
        path: `${this.basePath}${path}`,
        headers,
      });
      let answered = false;
      req.on('error', (err) => {
        if (answered) return; // e.g. EPIPE after the server answered early (413) and closed
        const reused = req?.reusedSocket === true;
        const code = (err as NodeJS.ErrnoException).code;
        if (reused && (code === 'ECONNRESET' || code === 'EPIPE')) finish(new StaleSocket(err));
        else finish(classifyPeerFailure(peerId, err));
      });
      req.on('response', (res: IncomingMessage) => {
        answered = true;
        this.readAnswer<R>(res, limit).then(
          (value) => finish(null, value),
          (err: unknown) => finish(err),
        );
      });
      req.end(payload ?? undefined);
    });
  }

  private async readAnswer<R>(res: IncomingMessage, limit: number): Promise<{ value: R; status: number }> {
    const peerId = this.peer.id;
    const status = res.statusCode ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) {
          res.destroy();
          throw new PeerError(peerId, status, 'response_too_large', `the answer is larger than ${limit} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof ClearingError) throw err;
      throw classifyPeerFailure(peerId, err);
    }
    const text = Buffer.concat(chunks, size).toString('utf8');
    let parsed: unknown;
    let parseFailed = false;
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parseFailed = true;
      }
    }
    if (status >= 200 && status < 300) {
      if (parseFailed) throw new PeerError(peerId, status, 'response_malformed', 'the answer is not JSON');
      return { value: parsed as R, status };
    }
    throw errorAnswer(peerId, status, parsed, res.statusMessage);
  }
}

/** A reused keep-alive connection failed before any answer (internal: retried or classified). */
class StaleSocket extends Error {
  constructor(override readonly cause: unknown) {
    super('stale keep-alive connection');
  }
}

function mismatch(expected: string, url: string, presented: CertIdentity): PeerIdentityMismatchError {
  return new PeerIdentityMismatchError(expected, presented.id, `${url} presents the certificate of node ${describeIdentity(presented)}`);
}

