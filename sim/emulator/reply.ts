/**
 * What an emulator route answers, and SOAR's error body
 * (`{"success":false,"title":null,"message":..,"hints":[],"error_code":..}`).
 */
import type { JsonValue } from '../../src/core/types.js';

export interface Reply {
  readonly status: number;
  readonly body?: JsonValue;
  /** A body already serialized (the large const sample). */
  readonly raw?: string;
  /** Binary content (attachment contents), sent as is with the headers' Content-Type. */
  readonly bytes?: Buffer;
  readonly headers?: Record<string, string | string[]>;
}

export function soarError(status: number, message: string, errorCode = 'generic'): Reply {
  return { status, body: { success: false, title: null, message, hints: [], error_code: errorCode } };
}
