/**
 * When the SOAR client repeats a request, and how long it waits first. Pure functions.
 *
 * Retry policy (the decision table `shouldRetry` implements):
 *
 *   fault                          GET/PUT/DELETE   POST/PATCH       marked idempotent
 *   -----------------------------  ---------------  ---------------  ----------------------
 *   connection refused             retry            retry            retry
 *   DNS lookup failed              retry            retry            retry
 *   reset / hang up / timeout      retry            NO               retry
 *   HTTP 5xx                       retry            NO               retry
 *   HTTP 4xx                       no               no               no
 *   TLS verification failure       no               no               no
 *   aborted by the caller          no               no               no
 *   anything else                  no               no               no
 *
 * Why POST is special: GET, PUT and DELETE are idempotent in SOAR's API (a PUT carries the
 * object's `vers`, so a repeated PUT that already applied answers 409 and getPut re-reads),
 * but POST creates something (incident, task, note, artifact, row). Once the request may have
 * been written to the socket, a reset, a timeout or a 5xx does not tell whether SOAR created the
 * object; repeating it blindly could create a duplicate. Only faults that prove the request never
 * left this host (connection refused, name resolution) are retried. Callers whose POST is safe
 * to repeat (the login, query_paged, which only reads) mark it `idempotent`. Callers that need
 * create-once semantics check for the object (e.g. by a marker property) before trying again.
 *
 * Backoff: attempt n (1-based retry number) waits a random time in [d/2, d], where
 * d = min(max_backoff_ms, backoff_ms * 2^(n-1)) ("equal jitter": spreads clients out without
 * ever retrying immediately).
 */
import { backoffDelay } from '../core/backoff.js';
import type { RetryConfig } from '../config/types.js';

export type FaultKind =
  | 'refused'
  | 'dns'
  | 'reset'
  | 'timeout'
  | 'http5xx'
  | 'http4xx'
  | 'tls'
  | 'aborted'
  | 'other';

export interface Fault {
  readonly kind: FaultKind;
  /** Connection error code (ECONNREFUSED, ...) or `HTTP <status>`. */
  readonly code: string;
  readonly status?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** Delay before retry number `attempt` (1 = first retry). */
export function retryDelay(attempt: number, cfg: RetryConfig, random: () => number = Math.random): number {
  return backoffDelay(Math.max(1, Math.floor(attempt)) - 1, cfg.backoff_ms, cfg.max_backoff_ms, random);
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Sorts a failed request into a fault kind, from an HTTP status or a connection error's code/message. */
export function classifyFault(input: { status?: number; code?: string | null; message?: string | null }): Fault {
  if (typeof input.status === 'number' && input.status > 0) {
    const s = input.status;
    return { kind: s >= 500 ? 'http5xx' : 'http4xx', code: `HTTP ${s}`, status: s };
  }
  const code = (input.code ?? '').toUpperCase();
  const message = (input.message ?? '').toLowerCase();
  if (code === 'ERR_CANCELED' || code === 'ABORT_ERR') return { kind: 'aborted', code: code || 'ABORTED' };
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
    return { kind: 'tls', code };
  }
  if (code === 'ECONNREFUSED') return { kind: 'refused', code };
  if (code === 'EAI_AGAIN' || code === 'ENOTFOUND') return { kind: 'dns', code };
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ESOCKETTIMEDOUT' || /timeout/.test(message)) {
    return { kind: 'timeout', code: code || 'ETIMEDOUT' };
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ENETUNREACH' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETDOWN' ||
    code === 'EHOSTDOWN' ||
    /socket hang up|network error|econnreset/.test(message)
  ) {
    return { kind: 'reset', code: code || 'ECONNRESET' };
  }
  return { kind: 'other', code: code || 'UNKNOWN' };
}

/** May a request with this method be sent again after this fault? See the table at the top. */
export function shouldRetry(method: HttpMethod, fault: Fault, opts: { idempotent?: boolean } = {}): boolean {
  switch (fault.kind) {
    case 'http4xx':
    case 'tls':
    case 'aborted':
    case 'other':
      return false;
    case 'refused':
    case 'dns':
      return true;
    case 'reset':
    case 'timeout':
    case 'http5xx':
      return opts.idempotent ?? (method !== 'POST' && method !== 'PATCH');
  }
}

/** True when a POST that failed with this fault may nonetheless have been applied by SOAR. */
export function mayHaveReachedServer(fault: Fault): boolean {
  return fault.kind === 'reset' || fault.kind === 'timeout' || fault.kind === 'http5xx' || fault.kind === 'other';
}

