/**
 * One brand's HTTPS connection to SOAR: axios over a keep-alive agent, authentication and
 * re-login, retries with backoff, and the translation of every failure into a typed error.
 * Shared by a SoarClient and all its context-token views.
 *
 * Logging: one debug line per request with method, path, status and duration; one warning per
 * retry. Never a header, body, cookie or token.
 */
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import https from 'node:https';
import type { AxiosAdapter, AxiosInstance, AxiosResponse } from 'axios';
import type { SoarConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import type { BrandMetrics } from '../core/metrics.js';
import { createAuthenticator, type Authenticator } from './auth.js';
import type { ServerVersion, SessionInfo } from './dto.js';
import {
  SoarAbortedError,
  SoarAuthError,
  SoarRequestError,
  SoarTlsError,
  SoarUnreachableError,
  parseSoarErrorBody,
  redact,
} from './errors.js';
import { axios } from './axios.js';
import { baseUrl, parseJsonBody, queryParams } from './http.js';
import { TunnelAgent, environmentProxyFor } from '../http/proxy.js';
import { sleep } from '../core/backoff.js';
import { classifyFault, mayHaveReachedServer, retryDelay, shouldRetry, type Fault, type HttpMethod } from './retry.js';

export interface SendOptions {
  readonly signal?: AbortSignal;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  /** Send once: no retry on any fault (a 401 still triggers the password re-login). */
  readonly skipRetry?: boolean;
  /** Treat a POST as safe to repeat (it only reads, or repeating it is harmless). */
  readonly idempotent?: boolean;
  /** X-Co3ContextToken to send, if any. */
  readonly contextToken?: string | null;
  /** Send these bytes as the body instead of JSON (multipart uploads). */
  readonly rawBody?: { readonly data: Buffer; readonly contentType: string };
  /** The answer is binary (attachment contents): resolve with its bytes as a Buffer. */
  readonly binary?: boolean;
}

interface InternalSendOptions extends SendOptions {
  /** This is the login request itself: its own headers, 401/403 -> SoarAuthError, no re-login. */
  readonly login?: { headers: Record<string, string> };
}

const NOOP_LOGGER: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return NOOP_LOGGER;
  },
};

export interface TransportOptions {
  readonly logger?: Logger;
  /** Replaces axios's HTTP adapter (unit tests drive the client without a network this way). */
  readonly adapter?: AxiosAdapter;
  /** Where failed requests are counted (the brand's metrics), if anywhere. */
  readonly metrics?: BrandMetrics;
}

class TimeoutMarker extends Error {}

export class SoarTransport {
  readonly cfg: SoarConfig;
  readonly auth: Authenticator;
  readonly log: Logger;
  readonly endpoint: string;
  readonly metrics: BrandMetrics | null;
  private readonly http: AxiosInstance;
  private readonly agent: Agent;
  private relogin: Promise<void> | null = null;
  serverVersion: ServerVersion | undefined;
  /** SOAR's max_page_size (query_paged), once the client read it. */
  maxPageSize: number | undefined;
  closed = false;

  constructor(cfg: SoarConfig, opts: TransportOptions = {}) {
    this.cfg = cfg;
    this.log = opts.logger ?? NOOP_LOGGER;
    this.auth = createAuthenticator(cfg.auth);
    this.endpoint = `${cfg.host}:${cfg.port}`;
    this.metrics = opts.metrics ?? null;

    let ca: Buffer | undefined;
    if (cfg.tls.cafile) {
      try {
        ca = readFileSync(cfg.tls.cafile);
      } catch (err) {
        throw new ClearingError(
          ErrorCode.ConfigInvalid,
          `soar.cafile: cannot read ${cfg.tls.cafile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    if (!cfg.tls.verify) {
      this.log.warn(
        `TLS verification of SOAR at ${this.endpoint} is OFF (soar.verify: false): the connection can be intercepted`,
      );
    }
    const tls = { rejectUnauthorized: cfg.tls.verify, ...(ca ? { ca } : {}) };
    const pool = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16 };
    // soar.proxy when given, else the environment's HTTPS_PROXY unless NO_PROXY names the host.
    let proxy: string | null;
    try {
      proxy = cfg.proxy ?? environmentProxyFor(baseUrl(cfg));
    } catch (err) {
      throw new ClearingError(ErrorCode.ConfigInvalid, `SOAR ${this.endpoint}: ${(err as Error).message}`);
    }
    if (proxy === null) this.agent = new https.Agent({ ...pool, ...tls });
    else {
      const agent = new TunnelAgent(proxy, tls, pool);
      this.log.info(`SOAR ${this.endpoint} is reached through the proxy ${agent.proxyName}`);
      this.agent = agent;
    }
    this.http = axios.create({
      baseURL: baseUrl(cfg),
      httpsAgent: this.agent,
      // Never axios's own proxy handling: the agent above is the one proxy rule (src/http/proxy.ts).
      proxy: false,
      timeout: cfg.timeout_ms,
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      maxContentLength: 256 * 1024 * 1024,
      maxBodyLength: 256 * 1024 * 1024,
      ...(opts.adapter ? { adapter: opts.adapter } : {}),
    });
  }

  /** Logs in (GET or POST /rest/session) and returns the session. */
  async login(signal?: AbortSignal): Promise<SessionInfo> {
    const req = this.auth.loginRequest();
    const data = await this.send<SessionInfo>(req.method, req.path, req.body, {
      login: { headers: req.headers },
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    if (!data || typeof data !== 'object' || !Array.isArray((data as { orgs?: unknown }).orgs)) {
      throw new SoarRequestError({
        status: 200,
        method: req.method,
        path: req.path,
        soarMessage: 'the session answer has no orgs list',
      });
    }
    const csrf = typeof data['csrf_token'] === 'string' ? data['csrf_token'] : null;
    this.auth.loginSucceeded(csrf);
    return data;
  }

  /** Logs out a password session (best effort) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.auth.kind === 'password' && this.auth.generation > 0) {
      try {
        await this.send('DELETE', '/rest/session', undefined, { skipRetry: true });
      } catch {
        // The session times out on its own.
      }
    }
    this.closed = true;
    this.auth.reset();
    this.agent.destroy();
  }

  private secrets(): string[] {
    const s = this.auth.secrets();
    if (typeof this.cfg.proxy === 'string') {
      try {
        const u = new URL(this.cfg.proxy);
        if (u.password) s.push(u.password, decodeURIComponent(u.password));
      } catch {
        /* invalid URL was refused at construction */
      }
    }
    return s;
  }

  private async reloginOnce(seenGeneration: number): Promise<void> {
    if (this.auth.generation !== seenGeneration) return; // another call already logged in again
    if (!this.relogin) {
      this.log.info(`SOAR session of ${this.auth.principal} expired; logging in again`);
      // Not tied to the caller's signal: other calls may be waiting on the same re-login.
      this.relogin = this.login().then(
        () => {
          this.relogin = null;
        },
        (err: unknown) => {
          this.relogin = null;
          throw err;
        },
      );
    }
    await this.relogin;
  }

  /**
   * Sends one request with retries. `path` is absolute (`/rest/...`). Answers the parsed JSON
   * body (null when empty) of a 2xx response, and throws a typed error otherwise.
   */
  async send<T>(method: HttpMethod, path: string, body: unknown, opts: InternalSendOptions = {}): Promise<T> {
    if (this.closed) {
      throw new ClearingError(ErrorCode.Internal, `SOAR client for ${this.endpoint} is closed`);
    }
    const retries = opts.skipRetry ? 0 : Math.max(0, Math.floor(this.cfg.retry.retries));
    const retryOpts = opts.idempotent === undefined ? {} : { idempotent: opts.idempotent };
    let relogged = false;
    let attempt = 0;
    const params = queryParams(opts.query);
    const data = opts.rawBody ? opts.rawBody.data : body === undefined ? undefined : JSON.stringify(body);

    for (;;) {
      attempt++;
      if (opts.signal?.aborted) throw new SoarAbortedError(method, path);
      const generation = this.auth.generation;
      const headers: Record<string, string> = {
        Accept: opts.binary ? '*/*' : 'application/json',
        ...(opts.login ? opts.login.headers : this.auth.headers()),
      };
      if (data !== undefined) headers['Content-Type'] = opts.rawBody ? opts.rawBody.contentType : 'application/json';
      if (opts.contextToken) headers['X-Co3ContextToken'] = opts.contextToken;

      const started = performance.now();
      let res: AxiosResponse<unknown> | undefined;
      let fault: Fault;
      let transportError: { code: string; message: string } | undefined;
      const ctl = new AbortController();
      const deadline = setTimeout(() => ctl.abort(new TimeoutMarker('timeout')), this.cfg.timeout_ms + 50);
      const onCallerAbort = (): void => ctl.abort(opts.signal?.reason);
      opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
      try {
        res = await this.http.request<unknown>({
          method,
          url: path,
          data,
          params,
          headers,
          signal: ctl.signal,
          ...(opts.binary ? { responseType: 'arraybuffer' as const } : {}),
        });
      } catch (err) {
        const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
        const message = err instanceof Error ? err.message : String(err);
        transportError = { code, message };
      } finally {
        clearTimeout(deadline);
        opts.signal?.removeEventListener('abort', onCallerAbort);
      }
      const ms = Math.round(performance.now() - started);

      if (transportError || !res) {
        if (opts.signal?.aborted) throw new SoarAbortedError(method, path);
        const te = transportError ?? { code: '', message: 'no response' };
        fault =
          ctl.signal.aborted && ctl.signal.reason instanceof TimeoutMarker
            ? { kind: 'timeout', code: 'ETIMEDOUT' }
            : classifyFault({ code: te.code, message: te.message });
        this.metrics?.soarRestError(fault.code);
        this.log.debug(`SOAR ${method} ${path} failed: ${fault.code}`, {
          method,
          path,
          error: fault.code,
          duration_ms: ms,
          attempt,
        });
        if (fault.kind === 'tls') {
          throw new SoarTlsError(this.endpoint, fault.code, redact(te.message, this.secrets()), this.cfg.tls.cafile);
        }
        if (shouldRetry(method, fault, retryOpts) && attempt <= retries) {
          await this.backoff(method, path, attempt, fault, opts.signal);
          continue;
        }
        const safeMessage = redact(te.message, this.secrets());
        const cause = Object.assign(new Error(`${fault.code}: ${safeMessage}`), { code: fault.code });
        throw new SoarUnreachableError({
          method,
          path,
          attempts: attempt,
          reason: `${fault.code}${safeMessage && !safeMessage.includes(fault.code) ? ` (${safeMessage})` : ''}`,
          maybeApplied: method === 'POST' && opts.idempotent !== true && mayHaveReachedServer(fault),
          cause,
        });
      }

      this.auth.onResponse(res.headers['set-cookie'] as string[] | string | undefined);
      const status = res.status;
      if (status < 200 || status >= 300) this.metrics?.soarRestError(status);
      this.log.debug(`SOAR ${method} ${path} ${status} ${ms}ms`, { method, path, status, duration_ms: ms, attempt });

      if (status >= 200 && status < 300) {
        if (opts.binary) return Buffer.from(res.data as ArrayBuffer) as T;
        const parsed = parseJsonBody(res.data);
        if (parsed === undefined) {
          throw new SoarRequestError({ status, method, path, soarMessage: 'the response is not JSON' });
        }
        return parsed as T;
      }

      const parsedError = parseSoarErrorBody(res.data);
      const soarMessage = parsedError.message === null ? null : redact(parsedError.message, this.secrets());

      if (opts.login && (status === 401 || status === 403)) {
        throw new SoarAuthError({ status, method, path, soarMessage, principal: this.auth.principal });
      }
      if (status === 401 && !opts.login) {
        if (this.auth.canRelogin && !relogged) {
          relogged = true;
          await this.reloginOnce(generation);
          attempt--; // the re-login does not use up a retry
          continue;
        }
        throw new SoarAuthError({ status, method, path, soarMessage, principal: this.auth.principal });
      }
      fault = classifyFault({ status });
      if (fault.kind === 'http5xx') {
        const allowed = shouldRetry(method, fault, retryOpts);
        if (allowed && attempt <= retries) {
          await this.backoff(method, path, attempt, fault, opts.signal);
          continue;
        }
        if (allowed && retries > 0) {
          throw new SoarUnreachableError({
            method,
            path,
            attempts: attempt,
            reason: `HTTP ${status}`,
            lastStatus: status,
            soarMessage,
          });
        }
      }
      throw new SoarRequestError({
        status,
        method,
        path,
        soarMessage,
        soarErrorCode: parsedError.errorCode,
        hints: parsedError.hints.map((h) => redact(h, this.secrets())),
      });
    }
  }

  private async backoff(method: string, path: string, attempt: number, fault: Fault, signal?: AbortSignal): Promise<void> {
    const delay = retryDelay(attempt, this.cfg.retry);
    this.log.warn(`SOAR ${method} ${path} failed (${fault.code}); retry ${attempt}/${this.cfg.retry.retries} in ${delay} ms`, {
      method,
      path,
      error: fault.code,
      attempt,
      delay_ms: delay,
    });
    try {
      await sleep(delay, signal);
    } catch {
      throw new SoarAbortedError(method, path);
    }
  }
}
