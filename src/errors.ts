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
  StompConnect: 'stomp_connect',
  Internal: 'internal',
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

/** The configuration file is missing or wrong; `problems` lists every one, each with its path. */
export class ConfigError extends ClearingError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[], code: ErrorCode = ErrorCode.ConfigInvalid) {
    super(code, `${source}:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}
