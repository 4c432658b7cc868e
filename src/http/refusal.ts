/** A request refused before its handler, by either HTTPS server: the status, code and words of the answer. */
import type { ProblemDetail } from './answer.js';

export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: readonly ProblemDetail[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
