/**
 * Answers of both HTTPS servers: what a handler returns (status, type, body, headers), JSON
 * answers, the one error shape `{"error":{"code","message"[,"details"]}}`, and writing an
 * answer out (Content-Length always, no body for HEAD, 204 and 304).
 */
import type { ServerResponse } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly contentType?: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string | string[]>>;
}

/** One problem of a refused body: where in it (a JSON pointer, `/` for the whole) and what. */
export interface ProblemDetail {
  readonly path: string;
  readonly message: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: readonly ProblemDetail[] };
}

export function errorBody(code: string, message: string, details?: readonly ProblemDetail[]): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/** `data` as a JSON answer (a newline after it, for people reading it with curl). Throws when it does not serialize. */
export function jsonAnswer(status: number, data: unknown, headers: Readonly<Record<string, string | string[]>> = {}): HttpAnswer {
  return { status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(data)}\n`, headers };
}

/** Statuses that never carry a body (nor a Content-Length). */
const NO_BODY = new Set([204, 304]);

/**
 * Writes the answer with `base` headers under its own. An answer already begun (a handler that
 * wrote itself and then failed) cannot be replaced: the connection is cut instead.
 */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer, base: Readonly<Record<string, string>> = {}, head = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  const headers: Record<string, string | string[]> = { ...base, ...(answer.headers ?? {}) };
  if (NO_BODY.has(answer.status)) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  if (answer.contentType) headers['Content-Type'] = answer.contentType;
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  headers['Content-Length'] = String(body.length);
  res.writeHead(answer.status, headers);
  res.end(head ? undefined : body);
}
