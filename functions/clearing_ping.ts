/**
 * clearing_ping: a diagnostic for admins. Echoes its inputs with the identity of the node and
 * brand that answered, proving the path SOAR -> broker -> worker -> SOAR end to end.
 */
import { PACKAGE_VERSION } from '../src/core/version.js';
import { defineFunction } from './define.js';

interface PingInputs {
  clearing_ping_message?: string;
  /** Milliseconds to wait before answering (diagnose timeouts and concurrency); at most 60 s. */
  clearing_ping_delay_ms?: number;
}

export default defineFunction<PingInputs, {
  pong: boolean;
  message: string | null;
  node: string;
  brand: string;
  version: string;
  correlation_id: string;
  received_at: string;
}>({
  name: 'clearing_ping',
  displayName: 'Clearing: Ping',
  description: 'Answers with the message it was given and the clearing node and brand that served it.',
  inputSchema: {
    type: 'object',
    properties: {
      clearing_ping_message: { type: 'string', nullable: true, maxLength: 10_000 },
      clearing_ping_delay_ms: { type: 'integer', nullable: true, minimum: 0, maximum: 60_000 },
    },
    required: [],
    additionalProperties: true,
  },
  async handler(inputs, ctx) {
    const delay = inputs.clearing_ping_delay_ms ?? 0;
    if (delay > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delay);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        }, { once: true });
      });
    }
    return {
      pong: true,
      message: inputs.clearing_ping_message ?? null,
      node: ctx.nodeId,
      brand: ctx.invocation.brand,
      version: PACKAGE_VERSION,
      correlation_id: ctx.invocation.correlationId,
      received_at: new Date().toISOString(),
    };
  },
});
