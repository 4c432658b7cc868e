/**
 * Reading a request: one header's value, the media type, and the body, bounded while it
 * streams in (a declared Content-Length over the limit is refused before a byte is read).
 */
import type { IncomingMessage } from 'node:http';
import { depthExceeds } from '../core/json.js';

/** The first value of a request header. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The media type of a Content-Type header, lower-cased without parameters (`''` when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** `application/json`, with no charset or UTF-8. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

export interface BodyLimits {
  /** Largest body kept, in bytes. */
  readonly maxBytes: number;
  /**
   * A larger body is still read and dropped up to this many bytes before it is refused, so
   * that a client still sending sees the answer instead of a reset (default maxBytes).
   */
  readonly drainBytes?: number;
  /**
   * Beyond drainBytes: `pause` stops reading and leaves the connection for the refusal (which
   * must close it); `destroy` cuts the connection at once.
   */
  readonly overflow: 'pause' | 'destroy';
  /** The error a body over the limit is refused with. */
  tooLarge(): Error;
  /** The error of a body that broke off (the client went away), with the stream's error when there was one. */
  broken(err?: Error): Error;
}

/** The whole body, within the limits. */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const drain = limits.drainBytes ?? limits.maxBytes;
  const declared = header(req, 'content-length');
  if (declared !== undefined && Number(declared) > drain) return Promise.reject(limits.tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > drain) {
        // Stop here: nothing more is kept.
        cleanup();
        if (limits.overflow === 'pause') req.pause();
        else req.destroy();
        reject(limits.tooLarge());
        return;
      }
      if (size <= limits.maxBytes) chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      if (size > limits.maxBytes) reject(limits.tooLarge());
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(limits.broken(err));
    };
    const onClose = (): void => {
      cleanup();
      reject(limits.broken());
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: 'malformed' | 'too_deep'; readonly message: string };

/**
 * A body as JSON: strict UTF-8, then JSON, then at most `maxDepth` levels of nesting (checked
 * before anything walks the value recursively).
 */
export function parseJsonBody(raw: Buffer, maxDepth: number): JsonParse {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as unknown;
  } catch (err) {
    return { ok: false, reason: 'malformed', message: err instanceof Error ? err.message : String(err) };
  }
  if (depthExceeds(value, maxDepth)) return { ok: false, reason: 'too_deep', message: `nested deeper than ${maxDepth} levels` };
  return { ok: true, value };
}
