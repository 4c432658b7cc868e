/**
 * The web UI's HTTPS server: its own listener (web.listen), with the node's certificate and no
 * client certificate asked (the peer API, which requires them, stays on node.listen).
 *
 * Every answer carries a strict Content-Security-Policy (default-src 'none'; the stylesheet
 * from this server only; no script at all), nosniff, no framing, no caching of pages. Every
 * request goes through: target check (400) -> routing (404/405) -> session (a page redirects to
 * the sign-in page, JSON gets 401) -> the handler. Errors become a clear page or JSON body
 * with a status; an unexpected one is logged with its stack and shown as "internal error".
 * One log line per request (method, route, status, ms, brand); never cookies, forms or bodies.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClearingNetwork } from '../clearing/network.js';
import type { AppConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { type HttpAnswer, writeAnswer } from '../http/answer.js';
import { header, mediaType, readBody } from '../http/body.js';
import { readPem } from '../http/pem.js';
import { Refusal } from '../http/refusal.js';
import { PathRouter } from '../http/router.js';
import { checkTarget } from '../http/target.js';
import type { WebContext } from './ui-kit/context.js';
import { errorResponse, redirect } from './ui-kit/respond.js';
import type { WebMethod, WebRequest, WebRoute } from './ui-kit/route.js';
import { webRoutes } from './routes.js';
import { parseCookies, SESSION_COOKIE, sessionCookieHeader, SessionStore, type Session } from './ui-kit/session.js';
import { LoginThrottle } from './ui-kit/throttle.js';
import { uiOrigins } from './ui-kit/csrf.js';
import { SIGNINS_PER_WINDOW } from './pages/login.js';

const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Strict-Transport-Security': 'max-age=31536000',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const MAX_FORM_BYTES = 16 * 1024;
/** A form larger than MAX_FORM_BYTES is still read (and dropped) up to this, to answer 413 cleanly. */
const MAX_DRAIN_BYTES = 1024 * 1024;

export interface WebServerOptions {
  readonly config: AppConfig;
  readonly network: ClearingNetwork;
  readonly log: Logger;
  /** The clock of sessions and throttling (tests move it). */
  readonly now?: () => number;
}

/**
 * The urlencoded form of a POST, at most MAX_FORM_BYTES. A larger one is read to its end and
 * dropped (up to MAX_DRAIN_BYTES) before the 413 goes out: answering while the browser is still
 * sending would make it see a reset connection instead of the answer. A body that breaks off
 * is an `aborted` ClearingError (the browser went away; nothing to log but a line).
 */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (mediaType(header(req, 'content-type')) !== 'application/x-www-form-urlencoded') {
    throw new Refusal(415, 'content_type', 'A form must be sent as application/x-www-form-urlencoded.');
  }
  const body = await readBody(req, {
    maxBytes: MAX_FORM_BYTES,
    drainBytes: MAX_DRAIN_BYTES,
    overflow: 'destroy',
    tooLarge: () => new Refusal(413, 'body_too_large', `The form is larger than ${MAX_FORM_BYTES / 1024} KiB.`),
    broken: () => new ClearingError(ErrorCode.Aborted, 'the browser went away while sending the form'),
  });
  return new URLSearchParams(body.toString('utf8'));
}

/** What the user is told about a failure (never a stack), and its status. */
function describeFailure(err: unknown): { status: number; code: string; message: string } | null {
  if (err instanceof Refusal) return { status: err.status, code: err.code, message: err.message };
  if (!(err instanceof ClearingError)) return null;
  switch (err.code) {
    case ErrorCode.NotFound:
      return { status: 404, code: err.code, message: 'No such incident is shared with your brand.' };
    case ErrorCode.InputInvalid:
      return { status: 400, code: err.code, message: err.message };
    case ErrorCode.PeerUnreachable:
    case ErrorCode.PeerTls:
    case ErrorCode.PeerIdentityMismatch:
    case ErrorCode.PeerError:
      return { status: 502, code: err.code, message: `The clearing node holding this incident could not answer: ${err.message}` };
    case ErrorCode.SoarUnreachable:
    case ErrorCode.SoarRequest:
    case ErrorCode.SoarAuth:
      return { status: 503, code: err.code, message: `Your brand's SOAR could not answer: ${err.message}` };
    case ErrorCode.Aborted:
      return { status: 503, code: err.code, message: 'The request was cancelled.' };
    default:
      return null;
  }
}

export class WebServer {
  private constructor(
    private readonly server: https.Server,
    readonly context: WebContext,
  ) {}

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  static async start(opts: WebServerOptions): Promise<WebServer> {
    const web = opts.config.web;
    const tls = opts.config.node.tls;
    if (!web || !tls) throw new ClearingError(ErrorCode.ConfigInvalid, 'the web UI needs web: and node.tls in the config');
    const log = opts.log;
    const now = opts.now ?? Date.now;
    const cert = readPem(tls.cert, 'node.tls.cert');
    let secret = web.session_secret;
    if (secret === null) {
      secret = randomBytes(32).toString('base64url');
      log.warn('web.session_secret is not set: using a random one for this process; sessions end when the node restarts');
    }
    const context: WebContext = {
      config: opts.config,
      web,
      network: opts.network,
      sessions: new SessionStore({ secret, idleTimeoutMs: web.idle_timeout_ms, maxLifetimeMs: web.session_max_ms, now }),
      throttle: new LoginThrottle({ maxFailures: web.login_throttle.max_failures, windowMs: web.login_throttle.window_ms, now }),
      signins: new LoginThrottle({ maxFailures: SIGNINS_PER_WINDOW, windowMs: web.login_throttle.window_ms, now }),
      origins: uiOrigins(web.origin, new X509Certificate(cert), web.listen.port),
      log,
      startedAt: now(),
      now,
    };
    const router = new PathRouter<WebRoute>(webRoutes(context));
    const server = https.createServer({ key: readPem(tls.key, 'node.tls.key'), cert, minVersion: 'TLSv1.2' });
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    const self = new WebServer(server, context);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.handle(router, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(web.listen.port, web.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return self;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(router: PathRouter<WebRoute>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const ctx = this.context;
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new ClearingError(ErrorCode.Aborted, 'the browser went away'));
    });
    const accept = header(req, 'accept') ?? '';
    let wantsJson = accept.trim().toLowerCase().startsWith('application/json');
    let session: Session | null = null;
    let routePath = '-';
    let response: HttpAnswer;
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      const target = req.url ?? '/';
      // The bare origin (checkTarget refuses `/` as an empty segment) leads to the UI.
      if (target === '/' || target.startsWith('/?')) {
        response = redirect('/ui/shared');
      } else {
        const check = checkTarget(target);
        if (!check.ok) throw new Refusal(400, 'path_invalid', 'The address is not valid.');
        let segments = [...check.segments];
        if (segments[0] === 'ui' && segments[1] === 'api') {
          wantsJson = true;
          segments = ['ui', ...segments.slice(2)];
        }
        const host = header(req, 'host');
        if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new Refusal(400, 'host_invalid', 'The Host header is missing or not valid.');
        const routeMethod: WebMethod | null = method === 'GET' || method === 'HEAD' ? 'GET' : method === 'POST' ? 'POST' : null;
        if (routeMethod === null) throw new Refusal(405, 'method_not_allowed', 'This method is not allowed here.');
        const match = router.match(routeMethod, segments);
        if (match.route === null) {
          if (match.allowed.length === 0) throw new Refusal(404, 'route_unknown', 'There is no such page.');
          throw new Refusal(405, 'method_not_allowed', `This page allows ${match.allowed.join(', ')} only.`);
        }
        routePath = match.route.path;
        const cookies = parseCookies(header(req, 'cookie'));
        const lookup = ctx.sessions.lookup(cookies.get(SESSION_COOKIE));
        session = lookup.ok ? lookup.session : null;
        if (!session && !match.route.public) {
          const reason = lookup.ok ? 'none' : lookup.reason;
          if (reason !== 'none') ctx.log.info(`web: session ${reason}`, { route: routePath });
          const clear: Record<string, string> = reason === 'none' ? {} : { 'Set-Cookie': sessionCookieHeader('', 0) };
          const message = reason === 'expired' ? 'Your session expired; sign in again.' : reason === 'invalid' ? 'Your session is not valid; sign in again.' : 'Sign in first.';
          if (wantsJson || routeMethod !== 'GET') {
            response = errorResponse({ wantsJson, session: null }, 401, reason === 'none' ? 'signin_required' : `session_${reason}`, message, clear);
          } else {
            const next = encodeURIComponent(req.url ?? '/ui/shared');
            response = redirect(`/ui/login?next=${next}${reason === 'none' ? '' : `&notice=${reason}`}`, clear);
          }
        } else {
          const webReq: WebRequest = {
            method: routeMethod,
            path: `/${segments.join('/')}`,
            params: match.params,
            query: check.query,
            headers: req.headers,
            address: req.socket.remoteAddress ?? 'unknown',
            origins: ctx.origins,
            wantsJson,
            session,
            cookies,
            form: () => readForm(req),
            signal: abort.signal,
          };
          response = await match.route.handler(webReq);
        }
      }
    } catch (err) {
      const known = describeFailure(err);
      if (known === null) ctx.log.error(`web: ${req.method} ${routePath} failed: ${(err as Error).stack ?? String(err)}`);
      const { status, code, message } = known ?? { status: 500, code: 'internal', message: 'Something went wrong on the clearing node; the details are in its log.' };
      response = errorResponse({ wantsJson, session }, status, code, message);
    }
    this.send(req, res, response);
    ctx.log.debug(`web: ${req.method} ${routePath} ${response.status} ${Math.round(performance.now() - started)} ms`, session ? { brand: session.user.brand } : {});
  }

  private send(req: IncomingMessage, res: ServerResponse, r: HttpAnswer): void {
    writeAnswer(res, r, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' }, req.method === 'HEAD');
  }
}
