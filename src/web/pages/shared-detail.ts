/**
 * One shared incident: its whitelisted fields, notes, artifacts, attachments and tasks as the
 * owner's node sent them (live, through sharedIncident), under a banner naming the origin and
 * what the whitelist withheld. Attachment bytes are downloaded through this node (never shown
 * inline). Not shared, missing, or not a valid id: one and the same 404.
 */
import { sharedIncident } from '../../clearing/shared-client.js';
import type { SharedIncidentDetail } from '../../clearing/contracts/shared-view.js';
import { sharedNotFound } from '../../clearing/shared-view.js';
import type { JsonObject } from '../../core/types.js';
import type { WebContext } from '../ui-kit/context.js';
import { html, type SafeHtml } from '../ui-kit/html.js';
import { errorResponse, htmlResponse } from '../ui-kit/respond.js';
import { jsonAnswer, type HttpAnswer } from '../../http/answer.js';
import type { WebRequest } from '../ui-kit/route.js';
import { cutText } from '../../core/text.js';
import { CLIP_LENGTH, clipped, fieldLabel, formatBytes, formatDate, formatValue } from './format.js';
import { layout } from '../ui-kit/layout.js';

const ID = /^[1-9][0-9]{0,14}$/;

async function load(ctx: WebContext, req: WebRequest): Promise<SharedIncidentDetail> {
  const { owner, id } = req.params as { owner: string; id: string };
  if (!ID.test(id)) throw sharedNotFound();
  return sharedIncident(ctx.network, req.session!.user.brand, owner, Number(id), { signal: req.signal });
}

function fieldsTable(incident: JsonObject): SafeHtml {
  const { properties, ...fields } = incident;
  const rows = [
    ...Object.entries(fields).map(([k, v]) => [fieldLabel(k), formatValue(k, v)] as const),
    ...Object.entries(typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? properties : {}).map(([k, v]) => [fieldLabel(k), formatValue(k, v)] as const),
  ];
  return html`<dl class="fields">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${clipped(v, FIELD_LENGTH)}</dd></div>`)}</dl>`;
}

function childTable(caption: string, items: readonly JsonObject[], columns: readonly string[], extra?: (item: JsonObject) => SafeHtml): SafeHtml {
  if (items.length === 0) return html`<p class="empty">None shared.</p>`;
  return html`<div class="table-wrap"><table><caption class="sr-only">${caption}</caption><thead><tr>${columns.map((c) => html`<th scope="col">${fieldLabel(c)}</th>`)}${extra ? html`<th scope="col">Download</th>` : ''}</tr></thead>
<tbody>${items.map((it) => html`<tr>${columns.map((c) => html`<td data-label="${fieldLabel(c)}" class="long">${c === 'size' ? formatBytes(it[c]) : clipped(formatValue(c, it[c]))}</td>`)}${extra ? html`<td>${extra(it)}</td>` : ''}</tr>`)}</tbody></table></div>`;
}

function columnsOf(items: readonly JsonObject[], preferred: readonly string[]): string[] {
  const present = new Set(items.flatMap((i) => Object.keys(i)));
  return [...preferred.filter((c) => present.has(c)), ...[...present].filter((c) => !preferred.includes(c) && c !== 'content' && c !== 'id' && c !== 'truncated').sort()];
}

/** Longest field value and note shown whole; longer ones open with a click. */
const FIELD_LENGTH = 300;
const NOTE_LENGTH = 4000;

function banner(d: SharedIncidentDetail): SafeHtml {
  const withheld = Object.entries(d.dropped).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`);
  return html`<div class="banner" role="note" aria-label="Origin and classification">
<p><strong>Shared by brand ${d.owner_brand}</strong> (clearing node ${d.owner_node}), incident ${d.incident_id}. Read-only.</p>
<p>Classification: <strong>shared, whitelist-filtered</strong> — only what ${d.owner_brand}'s whitelist lets leave is shown${withheld.length ? `; withheld: ${withheld.join(', ')}` : ''}. Do not redistribute.</p></div>`;
}

function attachmentHref(d: SharedIncidentDetail, a: JsonObject): string {
  return `/ui/shared/${encodeURIComponent(d.owner_brand)}/${d.incident_id}/attachments/${String(a['id'] ?? '')}`;
}

export async function sharedDetailPage(ctx: WebContext, req: WebRequest): Promise<HttpAnswer> {
  const d = await load(ctx, req);
  if (req.wantsJson) return jsonAnswer(200, { ...d, attachments: d.attachments.map(({ content, ...a }) => ({ ...a, downloadable: typeof content === 'string' })) });
  // The heading shows the name cut; the Fields section has it whole.
  const name = cutText(formatValue('name', d.incident['name']), CLIP_LENGTH) || `Incident ${d.incident_id}`;
  const body = html`<p><a href="/ui/shared">← All shared incidents</a></p>
${banner(d)}
<h1>${name}</h1>
<section aria-labelledby="h-fields"><h2 id="h-fields">Fields</h2>${fieldsTable(d.incident)}</section>
<section aria-labelledby="h-notes"><h2 id="h-notes">Notes (${d.notes.length})</h2>
${d.notes.length ? html`<ol class="notes">${d.notes.map((n) => html`<li><p class="meta">${formatDate(n['create_date'])}</p><div class="text">${clipped(formatValue('text', n['text']), NOTE_LENGTH)}</div></li>`)}</ol>` : html`<p class="empty">None shared.</p>`}</section>
<section aria-labelledby="h-artifacts"><h2 id="h-artifacts">Artifacts (${d.artifacts.length})</h2>${childTable('Artifacts', d.artifacts, columnsOf(d.artifacts, ['type', 'value', 'description']))}</section>
<section aria-labelledby="h-attachments"><h2 id="h-attachments">Attachments (${d.attachments.length})</h2>${childTable('Attachments', d.attachments, columnsOf(d.attachments, ['name', 'content_type', 'size', 'created']), (a) =>
    typeof a['content'] === 'string' ? html`<a href="${attachmentHref(d, a)}" download>Download</a>` : html`<span class="muted">content not shared</span>`)}</section>
${d.tasks.length ? html`<section aria-labelledby="h-tasks"><h2 id="h-tasks">Tasks (${d.tasks.length})</h2>${childTable('Tasks', d.tasks, columnsOf(d.tasks, ['name', 'status', 'due_date']))}</section>` : ''}`;
  return htmlResponse(200, layout({ title: name, session: req.session, section: 'shared', body }));
}

/** An attachment's bytes, as a download (never rendered by the browser). */
export async function attachmentDownload(ctx: WebContext, req: WebRequest): Promise<HttpAnswer> {
  const d = await load(ctx, req);
  const a = d.attachments.find((x) => String(x['id']) === req.params['aid']);
  if (!a || typeof a['content'] !== 'string') return errorResponse(req, 404, 'not_found', 'No such attachment content is shared with your brand.');
  const name = String(a['name'] ?? 'attachment').replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 200) || 'attachment';
  return {
    status: 200,
    contentType: 'application/octet-stream',
    body: Buffer.from(a['content'], 'base64'),
    headers: { 'Content-Disposition': `attachment; filename="${name}"` },
  };
}
