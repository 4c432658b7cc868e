/**
 * STOMP 1.1 header value coding. The worker speaks 1.1 (see connection.ts for why); the broker
 * escapes `\`, newline and `:` in 1.1 header values (`\\`, `\n`, `\c`; STOMP 1.1 spec, "Value
 * Encoding"), but @stomp/stompjs codes header values only on 1.2 connections, so the worker does
 * it for 1.1 itself: headers decoded as frames arrive, values escaped before frames leave.
 */

export function escapeHeaderValue(value: string): string {
  return value.replace(/[\\\n:]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\c'));
}

/** An unknown escape is kept as it is (the broker does the same) rather than refused. */
export function unescapeHeaderValue(value: string): string {
  return value.replace(/\\([\\nc])/g, (_, c: string) => (c === '\\' ? '\\' : c === 'n' ? '\n' : ':'));
}

export function escapeHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[escapeHeaderValue(k)] = escapeHeaderValue(v);
  return out;
}

export function decodeHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[unescapeHeaderValue(k)] = unescapeHeaderValue(v);
  return out;
}
