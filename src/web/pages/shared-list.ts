/**
 * "Shared with my brand": the incidents every peer (and this node's other brands) share with
 * the user's brand, read live through sharedWithMyBrand. The default view (newest first, no
 * filter) is paged by the sources themselves; sorting or filtering is done here over the newest
 * SCAN_LIMIT incidents (said on the page when there are more).
 */
import { MAX_WINDOW, sharedWindow, sharedWithMyBrand, type SharedWithMyBrand, type SourceStatus } from '../../clearing/shared-client.js';
import type { SharedIncidentSummary } from '../../clearing/contracts/shared-view.js';
import type { WebContext } from '../ui-kit/context.js';
import { html, type SafeHtml } from '../ui-kit/html.js';
import { htmlResponse } from '../ui-kit/respond.js';
import { jsonAnswer, type HttpAnswer } from '../../http/answer.js';
import type { WebRequest } from '../ui-kit/route.js';
import { cutText } from '../../core/text.js';
import { formatDate, formatValue } from './format.js';
import { layout } from '../ui-kit/layout.js';
import { sourcesNotice } from './sources.js';

const SCAN_LIMIT = 1000;
const PER_PAGE_CHOICES = [10, 25, 50, 100] as const;
const SORTS = { newest: 'Newest first', oldest: 'Oldest first', name: 'Name', severity: 'Severity (highest first)', origin: 'Origin brand' } as const;
type Sort = keyof typeof SORTS;
const SEVERITY_RANK: Readonly<Record<string, number>> = { high: 3, medium: 2, low: 1 };
/** A name in the list is cut to this; the incident's page (one click) shows it whole. */
const NAME_LENGTH = 120;

export interface ListQuery {
  readonly q: string;
  readonly origin: string;
  readonly severity: string;
  readonly sort: Sort;
  readonly page: number;
  readonly perPage: number;
}

/** The list's query parameters, lenient: anything unknown falls back to its default. */
export function parseListQuery(query: URLSearchParams): ListQuery {
  const int = (name: string, dflt: number): number => {
    const v = Number(query.get(name));
    return Number.isSafeInteger(v) && v >= 1 ? v : dflt;
  };
  const sort = query.get('sort') ?? 'newest';
  const asked = int('per_page', 25);
  const perPage = (PER_PAGE_CHOICES as readonly number[]).includes(asked) ? asked : 25;
  return {
    q: (query.get('q') ?? '').trim().slice(0, 200),
    origin: (query.get('origin') ?? '').trim(),
    severity: (query.get('severity') ?? '').trim().toLowerCase(),
    sort: Object.hasOwn(SORTS, sort) ? (sort as Sort) : 'newest',
    // The sources page at most MAX_WINDOW incidents deep.
    page: Math.min(int('page', 1), Math.floor(MAX_WINDOW / perPage)),
    perPage,
  };
}

function severityOf(item: SharedIncidentSummary): string {
  return formatValue('severity_code', item.incident['severity_code']);
}

function compare(sort: Sort): (a: SharedIncidentSummary, b: SharedIncidentSummary) => number {
  const created = (i: SharedIncidentSummary): number => (typeof i.incident['create_date'] === 'number' ? i.incident['create_date'] : 0);
  switch (sort) {
    case 'oldest':
      return (a, b) => created(a) - created(b);
    case 'name':
      return (a, b) => String(a.incident['name'] ?? '').localeCompare(String(b.incident['name'] ?? ''));
    case 'severity':
      return (a, b) => (SEVERITY_RANK[severityOf(b).toLowerCase()] ?? 0) - (SEVERITY_RANK[severityOf(a).toLowerCase()] ?? 0) || created(b) - created(a);
    case 'origin':
      return (a, b) => a.owner_brand.localeCompare(b.owner_brand) || created(b) - created(a);
    default:
      return (a, b) => created(b) - created(a);
  }
}

interface ListResult {
  readonly total: number;
  readonly items: SharedIncidentSummary[];
  readonly sources: SourceStatus[];
  /** Sorted or filtered over at most SCAN_LIMIT incidents, and there were more. */
  readonly truncated: boolean;
}

/** Every source's newest SCAN_LIMIT incidents, merged newest first, each source read once. */
async function scan(ctx: WebContext, brand: string, signal: AbortSignal): Promise<SharedWithMyBrand & { truncated: boolean }> {
  const window = await sharedWindow(ctx.network, brand, SCAN_LIMIT, { signal });
  return { ...window, truncated: window.total > window.items.length };
}

async function loadList(ctx: WebContext, brand: string, q: ListQuery, signal: AbortSignal): Promise<ListResult> {
  const plain = q.sort === 'newest' && !q.q && !q.origin && !q.severity;
  if (plain) {
    const answer = await sharedWithMyBrand(ctx.network, brand, { page: q.page, perPage: q.perPage }, { signal });
    return { total: answer.total, items: answer.items, sources: answer.sources, truncated: false };
  }
  const all = await scan(ctx, brand, signal);
  const needle = q.q.toLowerCase();
  const kept = all.items
    .filter((i) => !needle || String(i.incident['name'] ?? '').toLowerCase().includes(needle))
    .filter((i) => !q.origin || i.owner_brand === q.origin)
    .filter((i) => !q.severity || severityOf(i).toLowerCase() === q.severity)
    .sort(compare(q.sort));
  return { total: kept.length, items: kept.slice((q.page - 1) * q.perPage, q.page * q.perPage), sources: all.sources, truncated: all.truncated };
}

function detailHref(item: { owner_brand: string; incident_id: number }): string {
  return `/ui/shared/${encodeURIComponent(item.owner_brand)}/${item.incident_id}`;
}

function pageHref(q: ListQuery, page: number): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.origin) p.set('origin', q.origin);
  if (q.severity) p.set('severity', q.severity);
  if (q.sort !== 'newest') p.set('sort', q.sort);
  if (q.perPage !== 25) p.set('per_page', String(q.perPage));
  p.set('page', String(page));
  return `/ui/shared?${p.toString()}`;
}

function option(value: string, label: string, current: string): SafeHtml {
  return html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
}

function filterForm(ctx: WebContext, brand: string, q: ListQuery): SafeHtml {
  const origins = ctx.network.brands.filter((b) => b !== brand);
  return html`<form method="get" action="/ui/shared" class="filters" role="search" aria-label="Filter and sort">
<div><label for="q">Name contains</label><input id="q" name="q" type="search" value="${q.q}"></div>
<div><label for="origin">Origin brand</label><select id="origin" name="origin">${option('', 'All', q.origin)}${origins.map((b) => option(b, b, q.origin))}</select></div>
<div><label for="severity">Severity</label><select id="severity" name="severity">${option('', 'All', q.severity)}${['high', 'medium', 'low'].map((s) => option(s, s[0]!.toUpperCase() + s.slice(1), q.severity))}</select></div>
<div><label for="sort">Sort</label><select id="sort" name="sort">${Object.entries(SORTS).map(([k, v]) => option(k, v, q.sort))}</select></div>
<div><label for="per_page">Per page</label><select id="per_page" name="per_page">${PER_PAGE_CHOICES.map((n) => option(String(n), String(n), String(q.perPage)))}</select></div>
<div><button type="submit">Apply</button></div></form>`;
}

function table(items: readonly SharedIncidentSummary[]): SafeHtml {
  if (items.length === 0) return html`<p class="empty">No incident is shared with your brand for this view.</p>`;
  return html`<div class="table-wrap"><table class="incidents"><caption>Incidents shared with my brand</caption>
<thead><tr><th scope="col">Origin</th><th scope="col">Name</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Discovered</th></tr></thead>
<tbody>${items.map((i) => html`<tr><td data-label="Origin"><span class="badge">${i.owner_brand}</span></td>
<td data-label="Name" class="long"><a href="${detailHref(i)}">${cutText(formatValue('name', i.incident['name']), NAME_LENGTH) || `Incident ${i.incident_id}`}</a></td>
<td data-label="Severity">${severityOf(i)}</td><td data-label="Status">${formatValue('plan_status', i.incident['plan_status'])}</td><td data-label="Created" class="date">${formatDate(i.incident['create_date'])}</td>
<td data-label="Discovered" class="date">${formatDate(i.incident['discovered_date'])}</td></tr>`)}</tbody></table></div>`;
}

function pager(q: ListQuery, total: number): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / q.perPage));
  if (pages <= 1) return html``;
  return html`<nav class="pager" aria-label="Pages"><span>Page ${q.page} of ${pages}</span>
${q.page > 1 ? html`<a href="${pageHref(q, q.page - 1)}" rel="prev">Previous</a>` : ''}
${q.page < pages ? html`<a href="${pageHref(q, q.page + 1)}" rel="next">Next</a>` : ''}</nav>`;
}

/** The JSON twin's form of one item. */
function itemJson(i: SharedIncidentSummary): Record<string, unknown> {
  return {
    owner_brand: i.owner_brand,
    owner_node: i.owner_node,
    incident_id: i.incident_id,
    name: i.incident['name'] ?? null,
    severity: severityOf(i) || null,
    plan_status: i.incident['plan_status'] ?? null,
    create_date: i.incident['create_date'] ?? null,
    discovered_date: i.incident['discovered_date'] ?? null,
    incident: i.incident,
  };
}

export async function sharedListPage(ctx: WebContext, req: WebRequest): Promise<HttpAnswer> {
  const brand = req.session!.user.brand;
  const q = parseListQuery(req.query);
  const result = await loadList(ctx, brand, q, req.signal);
  if (req.wantsJson) {
    return jsonAnswer(200, { brand, page: q.page, per_page: q.perPage, sort: q.sort, total: result.total, truncated: result.truncated, items: result.items.map(itemJson), sources: result.sources });
  }
  const body = html`<h1>Shared with my brand <span class="muted">(${brand})</span></h1>
${sourcesNotice(result.sources)}
${filterForm(ctx, brand, q)}
<p class="count" role="status">${result.total} incident${result.total === 1 ? '' : 's'}${result.truncated ? ` (sorted and filtered among the newest ${SCAN_LIMIT})` : ''}</p>
${table(result.items)}
${pager(q, result.total)}`;
  return htmlResponse(200, layout({ title: 'Shared with my brand', session: req.session, section: 'shared', body }));
}
