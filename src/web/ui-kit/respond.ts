/** Building the web UI's answers: a page, a redirect, and the one error answer (a page or JSON, as asked). JSON answers are the HTTP layer's jsonAnswer. */
import { errorBody, jsonAnswer, type HttpAnswer } from '../../http/answer.js';
import type { SafeHtml } from './html.js';
import { errorPage } from './layout.js';
import type { WebRequest } from './route.js';

export function htmlResponse(status: number, page: SafeHtml, headers: Record<string, string | string[]> = {}): HttpAnswer {
  return { status, contentType: 'text/html; charset=utf-8', body: `<!DOCTYPE html>\n${page.value}`, headers };
}

export function redirect(location: string, headers: Record<string, string | string[]> = {}): HttpAnswer {
  return { status: 303, contentType: 'text/plain; charset=utf-8', body: '', headers: { Location: location, ...headers } };
}

/** An error as a page (with the user's navigation when signed in) or as `{error: {code, message}}`. */
export function errorResponse(req: Pick<WebRequest, 'wantsJson' | 'session'>, status: number, code: string, message: string, headers: Record<string, string | string[]> = {}): HttpAnswer {
  if (req.wantsJson) return jsonAnswer(status, errorBody(code, message), headers);
  return htmlResponse(status, errorPage(req.session, status, message), headers);
}
