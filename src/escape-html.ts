/** Text made safe for HTML: SOAR notes written by the node, and every value the web UI renders. */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** For a text node (the notes the node writes into SOAR hold no attributes): `& < >`. */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

/** For a text node or a quoted attribute value (the web UI's templates): `& < > " '` and the backquote. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}
