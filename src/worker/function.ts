/**
 * The contract between the worker and the SOAR functions it serves (functions/): what a handler
 * is given for one invocation, and what a function definition holds.
 */
import type { ClearingNetwork } from '../clearing/network.js';
import type { JsonObject, JsonValue, Logger } from '../core/types.js';
import type { SoarClient } from '../soar/client.js';

/** The invocation: brand, function, message, and who asked (principal and workflow, as SOAR sent them). */
export interface InvocationInfo {
  readonly brand: string;
  readonly functionName: string;
  readonly correlationId: string;
  readonly messageId: string;
  readonly workflowInstanceId: number | null;
  readonly workflow: string | null;
  readonly principal: string | null;
  /** The broker delivered this message before (its `redelivered` header). */
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
