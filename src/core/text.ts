/** Small helpers over text shown to people. */

/** `text` cut to at most `limit` UTF-16 units (never inside a surrogate pair), ending in `…` when cut. */
export function cutText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** A URL with its password hidden (`http://user:***@proxy:3128`), for messages, logs and printed configuration. */
export function redactUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.href.replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}
