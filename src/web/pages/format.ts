/** How values of SOAR objects are shown: dates, field values, HTML note text as plain text. */
import type { JsonValue } from '../../types.js';
import { decodeEntities } from '../../escape-html.js';

/** SOAR dates are epoch milliseconds; shown in UTC, to the minute. */
export function formatDate(v: JsonValue | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '';
  return `${new Date(v).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function isDateField(name: string): boolean {
  return /(_date|_time|^created|^last_update)$/.test(name);
}

/** A field's value as text: dates formatted, handles by name, lists joined, objects as JSON. */
export function formatValue(name: string, v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && isDateField(name)) return formatDate(v);
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
