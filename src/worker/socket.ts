/**
 * A raw TCP or TLS socket dressed as the WebSocket-like object @stomp/stompjs drives.
 * We own this adapter (instead of @stomp/tcp-wrapper) for two reasons: TLS with certificate
 * verification against the brand's cafile (IBM's client skips it), and no-delay on the socket
 * (without it every small frame waits on delayed ACKs: ~44 ms per invocation, docs/soar-wire.md "The broker").
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { IStompSocket } from '@stomp/stompjs';
import type { TlsTrust } from '../config/types.js';

const SocketState = { Connecting: 0, Open: 1, Closing: 2, Closed: 3 } as const;
type SocketState = (typeof SocketState)[keyof typeof SocketState];

export interface StompEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly trust: TlsTrust;
}

export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** CA bundles read once per path: a reconnect storm must not re-read the disk each time. */
const caCache = new Map<string, Buffer>();
function caFrom(path: string): Buffer {
  let ca = caCache.get(path);
  if (!ca) {
    ca = readFileSync(path);
    caCache.set(path, ca);
  }
  return ca;
}

export class StompSocket implements IStompSocket {
  readonly url: string;
  binaryType = 'arraybuffer';
  onclose: ((ev?: CloseEvent) => unknown) | null = null;
  onerror: ((ev: Error) => unknown) | null = null;
  onmessage: ((ev: { data: ArrayBuffer }) => unknown) | null = null;
  onopen: ((ev?: unknown) => unknown) | null = null;
  /** The last socket error, kept so a failed connect can say why (TLS, refused, ...). */
  lastError: Error | null = null;

  private state: SocketState = SocketState.Connecting;
  private readonly socket: net.Socket;

  constructor(endpoint: StompEndpoint) {
    this.url = `${endpoint.tls ? 'stomp+ssl' : 'stomp'}://${endpoint.host}:${endpoint.port}`;
    if (endpoint.tls) {
      const options: tls.ConnectionOptions = {
        host: endpoint.host,
        port: endpoint.port,
        rejectUnauthorized: endpoint.trust.verify,
        // SNI only for names: an IP literal as servername is an error in Node.
        ...(net.isIP(endpoint.host) ? {} : { servername: endpoint.host }),
        ...(endpoint.trust.cafile ? { ca: caFrom(endpoint.trust.cafile) } : {}),
      };
      this.socket = tls.connect(options, () => this.opened());
    } else {
      this.socket = net.connect({ host: endpoint.host, port: endpoint.port }, () => this.opened());
    }
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      // stompjs parses ArrayBuffers; hand it an exact copy of this chunk's bytes.
      const data = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
      this.onmessage?.({ data: data as ArrayBuffer });
    });
    this.socket.on('error', (err) => {
      this.lastError = err;
      this.onerror?.(err);
    });
    this.socket.on('close', (hadError) => {
      const wasOpen = this.state !== SocketState.Connecting;
      this.state = SocketState.Closed;
      this.onclose?.({
        code: hadError ? 1006 : 1000,
        reason: this.lastError?.message ?? (wasOpen ? 'connection closed' : 'connection failed'),
        wasClean: !hadError,
      });
    });
  }

  get readyState(): number {
    return this.state;
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.state !== SocketState.Open) return;
    if (typeof data === 'string') this.socket.write(data, 'utf8');
    else if (ArrayBuffer.isView(data)) this.socket.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.socket.write(Buffer.from(data as ArrayBuffer));
  }

  /** Polite close: flush what was written (e.g. DISCONNECT), then FIN. */
  close(): void {
    if (this.state === SocketState.Closed) return;
    this.state = SocketState.Closing;
    this.socket.end();
    // A peer that never answers the FIN must not keep us waiting forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Immediate close, used on heart-beat loss: the link is already dead. */
  terminate(): void {
    this.state = SocketState.Closing;
    this.socket.destroy();
  }

  private opened(): void {
    this.state = SocketState.Open;
    this.onopen?.();
  }
}
