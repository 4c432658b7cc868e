/**
 * SOAR's side of the function message flow, on the real broker: publishes a FunctionDataDTO to
 * `actions.<org>.<destination>` exactly as SOAR does (reply-to, correlation-id, Co3MessagePayload,
 * Co3ContentType, Co3ContextToken, persistent) and collects what comes back on
 * `acks.<org>.<destination>`, by correlation id. Shapes follow a real resilient-circuits session's
 * frames (docs/soar-wire.md "Function messages over STOMP").
 */
import { StompWire, type WireOptions } from './stomp-wire.js';

export interface ReplyMessage {
  readonly message_type: number;
  readonly message: string;
  readonly complete: boolean;
  readonly results?: Record<string, unknown>;
}

export interface ReceivedReply {
  readonly headers: Record<string, string>;
  readonly raw: string;
  /** null when the body was not JSON (which SOAR would treat as a broken app). */
  readonly json: ReplyMessage | null;
  readonly at: number;
}

export interface InvokeOptions {
  readonly workflow?: string;
  readonly workflowInstanceId?: number;
  readonly contextToken?: string;
  readonly correlationId?: string;
  readonly principal?: string;
  /** Override or drop (value null) any header SOAR would send. */
  readonly headers?: Record<string, string | null>;
  /** Send this body instead of the FunctionDataDTO (poison-message tests). */
  readonly rawBody?: string;
  /** Keys merged over the DTO's `function` object (e.g. the real id and display_name). */
  readonly functionObject?: Record<string, unknown>;
  /** Keys merged over the DTO's `workflow` object (name, programmatic_name, object_type, workflow_id, ...). */
  readonly workflowObject?: Record<string, unknown>;
  /** The DTO's `principal` object ({display_name, id, name, type}); overrides `principal`. */
  readonly principalObject?: Record<string, unknown>;
}

export interface InvokerOptions extends WireOptions {
  readonly orgId: number;
  readonly destination: string;
}

/** A fake but well-formed Co3ContextToken (a JWT: header.payload.signature). */
function contextTokenFor(invocationId: number): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64url');
  return `${b64('{"alg":"HS256"}')}.${b64(JSON.stringify({ inv: invocationId }))}.${b64(`sig-${invocationId}`)}`;
}

/** The Co3ContextToken of a workflow instance's invocations (distinct from contextTokenFor's). */
export function workflowContextToken(instanceId: number): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64url');
  return `${b64('{"alg":"HS256"}')}.${b64(JSON.stringify({ wfi: instanceId }))}.${b64(`wf-sig-${instanceId}`)}`;
}

/** Invocation ids are unique per test process, across invokers (SOAR's are unique per server). */
let nextInvocation = 1000;

export class SoarInvoker {
  private readonly replies = new Map<string, ReceivedReply[]>();
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly wire: StompWire, readonly opts: InvokerOptions) {
    wire.onFrame = (frame) => {
      if (frame.command !== 'MESSAGE') return;
      const id = frame.headers['correlation-id'] ?? '';
      let json: ReplyMessage | null = null;
      try {
        json = JSON.parse(frame.body) as ReplyMessage;
      } catch {
        json = null;
      }
      // Like SOAR's own consumer, take a reply off the queue only once it is in hand: a reply in
      // flight when the link dies comes back (redelivered, same message-id) instead of vanishing.
      if (frame.headers['ack']) wire.send('ACK', { id: frame.headers['ack'] });
      const list = this.replies.get(id) ?? [];
      const messageId = frame.headers['message-id'];
      if (!messageId || !list.some((r) => r.headers['message-id'] === messageId)) {
        list.push({ headers: frame.headers, raw: frame.body, json, at: Date.now() });
        this.replies.set(id, list);
      }
      for (const w of [...this.waiters]) w();
    };
  }

  static async connect(opts: InvokerOptions): Promise<SoarInvoker> {
    const wire = await StompWire.connect(opts);
    const invoker = new SoarInvoker(wire, opts);
    await wire.sendConfirmed('SUBSCRIBE', { id: 'acks', destination: `/queue/${invoker.replyQueue}`, ack: 'client-individual' });
    return invoker;
  }

  get actionQueue(): string {
    return `actions.${this.opts.orgId}.${this.opts.destination}`;
  }

  get replyQueue(): string {
    return `acks.${this.opts.orgId}.${this.opts.destination}`;
  }

  /** Publish one invocation; resolves once the broker stored it. Returns its correlation id. */
  async invoke(functionName: string, inputs: Record<string, unknown>, options: InvokeOptions = {}): Promise<string> {
    const invocationId = nextInvocation++;
    const correlationId = options.correlationId ?? `invid:${invocationId}`;
    const workflow = {
      actions: [], description: null, name: options.workflow ?? 'Example: Clearing Ping',
      object_type: { id: 0, name: 'incident' }, programmatic_name: options.workflow ?? 'example_clearing_ping',
      tags: [], uuid: null, workflow_id: 3,
      ...options.workflowObject,
    };
    const body = options.rawBody ?? JSON.stringify({
      function: {
        creator: null, description: null, display_name: functionName, id: 3, name: functionName,
        tags: [], uuid: null, version: null, view_items: [], workflows: [],
        ...options.functionObject,
      },
      groups: [],
      inputs,
      playbook_instance: null,
      principal: options.principalObject ?? { display_name: 'Admin User', id: 1, name: options.principal ?? 'admin@example.com', type: 'user' },
      workflow,
      workflow_instance: { workflow, workflow_instance_id: options.workflowInstanceId ?? invocationId },
    });
    const headers: Record<string, string> = {
      'reply-to': `/queue/${this.replyQueue}`,
      'correlation-id': correlationId,
      Co3MessagePayload: 'FunctionDataDTO',
      Co3ContentType: 'application/json',
      Co3ContextToken: options.contextToken ?? contextTokenFor(invocationId),
      Co3RemoteAddr: '127.0.0.1',
      persistent: 'true',
      priority: '4',
    };
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      if (v === null) delete headers[k];
      else headers[k] = v;
    }
    await this.wire.sendConfirmed('SEND', { destination: `/queue/${this.actionQueue}`, ...headers }, body);
    return correlationId;
  }

  repliesFor(correlationId: string): ReceivedReply[] {
    return this.replies.get(correlationId) ?? [];
  }

  /** Drops what was collected for an invocation (long benchmark runs). */
  forget(correlationId: string): void {
    this.replies.delete(correlationId);
  }

  /** The final (complete) replies received for an invocation. */
  finalsFor(correlationId: string): ReceivedReply[] {
    return this.repliesFor(correlationId).filter((r) => r.json?.complete === true);
  }

  /**
   * Wait until `predicate` holds over the collected replies, or fail after `timeoutMs` (or when
   * `signal` aborts, with the signal's reason).
   */
  async waitUntil(predicate: () => boolean, timeoutMs = 15_000, what = 'condition', signal?: AbortSignal): Promise<void> {
    if (predicate()) return;
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`aborted waiting for ${what}`);
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const onAbort = (): void => {
        done();
        reject(signal?.reason instanceof Error ? signal.reason : new Error(`aborted waiting for ${what}`));
      };
      const check = (): void => {
        if (!predicate()) return;
        done();
        resolve();
      };
      signal?.addEventListener('abort', onAbort);
      this.waiters.add(check);
    });
  }

  /** Wait for the final reply of an invocation and return it. */
  async final(correlationId: string, timeoutMs = 15_000, signal?: AbortSignal): Promise<ReceivedReply> {
    await this.waitUntil(() => this.finalsFor(correlationId).length > 0, timeoutMs, `the final reply to ${correlationId}`, signal);
    return this.finalsFor(correlationId)[0]!;
  }

  async close(): Promise<void> {
    await this.wire.close();
  }
}
