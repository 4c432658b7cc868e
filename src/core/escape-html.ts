/**
 * Text made safe for HTML (SOAR notes written by the node, every value the web UI renders), and
 * back: the common entities of markup read from SOAR or from a page.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** For a text node (the notes the node writes into SOAR hold no attributes): `& < >`. */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

/** For a text node or a quoted attribute value (the web UI's templates): `& < > " '` and the backquote. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** Undoes the common entities (`&amp;` last, so `&amp;lt;` stays `&lt;`); tags are the caller's. */
export function decodeEntities(text: string): string {
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
