/**
 * The request target check both HTTPS servers run before any routing: a path that could mean
 * something else after decoding (`..`, encoded `/`, `//`, controls, overlong) never reaches a
 * router.
 */

/** Longest request target (path and query) accepted. */
const MAX_TARGET_LENGTH = 2048;

export type TargetCheck =
  | { readonly ok: true; readonly segments: readonly string[]; readonly query: URLSearchParams }
  | { readonly ok: false; readonly reason: string };

/**
 * Splits and checks a request target (`req.url`): origin-form only, at most MAX_TARGET_LENGTH
 * characters, no `\`, NUL or control characters, no empty (`//`) or dot segments, no
 * percent-encoded `/`, `\`, `.` or NUL, and valid percent-encoding.
 * Returns the decoded segments and the query.
 */
export function checkTarget(target: string): TargetCheck {
  if (target.length > MAX_TARGET_LENGTH) return { ok: false, reason: `the request target is longer than ${MAX_TARGET_LENGTH} characters` };
  if (!target.startsWith('/')) return { ok: false, reason: 'the request target must be a path starting with /' };
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  // oxlint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f\\\s#]/.test(target)) return { ok: false, reason: 'the request target holds a control character, blank, # or \\' };
  if (/%(2f|5c|00|2e)/i.test(rawPath)) return { ok: false, reason: 'the path holds an encoded /, \\, . or NUL' };
  const rawSegments = rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (const raw of rawSegments) {
    if (raw === '') return { ok: false, reason: 'the path holds an empty segment (// or a trailing /)' };
    if (raw === '.' || raw === '..') return { ok: false, reason: 'the path holds a . or .. segment' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'the path holds an invalid percent-encoding' };
    }
    // oxlint-disable-next-line no-control-regex -- control characters are what this refuses
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return { ok: false, reason: 'the path holds an encoded control character' };
    segments.push(decoded);
  }
  return { ok: true, segments, query: new URLSearchParams(rawQuery) };
}
