/**
 * "Sent by my brand": the distribution table (`clearing_distribution`) of the brand's own
 * incidents, newest first: per target brand whether it is shared read-only or distributed as a
 * copy, and the status the clearing node wrote back. Read live from the brand's SOAR with the
 * node's SoarClient for that brand (the user never talks to SOAR through the node).
 */
import { readDistributionRows, type DistributionRow } from '../../clearing/distribution-table.js';
import type { Incident } from '../../soar/dto.js';
import type { WebContext } from '../ui-kit/context.js';
import { html, type SafeHtml } from '../ui-kit/html.js';
import { htmlResponse } from '../ui-kit/respond.js';
import { jsonAnswer, type HttpAnswer } from '../../http/answer.js';
import type { WebRequest } from '../ui-kit/route.js';
import { clipped, formatDate } from './format.js';
import { layout } from '../ui-kit/layout.js';

const PER_PAGE = 20;

interface SentIncident {
  readonly incident_id: number;
  readonly name: string;
  readonly create_date: number | null;
  readonly rows: DistributionRow[];
}

async function loadSent(ctx: WebContext, brand: string, page: number, signal: AbortSignal): Promise<{ total: number; items: SentIncident[] }> {
  const soar = ctx.network.soarOf(brand);
  const answer = await soar.queryIncidentsPaged(
    { filters: [], sorts: [{ field_name: 'create_date', type: 'desc' }, { field_name: 'id', type: 'desc' }], start: (page - 1) * PER_PAGE, length: PER_PAGE },
    { signal },
  );
  const items = await Promise.all(answer.data.map(async (inc: Incident) => ({
    incident_id: inc.id,
    name: typeof inc.name === 'string' ? inc.name : `Incident ${inc.id}`,
    create_date: typeof inc.create_date === 'number' ? inc.create_date : null,
    rows: await readDistributionRows(soar, inc.id, signal),
  })));
  return { total: answer.recordsFiltered, items };
}

function rowsTable(items: readonly SentIncident[]): SafeHtml {
  const withRows = items.filter((i) => i.rows.length > 0);
  if (withRows.length === 0) return html`<p class="empty">None of these incidents has a distribution table row.</p>`;
  return html`<div class="table-wrap"><table><caption>Distribution of my brand's incidents</caption>
<thead><tr><th scope="col">Incident</th><th scope="col">To brand</th><th scope="col">Shared read-only</th><th scope="col">Distribute copy</th><th scope="col">Status</th><th scope="col">Remote incident</th><th scope="col">Last update</th><th scope="col">Message</th></tr></thead>
<tbody>${withRows.flatMap((i) => i.rows.map((r) => html`<tr><td data-label="Incident" class="long">${i.incident_id}: ${clipped(i.name)}</td><td data-label="To brand"><span class="badge">${r.brand}</span></td>
<td data-label="Shared read-only">${r.readOnly ? 'yes' : 'no'}</td><td data-label="Distribute copy">${r.distribute ? 'yes' : 'no'}</td>
<td data-label="Status"><span class="status status-${(r.status ?? 'none').toLowerCase()}">${r.status ?? '—'}</span></td><td data-label="Remote incident">${r.remoteIncidentId ?? ''}</td>
<td data-label="Last update" class="date">${formatDate(r.lastUpdate ?? undefined)}</td><td data-label="Message" class="long">${clipped(r.message ?? '')}</td></tr>`))}</tbody></table></div>`;
}

export async function sentPage(ctx: WebContext, req: WebRequest): Promise<HttpAnswer> {
  const brand = req.session!.user.brand;
  const n = Number(req.query.get('page'));
  const page = Number.isSafeInteger(n) && n >= 1 && n <= 500 ? n : 1;
  const { total, items } = await loadSent(ctx, brand, page, req.signal);
  if (req.wantsJson) return jsonAnswer(200, { brand, page, per_page: PER_PAGE, total, items });
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const body = html`<h1>Sent by my brand <span class="muted">(${brand})</span></h1>
<p>Outgoing shares and copies of ${brand}'s incidents, as the distribution table in SOAR holds them (newest incidents first, ${PER_PAGE} a page).</p>
${rowsTable(items)}
${pages > 1 ? html`<nav class="pager" aria-label="Pages"><span>Page ${page} of ${pages}</span>${page > 1 ? html`<a href="/ui/sent?page=${page - 1}" rel="prev">Previous</a>` : ''}${page < pages ? html`<a href="/ui/sent?page=${page + 1}" rel="next">Next</a>` : ''}</nav>` : ''}`;
  return htmlResponse(200, layout({ title: 'Sent by my brand', session: req.session, section: 'sent', body }));
}
