/**
 * Turns a STOMP MESSAGE from SOAR into an Invocation, or says exactly why it cannot
 * (a poison message still gets an error reply when it names a reply-to queue).
 */
import { ClearingError, ErrorCode } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/types.js';
import { depthExceeds } from '../core/json.js';

/** Where a MESSAGE came from: enough to ACK it and to recognise a redelivery. */
export interface Delivery {
  readonly session: number;
  readonly ackId: string;
  readonly subscription: string;
  readonly messageId: string;
  readonly redelivered: boolean;
}

export interface ReplyAddress {
  readonly replyTo: string;
  readonly correlationId: string;
}

export interface Invocation extends ReplyAddress {
  readonly functionName: string;
  /** Inputs as SOAR sent them (not yet normalized). */
  readonly inputs: JsonObject;
  readonly contextToken: string | null;
  readonly workflowInstanceId: number | null;
  readonly workflow: string | null;
  readonly principal: string | null;
}

export type ParseResult =
  | { readonly ok: true; readonly invocation: Invocation }
  | { readonly ok: false; readonly error: ClearingError; readonly reply: ReplyAddress | null };

const FUNCTION_PAYLOAD = 'FunctionDataDTO';

function asObject(v: JsonValue | undefined): JsonObject | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
}

function str(v: JsonValue | undefined): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** SOAR's inputs are flat (a rich text or select is one level deep); far deeper is hostile. */
const MAX_INPUT_DEPTH = 32;


export function parseFunctionMessage(headers: Readonly<Record<string, string>>, body: string): ParseResult {
  const replyTo = headers['reply-to'];
  const correlationId = headers['correlation-id'];
  const reply = replyTo && correlationId ? { replyTo, correlationId } : null;
  const fail = (code: ErrorCode, message: string): ParseResult => ({
    ok: false,
    error: new ClearingError(code, message, { httpStatus: 400 }),
    reply,
  });

  if (!reply) {
    return fail(ErrorCode.MessageMalformed, 'message has no reply-to or correlation-id header; it cannot be answered');
  }
  const payloadType = headers['Co3MessagePayload'];
  if (payloadType !== undefined && payloadType !== FUNCTION_PAYLOAD) {
    return fail(ErrorCode.MessageUnsupported, `message payload '${payloadType}' is not supported; this app serves functions (${FUNCTION_PAYLOAD})`);
  }
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(body) as JsonValue;
  } catch (err) {
    return fail(ErrorCode.MessageMalformed, `message body is not valid JSON: ${(err as Error).message}`);
  }
  const msg = asObject(parsed);
  if (!msg) return fail(ErrorCode.MessageMalformed, 'message body is not a JSON object');
  const fn = asObject(msg['function']);
  const functionName = str(fn?.['name']);
  if (!functionName) return fail(ErrorCode.MessageMalformed, 'message has no function.name');
  const rawInputs = msg['inputs'] ?? {};
  const inputs = asObject(rawInputs);
  if (!inputs) return fail(ErrorCode.MessageMalformed, `inputs of '${functionName}' are not a JSON object`);
  if (depthExceeds(inputs, MAX_INPUT_DEPTH)) {
    return fail(ErrorCode.InputInvalid, `inputs of '${functionName}' are nested deeper than ${MAX_INPUT_DEPTH} levels`);
  }

  const workflowInstance = asObject(msg['workflow_instance']);
  const workflow = asObject(msg['workflow']) ?? asObject(workflowInstance?.['workflow']);
  const principal = asObject(msg['principal']);
  const instanceId = workflowInstance?.['workflow_instance_id'];
  return {
    ok: true,
    invocation: {
      ...reply,
      functionName,
      inputs,
      contextToken: headers['Co3ContextToken'] || null,
      workflowInstanceId: typeof instanceId === 'number' ? instanceId : null,
      workflow: str(workflow?.['programmatic_name']),
      principal: str(principal?.['name']),
    },
  };
}
