/**
 * HTTPS through a corporate proxy, for SOAR's REST API and for peers: which proxy a URL goes
 * through (the environment's HTTPS_PROXY / https_proxy and NO_PROXY / no_proxy, read by
 * proxy-from-env, as curl and most tools read them), and an agent that opens a CONNECT tunnel
 * through it (https-proxy-agent) and runs TLS end to end with the server inside the tunnel: the
 * proxy sees neither the requests nor the certificates, and the server's certificate (and for
 * peers our client certificate) is checked exactly as without a proxy.
 *
 * axios's own proxy support is never used (the SOAR transport passes `proxy: false`): one
 * proxy rule for both clients, and the same agent.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type ConnectionOptions, type PeerCertificate, checkServerIdentity } from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { redactUrlPassword } from '../core/text.js';

/** Code of the error when the proxy answers the CONNECT with anything but 200. */
const TUNNEL_REFUSED = 'ERR_PROXY_TUNNEL_REFUSED';

/**
 * The proxy the environment names for `url` (HTTPS_PROXY, or ALL_PROXY; lower case first),
 * or null when none is set or NO_PROXY names the URL's host (exact, `.suffix`, `*.suffix`,
 * `host:port`, or `*` for every host). Throws when it is not an http:// or https:// URL.
 */
export function environmentProxyFor(url: string): string | null {
  const proxy = getProxyForUrl(url);
  if (proxy === '') return null;
  let scheme: string;
  try {
    scheme = new URL(proxy).protocol;
  } catch {
    throw new Error(`HTTPS_PROXY (or ALL_PROXY) is not a URL: ${redactUrlPassword(proxy)}`);
  }
  if (scheme !== 'http:' && scheme !== 'https:') {
    throw new Error(`the proxy ${redactUrlPassword(proxy)} from HTTPS_PROXY (or ALL_PROXY) is not http:// or https:// (SOCKS is not supported)`);
  }
  return proxy;
}

/** Pool settings of the agent (as an https.Agent's). */
export interface PoolOptions {
  readonly keepAlive: boolean;
  readonly maxSockets: number;
  readonly maxFreeSockets: number;
  readonly scheduling?: 'fifo' | 'lifo';
}

/**
 * An agent reaching HTTPS servers through a CONNECT tunnel of `proxy`. `originTls` are the TLS
 * settings with the server (CA, client certificate, checkServerIdentity, ...); they never apply
 * to the connection with the proxy itself. A refused tunnel (407, 403, 502 ...) fails the request
 * with the proxy's status in words; a failure to reach the proxy carries `proxy` (redacted).
 */
export class TunnelAgent extends HttpsProxyAgent<string> {
  /** The proxy, password hidden. */
  readonly proxyName: string;

  constructor(proxy: string, private readonly originTls: ConnectionOptions, pool: PoolOptions) {
    super(proxy, { ...pool });
    this.proxyName = redactUrlPassword(proxy);
  }

  override async connect(req: ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]): Promise<Socket> {
    let status = 0;
    const onConnect = (answer: IncomingMessage | { statusCode: number }): void => {
      status = answer.statusCode ?? 0;
    };
    req.once('proxyConnect', onConnect);
    let socket: Socket;
    try {
      // https-proxy-agent passes the TLS layer no host for an IP address (no SNI for those),
      // and Node then checks the certificate against "localhost": check the host asked for.
      const check = this.originTls.checkServerIdentity ?? checkServerIdentity;
      const host = opts.host ?? '';
      socket = await super.connect(req, { ...opts, ...this.originTls, checkServerIdentity: (_name: string, cert: PeerCertificate) => check(host, cert) } as typeof opts);
    } catch (err) {
      if (status === 0 && err instanceof Error) {
        // The proxy itself could not be reached: say so, keep the code for classification.
        err.message = `proxy ${this.proxyName}: ${err.message}`;
        Object.assign(err, { proxy: this.proxyName });
      }
      throw err;
    } finally {
      req.off('proxyConnect', onConnect);
    }
    if (status !== 200) {
      socket.destroy();
      throw Object.assign(new Error(`the proxy ${this.proxyName} refused the tunnel to ${opts.host}:${opts.port} (HTTP ${status})`), {
        code: TUNNEL_REFUSED,
        proxy: this.proxyName,
      });
    }
    return socket;
  }
}
