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
