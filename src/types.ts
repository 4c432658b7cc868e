/**
 * Shared types of the product.
 *
 * Glossary
 * - brand: one SOAR organisation (host + org) taking part in the clearing network.
 * - clearing node: one running soar-clearing process; serves the brands of its region.
 * - message destination: a SOAR queue a function is bound to; the worker subscribes to
 *   `actions.<org_id>.<destination>` on the brand's broker.
 * - invocation: one function call by a SOAR workflow or playbook: a STOMP MESSAGE carrying a
 *   FunctionDataDTO, answered on its `reply-to` queue with status messages and one final reply.
 * - correlation id: SOAR's `invid:<n>` tying replies to the invocation.
 * - context token: the invocation's `Co3ContextToken`, sent back as `X-Co3ContextToken` on REST
 *   calls made on its behalf so SOAR attributes them to the workflow.
 * - results v2: the payload a playbook reads as `results` (version 2.0, success, reason, content,
 *   raw, inputs, metrics).
 */
import type { ClearingNetwork } from './clearing/network.js';
import type { SoarClient } from './soar/client.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The logging surface handlers and modules get; winston's Logger satisfies it. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

/** Who asked: the SOAR principal and workflow behind the invocation, as SOAR sent them. */
export interface InvocationInfo {
  readonly brand: string;
  readonly functionName: string;
  readonly correlationId: string;
  readonly messageId: string;
  readonly workflowInstanceId: number | null;
  readonly workflow: string | null;
  readonly principal: string | null;
  /** How many times the broker has delivered this message before (from `redelivered`). */
  readonly redelivered: boolean;
}

export interface FunctionContext {
  /** Sends a status message to SOAR (shown in the workflow's action status). */
  status(message: string): Promise<void>;
  readonly log: Logger;
  /** The brand's SOAR client, already carrying this invocation's context token. */
  readonly soar: SoarClient;
  /** Aborted on function timeout or when shutdown's grace period runs out. */
  readonly signal: AbortSignal;
  readonly invocation: InvocationInfo;
  /** This node's id (config `node.id`). */
  readonly nodeId: string;
  /** The clearing network: other brands, peer nodes, whitelists. */
  readonly network: ClearingNetwork;
}

/**
 * A SOAR function served by the worker. Inputs reach the handler normalized (select -> name,
 * multiselect -> names, rich text -> content) and validated against `inputSchema`.
 * The handler returns the `content` of the results v2 payload, or throws.
 * Author one with `defineFunction` (functions/define.ts), which checks the schema against the
 * handler's input type.
 */
export interface FunctionDefinition {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** JSON Schema (draft-07, ajv) of the normalized inputs. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
  handler(inputs: JsonObject, ctx: FunctionContext): Promise<JsonValue>;
  /** Optional check for `soar-clearing selftest`: can this function work with this brand's SOAR? */
  selftest?(soar: SoarClient): Promise<SelftestOutcome>;
}

export interface SelftestOutcome {
  readonly ok: boolean;
  readonly detail: string;
}
