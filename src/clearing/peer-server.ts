/**
 * The peer API server: HTTPS with mutual TLS, where other clearing nodes call this one.
 *
 * Built on node's own `https` module, without a web framework: the API is a handful of JSON
 * routes, and owning the server directly gives full control of what matters here: the TLS
 * options (client certificates required and verified against the network CA only, TLS >= 1.2),
 * keep-alive and timeouts, body limits enforced while the body streams in, and one error shape
 * for every failure. A framework would add routing sugar and middleware we do not need and
 * hide those details behind its own defaults.
 *
 * Every request goes through, in this order:
 *   1. TLS: no client certificate, or one not signed by the network CA, never gets past the
 *      handshake (the client sees the TLS alert).
 *   2. identity: the certificate's node id (SAN URI `urn:soar-clearing:node:<id>`, else CN)
 *      must be a configured peer, else 403 `peer_unknown`;
 *   3. the request target: `..`, encoded slashes, `//`, NUL, overlong ones -> 400 `path_invalid`;
 *   4. routing: 404 `route_unknown`, 405 `method_not_allowed` (with `Allow`);
 *   5. the route's authorize() -> 403 `forbidden` (before any body is read);
 *   6. POST/PUT: `Content-Type: application/json` or 415 `content_type`; the body limit
 *      (Content-Length at once, else counted while streaming) or 413 `body_too_large`;
 *      JSON or 400 `body_malformed`; the route's schema or 400 `body_invalid` (ajv's errors,
 *      with paths, in `details`);
 *   7. the handler: its result as JSON; a ClearingError as its own toHttpResponse(); anything
 *      else as 500 `internal` (logged here with its stack, never sent).
 * Every error is `{"error":{"code","message"[,"details"]}}`. One log line per request names
 * the peer, method, route, status and duration; bodies are never logged.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { jsonPointer, schemaProblems } from '../core/schema-problems.js';
import { CERT_WARN_DAYS } from '../config/cert-expiry.js';
import { daysLeft } from '../config/pem.js';
import type { ListenConfig, NodeTlsConfig, PeerConfig } from '../config/types.js';
import { ClearingError, ErrorCode, messageForPeers } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { PACKAGE_VERSION } from '../core/version.js';
import { type ErrorBody, type HttpAnswer, type ProblemDetail, errorBody, jsonAnswer, writeAnswer } from '../http/answer.js';
import { isJsonContentType, parseJsonBody, readBody } from '../http/body.js';
import { readPem } from '../http/pem.js';
import { Refusal } from '../http/refusal.js';
import { PathRouter } from '../http/router.js';
import { checkTarget } from '../http/target.js';
import { HEALTH, type HealthAnswer, PEER_PROTOCOL } from './contracts/health.js';
import { type PeerMethod, PEER_API_V1, PEER_METHODS } from './contracts/peer-api.js';
import { type PeerIdentity, authenticatePeer } from './peer-auth.js';
import { type PeerRoute, defineRoute } from './peer-routes.js';

/** Default body limit of a route: 1 MiB. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays a body may have (an incident is a few levels deep). */
const MAX_BODY_DEPTH = 64;
/** At most this many schema problems are listed in a `body_invalid` answer. */
const MAX_DETAILS = 20;

export interface PeerServerOptions {
  readonly node: {
    readonly id: string;
    readonly listen: ListenConfig;
    readonly tls: NodeTlsConfig;
    /** The brands this node serves, told in the health answer; absent: not told. */
    readonly brands?: readonly string[];
  };
  /** The peers allowed to call (network.peers). */
  readonly peers: readonly PeerConfig[];
  /** The routes served, besides the built-in `GET /api/v1/health`. */
  readonly routes: readonly PeerRoute[];
  readonly log: Logger;
  /** Body limit of routes that name none (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Body limits by route, keyed by the route's method and path as declared
   * (`'POST /api/v1/incidents'`); they win over the route's own maxBodyBytes. A key naming no
   * route is an error at start.
   */
  readonly maxBodyBytesByRoute?: Readonly<Record<string, number>>;
  /** On stop(), how long in-flight requests may take to finish before they are aborted (default 5000). */
  readonly stopGraceMs?: number;
}

interface CompiledRoute {
  readonly method: PeerMethod;
  readonly path: string;
  readonly route: PeerRoute;
  readonly key: string;
  readonly validate: ValidateFunction | null;
  readonly maxBodyBytes: number;
}

/** Headers of every answer of the peer API. */
const ANSWER_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** The body's schema problems as `{path, message}` with JSON pointers into the body. */
function schemaDetails(errors: readonly ErrorObject[] | null | undefined, body: unknown): ProblemDetail[] {
  return schemaProblems(errors, body)
    .slice(0, MAX_DETAILS)
    .map((p) => ({ path: jsonPointer(p.path), message: p.message }));
}

export class PeerServer {
  readonly port: number;
  readonly address: string;

  private readonly inflight = new Set<AbortController>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly identities = new WeakMap<TLSSocket, ReturnType<typeof authenticatePeer>>();
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly server: https.Server,
    private readonly opts: PeerServerOptions,
    private readonly router: PathRouter<CompiledRoute>,
  ) {
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.address = address.address;
  }

  /** Compiles the routes, reads the node's certificate, key and CA, and listens. */
  static async start(opts: PeerServerOptions): Promise<PeerServer> {
    const router = compileRoutes(opts);
    const { tls } = opts.node;
    const cert = readPem(tls.cert, 'node.tls.cert');
    const server = https.createServer({
      key: readPem(tls.key, 'node.tls.key'),
      cert,
      // The network CA alone: Node's built-in CAs are never trusted for peers.
      ca: readPem(tls.ca, 'node.tls.ca'),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxHeaderSize: 16 * 1024,
      headersTimeout: 20_000,
      requestTimeout: 120_000,
      keepAlive: true,
    });
    server.keepAliveTimeout = 30_000;
    warnOnExpiry(cert, opts.log);

    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new ClearingError(ErrorCode.Internal, `peer API cannot listen on ${opts.node.listen.host}:${opts.node.listen.port}: ${err.code ?? err.message}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen(opts.node.listen.port, opts.node.listen.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const peerServer = new PeerServer(server, opts, router);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => peerServer.dispatch(req, res));
    // The address of a refused client: read once from the TCP socket as it connects (a TLS
    // socket destroyed by a refused certificate no longer knows it).
    server.on('connection', (raw: Socket) => void raw.remoteAddress);
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      // A missing certificate fails inside OpenSSL (ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE);
      // an untrusted one is refused by Node after the handshake, its reason in authorizationError.
      const reason = socket.authorizationError !== undefined && socket.authorizationError !== null ? String(socket.authorizationError) : (err.code ?? err.message);
      opts.log.warn('peer TLS handshake refused', { remote: remoteOf(socket), reason });
    });
    server.on('error', (err) => opts.log.error('peer API server error', { error: err.message }));
    opts.log.info('peer API listening', {
      node: opts.node.id,
      address: `${peerServer.address}:${peerServer.port}`,
      routes: router.routes.map((r) => r.key),
      peers: opts.peers.map((p) => p.id),
    });
    return peerServer;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for `stopGraceMs`, then aborts
   * their signals and closes every connection. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      if (this.inflight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, this.opts.stopGraceMs ?? 5000);
          }),
        ]);
        clearTimeout(timer);
      }
      for (const ac of this.inflight) ac.abort(new ClearingError(ErrorCode.Aborted, 'the clearing node is stopping'));
      this.server.closeAllConnections();
      await closed;
      this.opts.log.info('peer API stopped', { node: this.opts.node.id });
    })();
    return this.stopping;
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const ac = new AbortController();
    this.inflight.add(ac);
    const line: { peer: string; route: string; code: string | null } = { peer: '-', route: '-', code: null };
    res.once('close', () => {
      if (!res.writableFinished) ac.abort(new ClearingError(ErrorCode.Aborted, 'the peer closed the connection'));
      this.inflight.delete(ac);
      if (this.inflight.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      this.opts.log.info('peer request', {
        peer: line.peer,
        method: req.method ?? '-',
        route: line.route,
        status: res.writableFinished ? res.statusCode : 'aborted',
        ...(line.code !== null ? { code: line.code } : {}),
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    if (this.stopping !== null) res.setHeader('connection', 'close');
    this.handle(req, res, ac.signal, line).catch((err: unknown) => {
      let status: number;
      let body: ErrorBody;
      let headers: Readonly<Record<string, string>> = {};
      if (err instanceof Refusal) {
        status = err.status;
        body = errorBody(err.code, err.message, err.details);
        headers = err.headers;
      } else if (err instanceof ClearingError) {
        const answer = err.toHttpResponse();
        status = answer.status;
        body = answer.body;
        const words = messageForPeers(err);
        if (words !== err.message) body = errorBody(err.code, words);
        if (status >= 500 || words !== err.message) this.opts.log.error('peer request failed', { peer: line.peer, route: line.route, code: err.code, status, error: err.message });
      } else {
        status = 500;
        body = errorBody(ErrorCode.Internal, 'internal error');
        this.opts.log.error('peer request failed', {
          peer: line.peer,
          route: line.route,
          error: err instanceof Error ? err.message : String(err),
          stack: err instanceof Error ? err.stack : undefined,
        });
      }
      line.code = body.error.code;
      this.send(res, status, body, headers);
    });
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
    line: { peer: string; route: string },
  ): Promise<void> {
    // 2. who calls
    const peer = this.identify(req);
    line.peer = peer.id;

    // 3. the request target
    const target = checkTarget(req.url ?? '');
    if (!target.ok) throw new Refusal(400, ErrorCode.PathInvalid, `invalid request path: ${target.reason}`);

    // 4. the route
    const match = this.router.match(req.method ?? '', target.segments);
    if (match.route === null) {
      if (match.allowed.length === 0) throw new Refusal(404, ErrorCode.RouteUnknown, `no route for ${req.method ?? '?'} /${target.segments.join('/')}`);
      const allow = PEER_METHODS.filter((m) => match.allowed.includes(m)).join(', ');
      throw new Refusal(405, ErrorCode.MethodNotAllowed, `${req.method ?? '?'} is not allowed here (allowed: ${allow})`, undefined, { allow });
    }
    const { route, params } = match;
    line.route = route.key;

    // 5. may this peer do this?
    if (route.route.authorize) {
      const verdict = route.route.authorize(peer, params, target.query);
      if (verdict !== true) {
        throw new Refusal(403, ErrorCode.Forbidden, typeof verdict === 'string' && verdict !== '' ? verdict : `peer ${peer.id} may not call ${route.key}`);
      }
    }

    // 6. the body
    const body = route.route.method === 'GET' ? undefined : await this.readBody(req, route);

    // 7. the handler
    const result = await route.route.handler({ peer, params, query: target.query, body, signal });
    if (res.destroyed) return;
    if (result === undefined) this.send(res, 204, undefined);
    else this.send(res, route.route.successStatus ?? 200, result);
  }

  private identify(req: IncomingMessage): PeerIdentity {
    const socket = req.socket as TLSSocket;
    let verdict = this.identities.get(socket);
    if (verdict === undefined) {
      verdict = socket.authorized
        ? authenticatePeer(socket.getPeerCertificate(), this.opts.peers)
        : { ok: false, reason: `no verified client certificate (${String(socket.authorizationError ?? 'none')})`, claimed: null };
      this.identities.set(socket, verdict);
      if (!verdict.ok) {
        const cert = socket.getPeerCertificate();
        this.opts.log.warn('peer refused', {
          claimed: verdict.claimed ?? '-',
          reason: verdict.reason,
          fingerprint256: cert.fingerprint256 ?? '-',
          remote: socket.remoteAddress ?? '-',
        });
      }
    }
    if (!verdict.ok) throw new Refusal(403, ErrorCode.PeerUnknown, `this node does not accept the caller: ${verdict.reason}`);
    return verdict.identity;
  }

  private async readBody(req: IncomingMessage, route: CompiledRoute): Promise<unknown> {
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new Refusal(415, ErrorCode.ContentType, `${req.method ?? '?'} needs Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`);
    }
    const limit = route.maxBodyBytes;
    const raw = await readBody(req, {
      maxBytes: limit,
      // The connection closes after the 413: what the peer still sends is never read.
      overflow: 'pause',
      tooLarge: () => new Refusal(413, ErrorCode.BodyTooLarge, `the body is larger than ${limit} bytes, the limit of ${route.key}`, undefined, { connection: 'close' }),
      broken: (err) => new ClearingError(ErrorCode.Aborted, `the request body broke off: ${err?.message ?? 'the connection closed'}`, { httpStatus: 400 }),
    });
    if (raw.length === 0) {
      if (route.validate === null) return undefined;
      throw new Refusal(400, ErrorCode.BodyMalformed, 'the body is empty; expected JSON');
    }
    // The depth is checked before the schema and the handler, which walk the body recursively.
    const parsed = parseJsonBody(raw, MAX_BODY_DEPTH);
    if (!parsed.ok) {
      if (parsed.reason === 'too_deep') throw new Refusal(400, ErrorCode.BodyInvalid, `the body is nested deeper than ${MAX_BODY_DEPTH} levels`);
      throw new Refusal(400, ErrorCode.BodyMalformed, `the body is not JSON: ${parsed.message}`);
    }
    const body = parsed.value;
    if (route.validate !== null && !route.validate(body)) {
      const details = schemaDetails(route.validate.errors, body);
      throw new Refusal(400, ErrorCode.BodyInvalid, `the body does not match ${route.key}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
    }
    return body;
  }

  /** The answer: `body` as JSON, or 204 without one. */
  private send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    let answer: HttpAnswer;
    if (status === 204 || body === undefined) {
      answer = { status: status === 200 ? 204 : status, body: '', headers: { ...headers, 'cache-control': 'no-store' } };
    } else {
      try {
        answer = jsonAnswer(status, body, headers);
      } catch (err) {
        this.opts.log.error('peer answer not serializable', { error: err instanceof Error ? err.message : String(err) });
        answer = jsonAnswer(500, errorBody(ErrorCode.Internal, 'internal error'));
      }
    }
    writeAnswer(res, answer, ANSWER_HEADERS);
  }
}

function healthRoute(node: PeerServerOptions['node']): PeerRoute {
  return defineRoute<undefined, HealthAnswer>({
    ...HEALTH,
    handler: async ({ peer }) => ({
      node: node.id,
      version: PACKAGE_VERSION,
      time: new Date().toISOString(),
      protocol: PEER_PROTOCOL,
      ...(node.brands ? { brands: [...node.brands] } : {}),
      // What this node believes of the caller, so that the caller can compare (`network check`).
      your_brands: [...peer.peer.brands],
    }),
  });
}

function compileRoutes(opts: PeerServerOptions): PathRouter<CompiledRoute> {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const byRoute = new Map(Object.entries(opts.maxBodyBytesByRoute ?? {}));
  const compiled = [healthRoute(opts.node), ...opts.routes].map((route): CompiledRoute => {
    const key = `${route.method} ${route.path}`;
    if (!route.path.startsWith(PEER_API_V1)) throw new Error(`route path ${route.path} must start with ${PEER_API_V1}`);
    if (route.method === 'GET' && route.bodySchema !== undefined) throw new Error(`peer route ${key}: GET takes no body schema`);
    const limit = byRoute.get(key) ?? route.maxBodyBytes ?? opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    byRoute.delete(key);
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`peer route ${key}: invalid body limit ${limit}`);
    return {
      method: route.method,
      path: route.path,
      route,
      key,
      validate: route.bodySchema !== undefined ? ajv.compile(route.bodySchema) : null,
      maxBodyBytes: limit,
    };
  });
  if (byRoute.size > 0) throw new Error(`maxBodyBytesByRoute names no route: ${[...byRoute.keys()].join(', ')}`);
  return new PathRouter(compiled);
}

/**
 * `address:port` of a TLS client, also after a refused handshake destroyed its socket: then
 * from the TCP socket it wrapped (`_parent`, Node's own field; its address was read as it
 * connected). `-` when neither knows.
 */
function remoteOf(socket: TLSSocket): string {
  const tcp = (socket as TLSSocket & { _parent?: Socket | null })._parent;
  const address = socket.remoteAddress ?? tcp?.remoteAddress;
  const port = socket.remotePort ?? tcp?.remotePort;
  return address === undefined ? '-' : `${address}:${port ?? '?'}`;
}

function warnOnExpiry(pem: Buffer, log: Logger): void {
  try {
    const cert = new X509Certificate(pem);
    const validTo = new Date(cert.validTo);
    const days = daysLeft(validTo, Date.now());
    if (days < 0) log.error('node certificate has expired: peers will refuse it', { valid_to: validTo.toISOString() });
    else if (days < CERT_WARN_DAYS) log.warn('node certificate expires soon', { valid_to: validTo.toISOString(), days });
  } catch {
    // unreadable: the TLS layer has already said so
  }
}
