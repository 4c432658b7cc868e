/**
 * "Network": each peer's reachability, version and round-trip time (its health endpoint, asked
 * now, in parallel), and this node's own health: its brands and whether their SOARs answer.
 */
import { performance } from 'node:perf_hooks';
import { peerHealth } from '../../clearing/contracts/health.js';
import { ClearingError } from '../../core/errors.js';
import { PACKAGE_VERSION } from '../../core/version.js';
import type { WebContext } from '../ui-kit/context.js';
import { html } from '../ui-kit/html.js';
import { htmlResponse } from '../ui-kit/respond.js';
import { jsonAnswer, type HttpAnswer } from '../../http/answer.js';
import type { WebRequest } from '../ui-kit/route.js';
import { layout } from '../ui-kit/layout.js';

/** A peer as analysts see it: its id and brands, never its URL (where the nodes listen is for admins, in the config). */
interface PeerStatus {
  readonly node: string;
  readonly brands: readonly string[];
  readonly reachable: boolean;
  readonly version: string | null;
  readonly latency_ms: number | null;
  readonly error: string | null;
}

interface BrandStatus {
  readonly brand: string;
  readonly soar_ok: boolean;
  readonly latency_ms: number | null;
  readonly error: string | null;
}

async function loadNetwork(ctx: WebContext, signal: AbortSignal) {
  const peers = await Promise.all(ctx.network.peerClients.map(async (client): Promise<PeerStatus> => {
    const base = { node: client.peer.id, brands: client.peer.brands };
    try {
      const h = await peerHealth(client, { signal });
      return { ...base, reachable: true, version: h.version, latency_ms: Math.round(h.latencyMs * 10) / 10, error: null };
    } catch (err) {
      return { ...base, reachable: false, version: null, latency_ms: null, error: ClearingError.from(err).message };
    }
  }));
  const brands = await Promise.all(ctx.config.brands.map(async (b): Promise<BrandStatus> => {
    const started = performance.now();
    try {
      await ctx.network.soarOf(b.id).get('', { signal, skipRetry: true });
      return { brand: b.id, soar_ok: true, latency_ms: Math.round((performance.now() - started) * 10) / 10, error: null };
    } catch (err) {
      return { brand: b.id, soar_ok: false, latency_ms: null, error: ClearingError.from(err).message };
    }
  }));
  const self = { node: ctx.config.node.id, version: PACKAGE_VERSION, web_uptime_s: Math.round((ctx.now() - ctx.startedAt) / 1000), brands };
  return { self, peers };
}

export async function networkPage(ctx: WebContext, req: WebRequest): Promise<HttpAnswer> {
  const data = await loadNetwork(ctx, req.signal);
  if (req.wantsJson) return jsonAnswer(200, data);
  const { self, peers } = data;
  const body = html`<h1>Network</h1>
<section aria-labelledby="h-self"><h2 id="h-self">This node: ${self.node}</h2>
<p>Version ${self.version}, web UI up ${self.web_uptime_s} s.</p>
<div class="table-wrap"><table><caption>This node's brands</caption><thead><tr><th scope="col">Brand</th><th scope="col">SOAR</th><th scope="col">Latency</th></tr></thead>
<tbody>${self.brands.map((b) => html`<tr><td data-label="Brand">${b.brand}</td><td data-label="SOAR"><span class="${b.soar_ok ? 'ok' : 'down'}">${b.soar_ok ? 'reachable' : `down: ${b.error ?? ''}`}</span></td><td data-label="Latency">${b.latency_ms === null ? '' : `${b.latency_ms} ms`}</td></tr>`)}</tbody></table></div></section>
<section aria-labelledby="h-peers"><h2 id="h-peers">Peers</h2>
${peers.length === 0 ? html`<p class="empty">No peers configured.</p>` : html`<div class="table-wrap"><table><caption>Peer nodes</caption><thead><tr><th scope="col">Node</th><th scope="col">Brands</th><th scope="col">Status</th><th scope="col">Version</th><th scope="col">Latency</th></tr></thead>
<tbody>${peers.map((p) => html`<tr><td data-label="Node">${p.node}</td><td data-label="Brands">${p.brands.join(', ')}</td>
<td data-label="Status"><span class="${p.reachable ? 'ok' : 'down'}">${p.reachable ? 'reachable' : `down: ${p.error ?? ''}`}</span></td><td data-label="Version">${p.version ?? ''}</td><td data-label="Latency">${p.latency_ms === null ? '' : `${p.latency_ms} ms`}</td></tr>`)}</tbody></table></div>`}</section>`;
  return htmlResponse(200, layout({ title: 'Network', session: req.session, section: 'network', body }));
}
