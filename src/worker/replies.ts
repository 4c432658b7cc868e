/**
 * The reply frames SOAR expects on an invocation's reply-to queue (docs/soar-wire.md "Replies"):
 * status (message_type 0, complete false), final (message_type 0, complete true, results v2)
 * and error (message_type 1, complete true).
 */
import { hostname } from 'node:os';
import type { JsonObject, JsonValue } from '../core/types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../core/version.js';

const MessageType = { Info: 0, Error: 1 } as const;

export interface ResultsMetrics {
  readonly version: '1.0';
  readonly package: string;
  readonly package_version: string;
  readonly host: string;
  readonly execution_time_ms: number;
  readonly timestamp: string;
}

/** What a playbook reads as `results`. `version` is serialized as 2.0, as SOAR's own apps do. */
export interface ResultsV2 {
  readonly version: 2;
  readonly success: boolean;
  readonly reason: string | null;
  readonly content: JsonValue;
  readonly raw: null;
  readonly inputs: JsonObject;
  readonly metrics: ResultsMetrics;
}

const host = hostname();

/** SOAR's metrics timestamp: local time as `YYYY-MM-DD HH:MM:SS`. */
export function metricsTimestamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function resultsV2(content: JsonValue, inputs: JsonObject, executionMs: number, finishedAt: Date): ResultsV2 {
  return {
    version: 2,
    success: true,
    reason: null,
    content,
    raw: null,
    inputs,
    metrics: {
      version: '1.0',
      package: PACKAGE_NAME,
      package_version: PACKAGE_VERSION,
      host,
      execution_time_ms: executionMs,
      timestamp: metricsTimestamp(finishedAt),
    },
  };
}

export function statusReply(message: string): string {
  return JSON.stringify({ message_type: MessageType.Info, message, complete: false });
}

export function errorReply(message: string): string {
  return JSON.stringify({ message_type: MessageType.Error, message, complete: true });
}

export function finalReply(results: ResultsV2): string {
  // JSON.stringify writes 2.0 as 2; write the version by hand, the rest as usual.
  const { version: _version, ...rest } = results;
  const resultsJson = `{"version":2.0,${JSON.stringify(rest).slice(1)}`;
  return `{"message_type":${MessageType.Info},"message":"Completed","complete":true,"results":${resultsJson}}`;
}
