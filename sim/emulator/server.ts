/**
 * SoarEmulator: an HTTPS server on 127.0.0.1 that plays IBM SOAR's REST API (the subset the
 * product uses) with SOAR's real response shapes, records every request, and injects faults.
 *
 *   const emu = await SoarEmulator.start({ pki });
 *   const cfg = emu.soarConfig();                 // a SoarConfig pointing at it (API key auth)
 *   emu.faults.failNext(2, 503);                   // the next 2 requests answer 503
 *   ...
 *   await emu.stop();
 *
 * Defaults: the three orgs of the API-key session sample (201 "Test Organization" with a uuid and
 * cloud_account, 202 "Test Organization 2", 404 "Disabled Org", disabled), API key
 * `test-key`/`test-secret`, user `admin@example.com`/`Passw0rd!`, the sample's function
 * `testing` and destination `utility_functions`, the sample's incident fields.
 * The STOMP side (function invocations) lives in invoker.ts.
 *
 * Customization: `POST/GET/PUT /configurations/imports`, `POST /configurations/exports`
 * (customization.ts) define destinations, functions, fields, datatables, rules and workflows;
 * rules fire and workflows run on the real broker (workflows.ts), once a broker is attached:
 *
 *   const emu = await SoarEmulator.start({ pki, broker: { port: stompPort } });
 *   // or later: emu.attachBroker(stompPort)
 *   ... create an incident ...
 *   await emu.workflows.waitIdle();
 *   emu.workflows.instances   // [{ id, workflow, status: 'completed', steps, results, ... }]
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SoarAuth, SoarConfig } from '../../src/config/types.js';
import type { JsonValue } from '../../src/core/types.js';
import { route, type RouteRequest, type UploadedFile } from './routes.js';
import { type Reply, soarError } from './reply.js';
import { loadSamples } from './samples.js';
import { DEFAULT_API_KEY, DEFAULT_USER, EmulatorState, type EmulatorStateOptions } from './state.js';
import { WorkflowEngine, type BrokerAttachment } from './workflows.js';

/** The certificates the emulator's HTTPS server presents (the test PKI and the demo's satisfy it). */
export interface EmulatorPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly rogueServerCert?: string;
  readonly rogueServerKey?: string;
}

/** The first part of a multipart/form-data body that carries a file name (SOAR's `file` part). */
function parseMultipartFile(body: Buffer, contentType: string): UploadedFile | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const mark = boundary ? `--${boundary[1] ?? boundary[2]}` : null;
  if (!mark) return null;
  let at = body.indexOf(mark);
  while (at >= 0) {
    const headStart = at + mark.length + 2; // CRLF after the boundary line
    const headEnd = body.indexOf('\r\n\r\n', headStart);
    const next = body.indexOf(`\r\n${mark}`, headEnd);
    if (headEnd < 0 || next < 0) return null;
    const head = body.subarray(headStart, headEnd).toString('utf8');
    const name = /filename="([^"]*)"/i.exec(head)?.[1];
    if (name !== undefined) {
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? 'application/octet-stream';
      return { name, contentType: type, data: Buffer.from(body.subarray(headEnd + 4, next)) };
    }
    at = body.indexOf(mark, next + 2);
  }
  return null;
}

function rogue(path: string | undefined): string {
  if (!path) throw new Error('soar emulator: useRogueCert needs the PKI\'s rogue server certificate and key');
  return path;
}

export interface SoarEmulatorOptions extends EmulatorStateOptions {
  readonly pki: EmulatorPki;
  /** Listening port; default: a free one. */
  readonly port?: number;
  /** Serve under this prefix (SoarConfig.resource_prefix), e.g. '/soar'. Default none. */
  readonly resourcePrefix?: string;
  /** Serve the rogue CA's certificate instead (for trust-failure tests). */
  readonly useRogueCert?: boolean;
  /**
   * The broker workflows publish their function invocations to (SOAR's side of the message
   * flow). Without it, a workflow reaching a function step fails; see also attachBroker().
   */
  readonly broker?: BrokerAttachment;
  /** How long a workflow's function step waits for the final reply; default 30000. */
  readonly workflowStepTimeoutMs?: number;
}

/** Which requests a fault applies to; omitted parts match everything. */
export interface FaultMatch {
  readonly method?: string;
  /** Substring of, or pattern for, the path (without query and prefix). */
  readonly path?: string | RegExp;
}

export interface RecordedRequest {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  /** Path without query and without the resource prefix. */
  readonly path: string;
  readonly query: Record<string, string>;
  /** The X-Co3ContextToken header, or null. */
  readonly contextToken: string | null;
  /** How the request authenticated itself: Basic header, session cookie, or nothing. */
  readonly auth: 'basic' | 'session' | 'none';
  /** Whether an X-sess-id header was present. */
  readonly sessId: boolean;
  /** The parsed JSON body (raw text when it was not JSON). */
  body: JsonValue | undefined;
  /** Set once answered (undefined for dropped connections). */
  status?: number;
  /** The fault injected into this request, if any. */
  fault?: 'fail' | 'delay' | 'conflict' | 'drop';
}

interface PendingFault {
  remaining: number;
  readonly match: FaultMatch | undefined;
  readonly status?: number;
  readonly ms?: number;
  /** SOAR's error message for a failure (default: "Injected fault: HTTP <status>"). */
  readonly message?: string;
}

function matchesFault(m: FaultMatch | undefined, method: string, path: string): boolean {
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? !path.includes(m.path) : !m.path.test(path)) return false;
  }
  return true;
}

/** Fault injection: each call queues a fault for the next `n` matching requests. */
class EmulatorFaults {
  private readonly fails: PendingFault[] = [];
  private readonly delays: PendingFault[] = [];
  private readonly conflicts: PendingFault[] = [];
  private readonly drops: PendingFault[] = [];

  /**
   * Answer the next `n` (matching) requests with `status` (default 503) and SOAR's error body,
   * whose message is `message` when given (e.g. the words SOAR refuses an import with).
   */
  failNext(n: number, status = 503, match?: FaultMatch, message?: string): void {
    this.fails.push({ remaining: n, status, match, ...(message !== undefined ? { message } : {}) });
  }

  /** Hold the next `n` (matching) requests for `ms` before handling them. */
  delayNext(n: number, ms: number, match?: FaultMatch): void {
    this.delays.push({ remaining: n, ms, match });
  }

  /** Answer the next `n` (matching) PUT requests with 409 Conflict. */
  conflictNext(n: number, match?: FaultMatch): void {
    this.conflicts.push({ remaining: n, match: { ...match, method: 'PUT' } });
  }

  /** Destroy the socket of the next `n` (matching) requests without answering. */
  dropConnections(n: number, match?: FaultMatch): void {
    this.drops.push({ remaining: n, match });
  }

  /** Removes every pending fault. */
  clear(): void {
    for (const q of [this.fails, this.delays, this.conflicts, this.drops]) q.length = 0;
  }

  /** How many injections are still queued, by kind. */
  pending(): { fail: number; delay: number; conflict: number; drop: number } {
    const sum = (q: PendingFault[]): number => q.reduce((n, f) => n + f.remaining, 0);
    return { fail: sum(this.fails), delay: sum(this.delays), conflict: sum(this.conflicts), drop: sum(this.drops) };
  }

  /** @internal Takes one fault of the queue that applies to this request. */
  take(kind: 'fail' | 'delay' | 'conflict' | 'drop', method: string, path: string): PendingFault | null {
    const q = { fail: this.fails, delay: this.delays, conflict: this.conflicts, drop: this.drops }[kind];
    const i = q.findIndex((f) => f.remaining > 0 && matchesFault(f.match, method, path));
    if (i < 0) return null;
    const f = q[i]!;
    f.remaining--;
    if (f.remaining <= 0) q.splice(i, 1);
    return f;
  }
}

function normalizePrefix(p: string | undefined): string {
  const t = (p ?? '').replace(/^\/+|\/+$/g, '');
  return t === '' ? '' : `/${t}`;
}

export class SoarEmulator {
  readonly state: EmulatorState;
  /** Rules and workflow instances (workflows.ts): `instances`, `waitIdle()`, `waitFor(id)`. */
  readonly workflows: WorkflowEngine;
  readonly faults = new EmulatorFaults();
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  readonly pki: EmulatorPki;
  readonly resourcePrefix: string;
  private readonly server: https.Server;
  private seq = 0;
  port = 0;

  private constructor(opts: SoarEmulatorOptions, server: https.Server) {
    this.pki = opts.pki;
    this.resourcePrefix = normalizePrefix(opts.resourcePrefix);
    this.state = new EmulatorState(loadSamples(), opts);
    this.workflows = new WorkflowEngine(this.state, { broker: opts.broker ?? null, stepTimeoutMs: opts.workflowStepTimeoutMs });
    this.state.hooks = this.workflows;
    this.server = server;
  }

  /** Points workflow invocations at a broker: a STOMP port on 127.0.0.1, or the full attachment. */
  attachBroker(broker: number | BrokerAttachment): void {
    this.workflows.attachBroker(typeof broker === 'number' ? { port: broker } : broker);
  }

  static async start(opts: SoarEmulatorOptions): Promise<SoarEmulator> {
    const server = https.createServer({
      cert: readFileSync(opts.useRogueCert ? rogue(opts.pki.rogueServerCert) : opts.pki.serverCert),
      key: readFileSync(opts.useRogueCert ? rogue(opts.pki.rogueServerKey) : opts.pki.serverKey),
    });
    const emu = new SoarEmulator(opts, server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      emu.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          emu.send(res, soarError(500, `emulator error: ${err instanceof Error ? err.message : String(err)}`));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    emu.port = (server.address() as AddressInfo).port;
    return emu;
  }

  /** The org used by default (201 with the samples). */
  get orgId(): number {
    const first = [...this.state.orgs.values()].find((o) => o['enabled'] !== false);
    return (first?.['id'] as number | undefined) ?? 201;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}${this.resourcePrefix}`;
  }

  /**
   * A SoarConfig pointing at this emulator: API key `test-key` (or the given auth), org
   * "Test Organization", trusting the PKI's CA, 2 fast retries, 5 s timeout.
   */
  soarConfig(overrides: Partial<SoarConfig> = {}): SoarConfig {
    const key = this.state.apiKeys[0] ?? { id: DEFAULT_API_KEY.id, secret: DEFAULT_API_KEY.secret };
    const auth: SoarAuth = { kind: 'api_key', api_key_id: key.id, api_key_secret: key.secret };
    const org = this.state.orgs.get(this.orgId);
    return {
      host: '127.0.0.1',
      port: this.port,
      org: typeof org?.['name'] === 'string' ? org['name'] : 'Test Organization',
      auth,
      tls: { verify: true, cafile: this.pki.caCert },
      resource_prefix: this.resourcePrefix,
      timeout_ms: 5000,
      retry: { retries: 2, backoff_ms: 10, max_backoff_ms: 50 },
      proxy: null,
      ...overrides,
    };
  }

  /** Email/password auth of the first user (default admin@example.com / Passw0rd!). */
  passwordAuth(): SoarAuth {
    const u = this.state.users[0] ?? { email: DEFAULT_USER.email, password: DEFAULT_USER.password };
    return { kind: 'password', email: u.email, password: u.password };
  }

  /** Recorded requests matching a method and a path substring/pattern. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => matchesFault({ method, path }, r.method, r.path));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Ends every password session now. */
  expireSessions(): number {
    return this.state.expireSessions();
  }

  async stop(): Promise<void> {
    await this.workflows.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private send(res: ServerResponse, reply: Reply): void {
    const payload = reply.bytes ?? Buffer.from(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
    const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', ...reply.headers };
    headers['Content-Length'] = String(payload.length);
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const u = new URL(req.url ?? '/', 'https://127.0.0.1');
    let path = u.pathname;
    const prefixed = this.resourcePrefix === '' || path === this.resourcePrefix || path.startsWith(`${this.resourcePrefix}/`);
    if (this.resourcePrefix !== '' && prefixed) path = path.slice(this.resourcePrefix.length) || '/';
    const headerStr = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const rec: RecordedRequest = {
      seq: ++this.seq,
      at: Date.now(),
      method,
      path,
      query: Object.fromEntries(u.searchParams),
      contextToken: headerStr('x-co3contexttoken') ?? null,
      auth: /^basic /i.test(headerStr('authorization') ?? '') ? 'basic' : /JSESSIONID=/.test(headerStr('cookie') ?? '') ? 'session' : 'none',
      sessId: headerStr('x-sess-id') !== undefined,
      body: undefined,
    };
    this.requests.push(rec);

    if (this.faults.take('drop', method, path)) {
      rec.fault = 'drop';
      req.socket.destroy();
      return;
    }
    const bytes = await this.readBody(req);
    const contentType = headerStr('content-type') ?? '';
    let file: UploadedFile | undefined;
    let raw = '';
    if (/^multipart\/form-data/i.test(contentType)) {
      const parsed = parseMultipartFile(bytes, contentType);
      if (!parsed) return this.reply(res, rec, soarError(400, 'The multipart body has no file part'));
      file = parsed;
    } else {
      raw = bytes.toString('utf8');
    }
    let body: JsonValue | undefined;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw) as JsonValue;
      } catch {
        rec.body = raw;
        return this.reply(res, rec, soarError(400, 'The request body is not valid JSON'));
      }
    }
    rec.body = body;

    const delay = this.faults.take('delay', method, path);
    if (delay) {
      rec.fault = 'delay';
      await new Promise((r) => setTimeout(r, delay.ms ?? 0));
      if (res.destroyed || req.socket.destroyed) return;
    }
    const fail = this.faults.take('fail', method, path);
    if (fail) {
      rec.fault = 'fail';
      return this.reply(res, rec, soarError(fail.status ?? 503, fail.message ?? `Injected fault: HTTP ${fail.status ?? 503}`));
    }
    if (method === 'PUT' && this.faults.take('conflict', method, path)) {
      rec.fault = 'conflict';
      return this.reply(res, rec, soarError(409, 'Injected fault: the object was changed by someone else'));
    }
    if (!prefixed) return this.reply(res, rec, soarError(404, `No such endpoint: ${method} ${u.pathname}`));

    const rreq: RouteRequest = { method, path, query: u.searchParams, body, headers: req.headers, ...(file ? { file } : {}) };
    this.reply(res, rec, route(this.state, rreq));
  }

  private reply(res: ServerResponse, rec: RecordedRequest, reply: Reply): void {
    rec.status = reply.status;
    this.send(res, reply);
  }
}
