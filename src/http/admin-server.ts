/**
 * The admin listener (config `admin:`): plain HTTP on its own port, loopback by default, no
 * authentication (it tells state, never a secret or a payload):
 *   GET /healthz  200 while the process answers (liveness), with the certificate warnings;
 *   GET /readyz   200 when every brand's SOAR and broker are connected and every peer answers,
 *                 else 503; the JSON body says what is not ready;
 *   GET /metrics  the node's metrics in Prometheus' text format.
 * The node (app/node.ts) wires the handlers (app/health.ts); `soar-clearing health` asks it.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/types.js';
import { type HttpAnswer, errorBody, jsonAnswer, writeAnswer } from './answer.js';
import { PathRouter } from './router.js';
import { checkTarget } from './target.js';

/** What the listener asks the node. */
export interface AdminHandlers {
  live(): unknown;
  ready(): Promise<{ readonly ready: boolean }>;
  metrics(): Promise<{ readonly text: string; readonly contentType: string }>;
}

interface AdminRoute {
  readonly method: 'GET';
  readonly path: string;
  readonly answer: () => Promise<HttpAnswer>;
}

/** Paths of the listener, for the `health` command and the docs. */
export const ADMIN_PATHS = { live: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

/** The admin listener's URL for `path` (an IPv6 address in brackets). */
export function adminUrl(host: string, port: number, path: string): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export class AdminServer {
  private constructor(private readonly server: http.Server) {}

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  static async start(listen: ListenConfig, handlers: AdminHandlers, log: Logger): Promise<AdminServer> {
    const routes: AdminRoute[] = [
      { method: 'GET', path: ADMIN_PATHS.live, answer: async () => jsonAnswer(200, handlers.live()) },
      {
        method: 'GET', path: ADMIN_PATHS.ready, answer: async () => {
          const report = await handlers.ready();
          return jsonAnswer(report.ready ? 200 : 503, report);
        },
      },
      {
        method: 'GET', path: ADMIN_PATHS.metrics, answer: async () => {
          const m = await handlers.metrics();
          return { status: 200, contentType: m.contentType, body: m.text };
        },
      },
    ];
    const router = new PathRouter(routes);
    const server = http.createServer((req, res) => void handle(router, req, res, log));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new ClearingError(ErrorCode.ConfigInvalid,
        `admin listener: cannot listen on ${listen.host}:${listen.port} (${err.code === 'EADDRINUSE' ? 'the port is in use' : err.code ?? err.message}); see admin.listen`)));
      server.listen(listen.port, listen.host, () => resolve());
    });
    const self = new AdminServer(server);
    log.info(`admin listener on ${adminUrl(listen.host, self.port, '')} (${Object.values(ADMIN_PATHS).join(', ')})`);
    if (!LOOPBACK.test(listen.host)) log.warn(`the admin listener (${listen.host}) has no authentication: whoever reaches it reads the node's health and metrics`);
    return self;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function handle(router: PathRouter<AdminRoute>, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const head = req.method === 'HEAD';
  const target = checkTarget(req.url ?? '/');
  if (!target.ok) {
    writeAnswer(res, jsonAnswer(400, errorBody(ErrorCode.PathInvalid, target.reason)), {}, head);
    return;
  }
  const match = router.match(head ? 'GET' : req.method ?? 'GET', target.segments);
  if (match.route === null) {
    const answer = match.allowed.length > 0
      ? jsonAnswer(405, errorBody(ErrorCode.MethodNotAllowed, `use ${match.allowed.join(', ')}`), { Allow: [...match.allowed, 'HEAD'].join(', ') })
      : jsonAnswer(404, errorBody(ErrorCode.RouteUnknown, `no such path; try ${Object.values(ADMIN_PATHS).join(', ')}`));
    writeAnswer(res, answer, {}, head);
    return;
  }
  try {
    writeAnswer(res, await match.route.answer(), { 'Cache-Control': 'no-store' }, head);
  } catch (err) {
    const error = ClearingError.from(err);
    log.error(`admin listener: ${req.url} failed: ${error.message}`, { code: error.code });
    writeAnswer(res, jsonAnswer(500, errorBody(error.code, error.message)), {}, head);
  }
}
