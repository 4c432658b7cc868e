/**
 * Errors with stable codes. Every error the product raises on purpose is a ClearingError:
 * it knows its code, whether a retry may help, and how to become a SOAR error reply text or
 * an HTTP response. Anything else that escapes a handler is wrapped as `internal`.
 */

export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  ConfigNotFound: 'config_not_found',
  /** The command line asks for something that cannot be done as asked. */
  Usage: 'usage',
  /** A file a command reads or writes cannot be used: missing, unreadable, or not what it must hold. */
  FileUnusable: 'file_unusable',
  /** Not there, or not for the asker: the same answer either way, so existence is never revealed. */
  NotFound: 'not_found',
  InputInvalid: 'input_invalid',
  FunctionUnknown: 'function_unknown',
  MessageMalformed: 'message_malformed',
  MessageUnsupported: 'message_unsupported',
  FunctionFailed: 'function_failed',
  FunctionTimeout: 'function_timeout',
  Aborted: 'aborted',
  SoarRequest: 'soar_request',
  SoarUnreachable: 'soar_unreachable',
  SoarAuth: 'soar_auth',
  SoarOrg: 'soar_org',
  SoarConflict: 'soar_conflict',
  /** SOAR answered 403: the API key (or user) lacks a permission the operation needs. */
  SoarPermission: 'soar_permission',
  StompConnect: 'stomp_connect',
  Internal: 'internal',
  /** A component was asked for something its lifecycle state does not allow (a bug in the caller). */
  IllegalState: 'illegal_state',
  // Peer API (src/clearing/peer-*.ts): answered by the peer server...
  /** The request path is malformed or tricky (`..`, encoded `/`, `//`, NUL, too long). */
  PathInvalid: 'path_invalid',
  RouteUnknown: 'route_unknown',
  MethodNotAllowed: 'method_not_allowed',
  /** The JSON body does not match the route's schema. */
  BodyInvalid: 'body_invalid',
  /** The body is not JSON. */
  BodyMalformed: 'body_malformed',
  BodyTooLarge: 'body_too_large',
  /** POST/PUT without `Content-Type: application/json`. */
  ContentType: 'content_type',
  /** The client certificate names no configured peer. */
  PeerUnknown: 'peer_unknown',
  /** A known peer asked for something it may not do. */
  Forbidden: 'forbidden',
  // ...and raised by the peer client.
  /** Connection refused, reset or timed out: retryable. */
  PeerUnreachable: 'peer_unreachable',
  /** TLS handshake or certificate verification failed. */
  PeerTls: 'peer_tls',
  /** The server's certificate is valid but names another node than the peer called. */
  PeerIdentityMismatch: 'peer_identity_mismatch',
  /** The peer answered with an error (its code, status and message are carried along). */
  PeerError: 'peer_error',
  // Configuration push (src/clearing/config-push*.ts).
  /** Another configuration push is under way (on the primary or on the receiving node). */
  ConfigPushBusy: 'config_push_busy',
  /** Only the primary node pushes configuration, and a node accepts pushes only from it. */
  NotPrimary: 'not_primary',
  /** A chunk of a pushed export is out of range, of the wrong size or fails its sha256. */
  ChunkInvalid: 'chunk_invalid',
  /** A distribution row was asked to change status in a way its statuses do not allow. */
  IllegalTransition: 'illegal_transition',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorResponse {
  readonly status: number;
  readonly body: { readonly error: { readonly code: ErrorCode; readonly message: string } };
}

export class ClearingError extends Error {
  readonly code: ErrorCode;
  /** HTTP status when this error answers a web request. */
  readonly httpStatus: number;
  /** True when trying the same thing again later may succeed. */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { httpStatus?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
    this.retryable = options.retryable ?? false;
  }

  /** The text SOAR shows in the workflow's error: code first, so playbook designers can match on it. */
  toReplyMessage(): string {
    return `[${this.code}] ${this.message}`;
  }

  toHttpResponse(): ErrorResponse {
    return { status: this.httpStatus, body: { error: { code: this.code, message: this.message } } };
  }

  /** Any thrown value as a ClearingError, without leaking stack traces into replies. */
  static from(err: unknown): ClearingError {
    if (err instanceof ClearingError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ClearingError(ErrorCode.Internal, message || 'unexpected error', { cause: err });
  }
}

/** Codes whose messages describe a node's insides (its SOAR's answers, its own faults). */
const INTERNAL_CODES: ReadonlySet<string> = new Set<string>([
  ErrorCode.SoarRequest,
  ErrorCode.SoarUnreachable,
  ErrorCode.SoarAuth,
  ErrorCode.SoarOrg,
  ErrorCode.SoarConflict,
  ErrorCode.SoarPermission,
  ErrorCode.Internal,
]);

/**
 * What another node may read of `err`: its own message, except for errors about this node's
 * insides, whose message (SOAR's own error text names its incidents and paths) is replaced by
 * fixed words; the caller logs the full message.
 */
export function messageForPeers(err: ClearingError): string {
  if (!INTERNAL_CODES.has(err.code)) return err.message;
  return err.code === ErrorCode.Internal ? 'internal error' : `the brand's SOAR could not do it (${err.code}); the details are in the answering node's log`;
}

/** A function's inputs do not match its schema. */
export class InputInvalidError extends ClearingError {
  readonly problems: readonly string[];
  constructor(functionName: string, problems: readonly string[]) {
    super(ErrorCode.InputInvalid, `invalid inputs for '${functionName}': ${problems.join('; ')}`, {
      httpStatus: 400,
    });
    this.problems = problems;
  }
}

/** A lifecycle transition its table does not allow (src/core/lifecycle.ts). */
export class IllegalStateError extends ClearingError {
  constructor(component: string, from: string, to: string) {
    super(ErrorCode.IllegalState, `${component} cannot go from '${from}' to '${to}'`);
  }
}

/** The configuration file is missing or wrong; `problems` lists every one, each with its path. */
export class ConfigError extends ClearingError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[], code: ErrorCode = ErrorCode.ConfigInvalid) {
    super(code, `${source}:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}
