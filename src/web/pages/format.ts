/** How values of SOAR objects are shown: dates, field values, HTML note text as plain text, long text clipped. */
import type { JsonValue } from '../../core/types.js';
import { decodeEntities } from '../../core/escape-html.js';
import { html, type SafeHtml } from '../ui-kit/html.js';
import { cutText } from '../../core/text.js';

/** SOAR dates are epoch milliseconds; shown in UTC, to the minute. */
export function formatDate(v: JsonValue | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '';
  return `${new Date(v).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function isDateField(name: string): boolean {
  return /(_date|_time|^created|^last_update)$/.test(name);
}

/** Fields SOAR keeps as HTML (rich text): shown as their text, like notes. */
const HTML_FIELDS: ReadonlySet<string> = new Set(['description', 'text', 'instructions']);

/** A field's value as text: dates formatted, HTML as its text, handles by name, lists joined, objects as JSON. */
export function formatValue(name: string, v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && isDateField(name)) return formatDate(v);
  if (typeof v === 'string' && HTML_FIELDS.has(name)) return htmlToText(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map((x) => formatValue('', x)).join(', ');
  if (typeof v['name'] === 'string') return v['name'];
  if (typeof v['content'] === 'string') return htmlToText(v['content']);
  return JSON.stringify(v);
}

/**
 * SOAR keeps note text as HTML: shown here as its text (tags dropped, the common entities
 * read). The result is text and is escaped again when rendered, so nothing of it is markup.
 */
export function htmlToText(markup: string): string {
  return decodeEntities(markup.replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, '\n').replace(/<[^>]*>/g, '')).trim();
}

/** A byte count as "12.3 KiB". */
export function formatBytes(n: JsonValue | undefined): string {
  if (typeof n !== 'number') return '';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Human words for a field's API name: `discovered_date` -> "Discovered date". */
export function fieldLabel(name: string): string {
  const words = name.replace(/_ids?$/, '').replace(/_code$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Longest text a cell or a heading shows whole. */
export const CLIP_LENGTH = 200;

/**
 * Text for a cell: whole when short; else its start, with the whole text one click away
 * (a `<details>`: no script needed), so one long value cannot flood the page.
 */
export function clipped(text: string, limit = CLIP_LENGTH): SafeHtml {
  if (text.length <= limit) return html`${text}`;
  return html`<details class="clip"><summary>${cutText(text, limit)} <span class="more">(show all ${text.length.toLocaleString('en-US')} characters)</span></summary><div class="full">${text}</div></details>`;
}
