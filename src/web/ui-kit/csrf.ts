/**
 * Cross-site request forgery: every POST must come from a page of this UI. Two checks, both
 * required: the browser's Origin header (or, lacking it, the Referer's origin) is one of this
 * UI's configured origins (uiOrigins); and the form carries the expected token (the session's token, or for
 * the sign-in form, the value of a SameSite=Strict pre-login cookie set with the form).
 */
import { randomBytes, timingSafeEqual, type X509Certificate } from 'node:crypto';
import { html, type SafeHtml } from './html.js';

export const CSRF_FIELD = '_csrf';
/** Double-submit cookie of the sign-in form (there is no session yet to hold a token). */
export const LOGIN_CSRF_COOKIE = '__Host-sc_login';

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The hidden field to put in every POST form. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** Whether two secrets are equal, in constant time; an absent or empty one never matches. */
export function tokensMatch(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The origin the request says it came from (Origin, else Referer's), or null. */
function requestOrigin(headers: { origin?: string | undefined; referer?: string | undefined }): string | null {
  if (headers.origin && headers.origin !== 'null') return headers.origin;
  if (headers.referer) {
    try {
      return new URL(headers.referer).origin;
    } catch {
      return null;
    }
  }
  return null;
}

export type CsrfVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The origins of this UI as browsers see it: `web.origin` when set (behind a proxy), else
 * `https://<name>[:port]` for each DNS name and IP address of the node certificate (the names a
 * browser can reach it by without a certificate warning). Taken from the config, never from a
 * request's Host header, which the client chooses.
 */
export function uiOrigins(configured: string | null, certificate: X509Certificate, port: number): string[] {
  if (configured !== null) return [new URL(configured).origin];
  const suffix = port === 443 ? '' : `:${port}`;
  const names = (certificate.subjectAltName ?? '')
    .split(/,\s*/)
    .map((entry) => /^(DNS|IP Address):(.+)$/.exec(entry.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, kind, name]) => (kind === 'IP Address' && name!.includes(':') ? `[${name}]` : name!.toLowerCase()));
  return [...new Set(names.map((name) => new URL(`https://${name}${suffix}`).origin))];
}

/** Checks a POST: its origin must be one of this UI's `origins` (uiOrigins), and its token right. */
export function checkCsrf(opts: {
  readonly origins: readonly string[];
  readonly headers: { origin?: string | undefined; referer?: string | undefined };
  readonly formToken: string | undefined;
  readonly expectedToken: string | undefined;
}): CsrfVerdict {
  const origin = requestOrigin(opts.headers);
  if (origin === null) return { ok: false, reason: 'the request names no origin' };
  if (!opts.origins.includes(origin)) return { ok: false, reason: 'the request comes from another site' };
  if (!tokensMatch(opts.formToken, opts.expectedToken)) return { ok: false, reason: 'the form token is missing or wrong (reload the page and try again)' };
  return { ok: true };
}
