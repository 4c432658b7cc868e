/**
 * A peer's error answer as the caller sees it: the peer API answers every error as
 * `{"error":{"code","message"[,"details"]}}` (the HTTP layer's ErrorBody); the client turns it
 * into a PeerError keeping the peer's status, code, words and details. An answer that breaks
 * its operation's contract is a PeerError too (`response_malformed`).
 */
import { ClearingError, ErrorCode } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import type { ProblemDetail } from '../../http/answer.js';

/** The peer answered with an error (or with an answer its contract does not allow). */
export class PeerError extends ClearingError {
  constructor(
    readonly peerId: string,
    /** The HTTP status the peer answered. */
    readonly status: number,
    /** The peer's error code (`body_invalid`, `forbidden`, ...), `http_<status>` when its answer had none, `response_malformed`... */
    readonly remoteCode: string,
    /** The peer's message. */
    readonly remoteMessage: string,
    readonly details: readonly ProblemDetail[] = [],
  ) {
    super(ErrorCode.PeerError, `peer ${peerId} answered ${status} ${remoteCode}: ${remoteMessage}`, {
      httpStatus: 502,
      retryable: status === 429 || status === 502 || status === 503 || status === 504,
    });
  }
}

/** A successful answer that breaks its operation's contract. */
export function malformedAnswer(peerId: string, message: string): PeerError {
  return new PeerError(peerId, 200, 'response_malformed', message);
}

/** The PeerError of an error answer (`parsed`: its JSON body, undefined when it was none). */
export function errorAnswer(peerId: string, status: number, parsed: unknown, statusMessage: string | undefined): PeerError {
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : null;
  if (error !== null && typeof error.code === 'string') {
    const details = Array.isArray(error.details)
      ? error.details.filter(isRecord).map((d) => ({ path: String(d.path), message: String(d.message) }))
      : [];
    return new PeerError(peerId, status, error.code, typeof error.message === 'string' ? error.message : '', details);
  }
  return new PeerError(peerId, status, `http_${status}`, `HTTP ${status} ${statusMessage ?? ''}`.trim() + ' without an error body');
}
