/**
 * `soar-clearing health`: asks the running node's admin listener whether it is ready (/readyz)
 * or, with --live, alive (/healthz). For a container HEALTHCHECK and scripts: exit 0 ready
 * (alive), 1 not ready or no answer, 2 when the config has no admin: section.
 */
import http from 'node:http';
import type { AppConfig } from '../config/types.js';
import { ClearingError, ErrorCode } from '../core/errors.js';
import { isRecord } from '../core/json.js';
import { ADMIN_PATHS, adminUrl } from '../http/admin-server.js';

export interface HealthOptions {
  readonly live: boolean;
  readonly json: boolean;
  readonly timeoutMs: number;
}

/** Where to reach a listener bound to `host`: a wildcard address is reached on loopback. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function get(host: string, port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function healthCommand(config: AppConfig, opts: HealthOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!config.admin) {
    throw new ClearingError(ErrorCode.Usage, `the configuration (${config.source}) has no admin: section, so the node serves no health endpoint; add e.g. admin: { listen: { host: 127.0.0.1, port: 8445 } }`);
  }
  const host = reachableHost(config.admin.listen.host);
  const { port } = config.admin.listen;
  const path = opts.live ? ADMIN_PATHS.live : ADMIN_PATHS.ready;
  const url = adminUrl(host, port, path);
  let answer: { status: number; body: string };
  try {
    answer = await get(host, port, path, opts.timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ECONNREFUSED' ? 'connection refused (is `soar-clearing run` running with this configuration?)' : (err as Error).message;
    if (opts.json) out.write(`${JSON.stringify({ ok: false, url, error: why })}\n`);
    else out.write(`${url}: ${why}\n`);
    return 1;
  }
  const ok = answer.status === 200;
  if (opts.json) {
    out.write(answer.body.endsWith('\n') ? answer.body : `${answer.body}\n`);
    return ok ? 0 : 1;
  }
  let body: unknown = null;
  try {
    body = JSON.parse(answer.body) as unknown;
  } catch {
    // reported below with the status
  }
  const data = isRecord(body) ? body : {};
  const node = typeof data['node'] === 'string' ? `node ${data['node']}` : url;
  const lines = [
    `${node}: ${ok ? (opts.live ? 'alive' : 'ready') : `${opts.live ? 'not alive' : 'not ready'} (HTTP ${answer.status})`}`,
    ...strings(data['problems']).map((p) => `  problem: ${p}`),
    ...strings(data['warnings']).map((w) => `  warning: ${w}`),
  ];
  out.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}
