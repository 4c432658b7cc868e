/** Building responses: a page, JSON, a redirect, and the one error answer (a page or JSON, as asked). */
import type { SafeHtml } from './html.js';
import { errorPage } from './pages/layout.js';
import type { WebRequest, WebResponse } from './router.js';

export function htmlResponse(status: number, page: SafeHtml, headers: Record<string, string | string[]> = {}): WebResponse {
  return { status, contentType: 'text/html; charset=utf-8', body: `<!DOCTYPE html>\n${page.value}`, headers };
}

export function jsonResponse(status: number, data: unknown, headers: Record<string, string | string[]> = {}): WebResponse {
  return { status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(data)}\n`, headers };
}

export function redirect(location: string, headers: Record<string, string | string[]> = {}): WebResponse {
  return { status: 303, contentType: 'text/plain; charset=utf-8', body: '', headers: { Location: location, ...headers } };
}

/** An error as a page (with the user's navigation when signed in) or as `{error: {code, message}}`. */
export function errorResponse(req: Pick<WebRequest, 'wantsJson' | 'session'>, status: number, code: string, message: string, headers: Record<string, string | string[]> = {}): WebResponse {
  if (req.wantsJson) return jsonResponse(status, { error: { code, message } }, headers);
  return htmlResponse(status, errorPage(req.session, status, message), headers);
}
