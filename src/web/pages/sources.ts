/** The status of the sources a page was gathered from: a peer that failed is said plainly. */
import type { SourceStatus } from '../../clearing/shared-client.js';
import { html, type SafeHtml } from '../ui-kit/html.js';

export function sourcesNotice(sources: readonly SourceStatus[]): SafeHtml {
  const failed = sources.filter((s) => !s.ok);
  const partial = sources.filter((s) => s.ok && s.unavailable?.length);
  return html`${failed.length || partial.length
    ? html`<div class="alert" role="alert"><p><strong>Some sources did not answer; what they share is missing below.</strong></p><ul>
      ${failed.map((s) => html`<li>${s.local ? 'This node' : html`Peer node <strong>${s.node}</strong>`} is down or unreachable (${s.code ?? 'error'}): ${s.error ?? ''}</li>`)}
      ${partial.flatMap((s) => (s.unavailable ?? []).map((u) => html`<li>Brand <strong>${u.brand}</strong> on node ${s.node}: ${u.message}</li>`))}
      </ul></div>`
    : ''}
  <p class="sources">Sources: ${sources.map((s, i) => html`${i ? ', ' : ''}<span class="${s.ok ? 'ok' : 'down'}">${s.local ? `this node (${s.node})` : s.node} ${s.ok ? `ok, ${s.latencyMs} ms` : 'down'}</span>`)}${sources.length ? '' : 'none (no peers configured)'}</p>`;
}
