/**
 * Errors raised by the SOAR REST client. Each one is a ClearingError with one of the SOAR codes.
 *
 * None of them ever holds a credential: messages are built from method, path, HTTP status and
 * the `message` of SOAR's own error body, and are passed through `redact()` against the
 * client's secrets. The transport error (axios) is never attached as `cause`, because it carries
 * the request configuration with the Authorization header; a plain summary error is attached
 * instead.
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { SoarErrorBody } from './dto.js';
import { isRecord } from '../core/json.js';

const REDACTED = '***';

/** Replaces every occurrence of each secret (4+ characters) in `text` with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  const list = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  for (const s of list) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** What the client could read out of an error response. */
export interface ParsedSoarError {
  /** SOAR's own `message`, or a short text derived from a non-JSON body; null when nothing usable. */
  readonly message: string | null;
  /** SOAR's `error_code` (e.g. "generic"), when present. */
  readonly errorCode: string | null;
  readonly title: string | null;
  readonly hints: readonly string[];
}

const MAX_MESSAGE = 500;

function clip(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE)}…` : t;
}

/**
 * Reads SOAR's error body (`{"success":false,"title":..,"message":..,"hints":[],"error_code":..}`)
 * from a response body that may be a parsed object, a JSON string, HTML (a proxy's error page)
 * or empty.
 */
export function parseSoarErrorBody(body: unknown): ParsedSoarError {
  let data: unknown = body;
  if (typeof data === 'string') {
    const text = data.trim();
    if (text === '') return { message: null, errorCode: null, title: null, hints: [] };
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: an HTML error page from a proxy or the servlet container. Keep its text.
      const stripped = text
        .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]+>/g, ' ');
      const plain = clip(stripped);
      return { message: plain === '' ? null : plain, errorCode: null, title: null, hints: [] };
    }
  }
  if (!isRecord(data)) return { message: null, errorCode: null, title: null, hints: [] };
  const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? clip(v) : null);
  const hints = Array.isArray(data['hints']) ? data['hints'].filter((h): h is string => typeof h === 'string') : [];
  return {
    message: str(data['message']) ?? str(data['error']) ?? str(data['title']),
    errorCode: str(data['error_code']),
    title: str(data['title']),
    hints,
  };
}

/** True when `v` looks like SOAR's error body. */
export function isSoarErrorBody(v: unknown): v is SoarErrorBody {
  return isRecord(v) && v['success'] === false && typeof v['message'] === 'string';
}

export interface SoarRequestErrorInit {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly soarMessage: string | null;
  readonly soarErrorCode?: string | null;
  readonly hints?: readonly string[];
}

function upstreamHttpStatus(status: number): number {
  if (status === 404) return 404;
  if (status === 409) return 409;
  return 502;
}

/** SOAR answered with an error status (4xx, or a 5xx that was not retried). */
export class SoarRequestError extends ClearingError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** SOAR's own `message` from its error body (redacted), or null. */
  readonly soarMessage: string | null;
  readonly soarErrorCode: string | null;
  readonly hints: readonly string[];

  constructor(init: SoarRequestErrorInit) {
    const what = `SOAR ${init.method} ${init.path} failed with HTTP ${init.status}`;
    super(ErrorCode.SoarRequest, init.soarMessage ? `${what}: ${init.soarMessage}` : what, {
      httpStatus: upstreamHttpStatus(init.status),
      retryable: init.status >= 500,
    });
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.soarMessage = init.soarMessage;
    this.soarErrorCode = init.soarErrorCode ?? null;
    this.hints = init.hints ?? [];
  }
}

export interface SoarUnreachableErrorInit {
  readonly method: string;
  readonly path: string;
  /** Requests sent in all (first try + retries). */
  readonly attempts: number;
  /** Why the last attempt failed: a connection error code (ECONNREFUSED...) or `HTTP 503`. */
  readonly reason: string;
  /** The last HTTP status when SOAR answered with 5xx; null for connection faults. */
  readonly lastStatus?: number | null;
  /** SOAR's message from the last 5xx body, if any. */
  readonly soarMessage?: string | null;
  /**
   * True when the request may have reached SOAR and been applied (a non-idempotent POST that
   * failed after it was sent): the caller must check before repeating it.
   */
  readonly maybeApplied?: boolean;
  readonly cause?: Error;
}

/** SOAR could not be reached (or kept failing with 5xx) and retries are exhausted. */
export class SoarUnreachableError extends ClearingError {
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly reason: string;
  readonly lastStatus: number | null;
  readonly soarMessage: string | null;
  readonly maybeApplied: boolean;

  constructor(init: SoarUnreachableErrorInit) {
    const tries = init.attempts === 1 ? '1 attempt' : `${init.attempts} attempts`;
    let msg = `SOAR ${init.method} ${init.path} failed after ${tries}: ${init.reason}`;
    if (init.soarMessage) msg += ` (${init.soarMessage})`;
    if (init.maybeApplied) msg += '; the request may have reached SOAR and was not repeated';
    super(ErrorCode.SoarUnreachable, msg, { httpStatus: 503, retryable: true, cause: init.cause });
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    this.reason = init.reason;
    this.lastStatus = init.lastStatus ?? null;
    this.soarMessage = init.soarMessage ?? null;
    this.maybeApplied = init.maybeApplied ?? false;
  }
}

/**
 * The TLS handshake with SOAR failed (unknown CA, wrong host name, expired certificate...).
 * Not retryable: it needs a configuration change (`soar.cafile`), not time.
 */
export class SoarTlsError extends ClearingError {
  readonly tlsCode: string;
  readonly endpoint: string;

  constructor(endpoint: string, tlsCode: string, detail: string, cafile: string | null) {
    const trust = cafile ? `the CA file ${cafile}` : "Node's default CA list (no soar.cafile configured)";
    super(
      ErrorCode.SoarUnreachable,
      `TLS: the certificate of SOAR at ${endpoint} is not trusted (${tlsCode}: ${detail}); ` +
        `checked against ${trust}. Set soar.cafile to the CA that signed SOAR's certificate.`,
      { httpStatus: 502, retryable: false },
    );
    this.tlsCode = tlsCode;
    this.endpoint = endpoint;
  }
}

/** Login refused (401/403 on /rest/session), or a call refused with 401 after re-login. */
export class SoarAuthError extends ClearingError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly soarMessage: string | null;

  constructor(init: { status: number; method: string; path: string; soarMessage: string | null; principal: string }) {
    const base = `SOAR refused the credentials of ${init.principal} (${init.method} ${init.path}: HTTP ${init.status})`;
    super(ErrorCode.SoarAuth, init.soarMessage ? `${base}: ${init.soarMessage}` : base, {
      httpStatus: 502,
      retryable: false,
    });
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.soarMessage = init.soarMessage;
  }
}

/**
 * SOAR answered 403 to an operation the credentials may not do: says which operation and which
 * permissions of apikey_permissions.txt it needs.
 */
export class SoarPermissionError extends ClearingError {
  readonly operation: string;
  readonly permissions: string;
  readonly soarMessage: string | null;

  constructor(init: { operation: string; permissions: string; principal: string; err: SoarRequestError }) {
    super(ErrorCode.SoarPermission,
      `SOAR refused to ${init.operation} for ${init.principal} (${init.err.method} ${init.err.path}: HTTP 403`
      + `${init.err.soarMessage ? `: ${init.err.soarMessage}` : ''}); it needs ${init.permissions}`,
      { httpStatus: 502, retryable: false, cause: init.err });
    this.operation = init.operation;
    this.permissions = init.permissions;
    this.soarMessage = init.err.soarMessage;
  }
}

/** A summary of one organisation as shown in SoarOrgError. */
export interface OrgSummary {
  readonly id: number;
  readonly name: string;
  readonly enabled: boolean;
}

/** The configured org is not among the account's orgs, or it is disabled. */
export class SoarOrgError extends ClearingError {
  readonly org: string;
  readonly available: readonly OrgSummary[];
  readonly reason: 'not_found' | 'disabled';

  constructor(org: string, reason: 'not_found' | 'disabled', available: readonly OrgSummary[], matched?: OrgSummary) {
    const list = available.length
      ? available.map((o) => `'${o.name}' (id ${o.id}${o.enabled ? '' : ', disabled'})`).join(', ')
      : 'none';
    const which = matched && matched.name !== org ? `'${org}' ('${matched.name}', id ${matched.id})` : `'${org}'`;
    const what =
      reason === 'disabled'
        ? `SOAR org ${which} is disabled`
        : `SOAR org '${org}' is not one of this account's orgs (matched against cloud_account, uuid and name)`;
    super(ErrorCode.SoarOrg, `${what}; orgs this account can see: ${list}`, { httpStatus: 500, retryable: false });
    this.org = org;
    this.reason = reason;
    this.available = available;
  }
}

/** getPut kept getting 409 Conflict: someone else keeps changing the object. */
export class SoarConflictError extends ClearingError {
  readonly path: string;
  readonly attempts: number;

  constructor(path: string, attempts: number) {
    super(
      ErrorCode.SoarConflict,
      `SOAR PUT ${path}: still conflicting (HTTP 409) after ${attempts} attempts; the object keeps changing`,
      { httpStatus: 409, retryable: true },
    );
    this.path = path;
    this.attempts = attempts;
  }
}

/** The caller's AbortSignal fired while the request (or its backoff) was pending. */
export class SoarAbortedError extends ClearingError {
  constructor(method: string, path: string) {
    super(ErrorCode.Aborted, `SOAR ${method} ${path} aborted`, { httpStatus: 503, retryable: false });
  }
}
