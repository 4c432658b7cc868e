import type { FunctionContext, FunctionDefinition } from '../src/worker/function.js';
import type { JSONSchemaType } from 'ajv';
import type { JsonObject, JsonValue } from '../src/core/types.js';
import type { BrandContext } from '../src/triage/context.js';

/**
 * Typed authoring of a function module: the schema must describe the handler's input type.
 * The worker validates inputs against the schema before the handler runs, which is what makes
 * the cast from the erased registry type back to `I` sound.
 */
export function defineFunction<I, O extends JsonValue>(def: {
  name: string;
  displayName: string;
  description: string;
  inputSchema: JSONSchemaType<I>;
  handler: (inputs: I, ctx: FunctionContext) => Promise<O>;
  selftest?: FunctionDefinition['selftest'];
}): FunctionDefinition {
  const { handler, inputSchema, ...rest } = def;
  return Object.freeze({
    ...rest,
    inputSchema: inputSchema as unknown as Readonly<Record<string, unknown>>,
    handler: (inputs: JsonObject, ctx: FunctionContext) => handler(inputs as unknown as I, ctx),
  });
}

/** Input schema of the functions whose one input is the incident they work on. */
export const incidentOnlyInputs: JSONSchemaType<{ incident_id: number }> = {
  type: 'object',
  properties: { incident_id: { type: 'integer', minimum: 1 } },
  required: ['incident_id'],
  additionalProperties: false,
};

/** The invocation's context as the services acting for its brand take it. */
export function brandContext(ctx: FunctionContext): BrandContext {
  return { network: ctx.network, brand: ctx.invocation.brand, soar: ctx.soar, log: ctx.log, signal: ctx.signal, status: (message) => ctx.status(message) };
}
