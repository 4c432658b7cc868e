/**
 * The peer API's route registry: what a route declares (method, versioned path with `:params`,
 * body schema, size limit, authorization, handler) and the path matching the server uses.
 *
 * Paths are versioned (`/api/v1/...`); a later incompatible version adds `/api/v2/` routes next
 * to the old ones. Routes are declared with `defineRoute`, which keeps the body type of the
 * schema and the handler in step and erases it for the server's list:
 *
 * ```ts
 * const ping = defineRoute<{ text: string }, { echo: string }>({
 *   method: 'POST',
 *   path: '/api/v1/echo/:brand',
 *   bodySchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
 *   authorize: (peer, params) => peer.peer.brands.includes(params.brand ?? '') || 'not your brand',
 *   handler: async ({ body }) => ({ echo: body.text }),
 * });
 * ```
 */
import type { JSONSchemaType } from 'ajv';
import type { PeerIdentity } from './peer-auth.js';

export type PeerMethod = 'GET' | 'POST' | 'PUT';
export const PEER_METHODS: readonly PeerMethod[] = ['GET', 'POST', 'PUT'];

/** Every route path starts with this (the API's version 1). */
const PEER_API_V1 = '/api/v1/';

/** What a handler gets. */
export interface PeerRequest<B> {
  /** The calling node, identified by its client certificate. */
  readonly peer: PeerIdentity;
  /** The path's `:params`, percent-decoded and checked against PARAM_PATTERN. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body validated against bodySchema; `undefined` for GET (and for an empty body without schema). */
  readonly body: B;
  /** Aborted when the peer goes away before the answer, or when the server stops. */
  readonly signal: AbortSignal;
}

export interface PeerRoute<B = unknown, R = unknown> {
  readonly method: PeerMethod;
  /** `/api/v1/...`; a segment `:name` is a parameter. */
  readonly path: string;
  /** JSON schema of the body (ajv, compiled once at server start). Bodies of POST/PUT without one may be any JSON. */
  readonly bodySchema?: JSONSchemaType<B>;
  /** Largest body accepted, in bytes (default: the server's, 1 MiB). */
  readonly maxBodyBytes?: number;
  /** HTTP status of a successful answer (default 200; 204 when the handler returns undefined). */
  readonly successStatus?: number;
  /**
   * May this peer call this route with these parameters? `true` to allow; `false` or a reason
   * to refuse with 403 `forbidden`. Runs before the body is read.
   */
  authorize?(peer: PeerIdentity, params: Readonly<Record<string, string>>, query: URLSearchParams): boolean | string;
  /** The answer (serialized as JSON), or a throw: a ClearingError answers with its own code and status. */
  handler(req: PeerRequest<B>): Promise<R>;
}

/** Declares a route with its body and result types checked, erased for the server's route list. */
export function defineRoute<B = undefined, R = unknown>(route: PeerRoute<B, R>): PeerRoute {
  return route as unknown as PeerRoute;
}

/** A path parameter's value (after percent-decoding): no `/`, `\`, dots-only, blanks or controls. */
const PARAM_PATTERN = /^[A-Za-z0-9_~-][A-Za-z0-9._~@+-]{0,127}$/;

const LITERAL_SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const PARAM_SEGMENT = /^:[A-Za-z_][A-Za-z0-9_]*$/;

/** A route's path, split: literal segments and parameter names. */
export type PathPattern = readonly ({ readonly literal: string } | { readonly param: string })[];

/** Parses and checks a route path; throws on a malformed one (a programming error). */
export function compilePath(path: string): PathPattern {
  if (!path.startsWith(PEER_API_V1)) throw new Error(`route path ${path} must start with ${PEER_API_V1}`);
  const names = new Set<string>();
  return path
    .slice(1)
    .split('/')
    .map((segment) => {
      if (PARAM_SEGMENT.test(segment)) {
        const name = segment.slice(1);
        if (names.has(name)) throw new Error(`route path ${path} names :${name} twice`);
        names.add(name);
        return { param: name };
      }
      if (!LITERAL_SEGMENT.test(segment) || segment === '..' || segment === '.') {
        throw new Error(`route path ${path}: invalid segment ${JSON.stringify(segment)}`);
      }
      return { literal: segment };
    });
}

/** The params when `segments` (decoded) match the pattern, else null. Parameter values must match PARAM_PATTERN. */
export function matchPath(pattern: PathPattern, segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] as PathPattern[number];
    const segment = segments[i] as string;
    if ('literal' in part) {
      if (part.literal !== segment) return null;
    } else {
      if (!PARAM_PATTERN.test(segment)) return null;
      params[part.param] = segment;
    }
  }
  return params;
}

/** Literal segments count before parameters: `/a/b` wins over `/a/:x` for `/a/b`. */
export function specificity(pattern: PathPattern): number {
  return pattern.reduce((n, part, i) => n + ('literal' in part ? 2 ** (pattern.length - i) : 0), 0);
}

/** Longest request target (path and query) accepted. */
const MAX_TARGET_LENGTH = 2048;

export type TargetCheck =
  | { readonly ok: true; readonly segments: readonly string[]; readonly query: URLSearchParams }
  | { readonly ok: false; readonly reason: string };

/**
 * Splits and checks a request target (`req.url`) before any routing: origin-form only, at most
 * MAX_TARGET_LENGTH characters, no `\`, NUL or control characters, no empty (`//`) or dot
 * segments, no percent-encoded `/`, `\`, `.` or NUL, and valid percent-encoding.
 * Returns the decoded segments and the query.
 */
export function checkTarget(target: string): TargetCheck {
  if (target.length > MAX_TARGET_LENGTH) return { ok: false, reason: `the request target is longer than ${MAX_TARGET_LENGTH} characters` };
  if (!target.startsWith('/')) return { ok: false, reason: 'the request target must be a path starting with /' };
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  // oxlint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\\s#]/.test(target)) return { ok: false, reason: 'the request target holds a control character, blank, # or \\' };
  if (/%(2f|5c|00|2e)/i.test(rawPath)) return { ok: false, reason: 'the path holds an encoded /, \\, . or NUL' };
  const rawSegments = rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (const raw of rawSegments) {
    if (raw === '') return { ok: false, reason: 'the path holds an empty segment (// or a trailing /)' };
    if (raw === '.' || raw === '..') return { ok: false, reason: 'the path holds a . or .. segment' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'the path holds an invalid percent-encoding' };
    }
    // oxlint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(decoded)) return { ok: false, reason: 'the path holds an encoded control character' };
    segments.push(decoded);
  }
  return { ok: true, segments, query: new URLSearchParams(rawQuery) };
}
