/**
 * A minimal STOMP 1.2 client written straight on the socket, independent of @stomp/stompjs and
 * of the product's adapter, so the SOAR emulator and the benchmarks' bare client never share
 * code (or bugs) with what they test.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface Frame {
  readonly command: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface WireOptions {
  readonly port: number;
  readonly host?: string;
  /** STOMP over TLS: the CA to verify the broker against. */
  readonly tls?: { readonly ca: string | Buffer };
  readonly login?: string;
  readonly passcode?: string;
  readonly connectTimeoutMs?: number;
}

function escapeHeader(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/:/g, '\\c');
}

function unescapeHeader(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => ({ r: '\r', n: '\n', c: ':', '\\': '\\' })[c] ?? c);
}

export function encodeFrame(command: string, headers: Record<string, string>, body = ''): Buffer {
  const bodyBuf = Buffer.from(body, 'utf8');
  const escape = command !== 'CONNECT' && command !== 'CONNECTED';
  let head = `${command}\n`;
  for (const [k, v] of Object.entries(headers)) head += `${escape ? escapeHeader(k) : k}:${escape ? escapeHeader(v) : v}\n`;
  if (bodyBuf.length > 0) head += `content-length:${bodyBuf.length}\n`;
  return Buffer.concat([Buffer.from(`${head}\n`, 'utf8'), bodyBuf, Buffer.from([0])]);
}

/** Incremental frame parser: feed chunks, get complete frames (heart-beat newlines skipped). */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      let start = 0;
      while (start < this.buf.length && (this.buf[start] === 0x0a || this.buf[start] === 0x0d)) start++;
      const headEnd = this.buf.indexOf('\n\n', start);
      if (headEnd < 0) {
        this.buf = this.buf.subarray(start);
        return frames;
      }
      const lines = this.buf.subarray(start, headEnd).toString('utf8').split('\n').map((l) => l.replace(/\r$/, ''));
      const command = lines[0] ?? '';
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const key = unescapeHeader(line.slice(0, i));
        if (!(key in headers)) headers[key] = unescapeHeader(line.slice(i + 1)); // first one wins (1.2)
      }
      const bodyStart = headEnd + 2;
      const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : -1;
      const bodyEnd = length >= 0 ? bodyStart + length : this.buf.indexOf(0, bodyStart);
      if (bodyEnd < 0 || this.buf.length < bodyEnd + 1) {
        this.buf = this.buf.subarray(start);
        return frames;
      }
      frames.push({ command, headers, body: this.buf.subarray(bodyStart, bodyEnd).toString('utf8') });
      this.buf = this.buf.subarray(bodyEnd + 1);
    }
  }
}

export class StompWire {
  onFrame: (frame: Frame) => void = () => undefined;
  onClose: (err?: Error) => void = () => undefined;
  private receiptCounter = 0;
  private readonly receipts = new Map<string, () => void>();

  private constructor(private readonly socket: net.Socket) {}

  static connect(opts: WireOptions): Promise<StompWire> {
    const host = opts.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = opts.tls
        ? tls.connect({ host, port: opts.port, ca: opts.tls.ca, rejectUnauthorized: true })
        : net.connect({ host, port: opts.port });
      socket.setNoDelay(true);
      const wire = new StompWire(socket);
      const parser = new FrameParser();
      let connected = false;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`STOMP connect to ${host}:${opts.port} timed out`));
      }, opts.connectTimeoutMs ?? 10_000);
      socket.on(opts.tls ? 'secureConnect' : 'connect', () => {
        socket.write(encodeFrame('CONNECT', {
          'accept-version': '1.2', host: 'localhost', login: opts.login ?? 'soar', passcode: opts.passcode ?? 'soar', 'heart-beat': '0,0',
        }));
      });
      socket.on('data', (chunk: Buffer) => {
        for (const frame of parser.push(chunk)) {
          if (!connected) {
            clearTimeout(timer);
            if (frame.command !== 'CONNECTED') {
              reject(new Error(`STOMP connect refused: ${frame.headers['message'] ?? frame.command}`));
              socket.destroy();
              return;
            }
            connected = true;
            resolve(wire);
            continue;
          }
          if (frame.command === 'RECEIPT') {
            const id = frame.headers['receipt-id'] ?? '';
            wire.receipts.get(id)?.();
            wire.receipts.delete(id);
            continue;
          }
          wire.onFrame(frame);
        }
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        if (!connected) reject(err);
      });
      socket.on('close', () => wire.onClose());
    });
  }

  send(command: string, headers: Record<string, string>, body = ''): void {
    this.socket.write(encodeFrame(command, headers, body));
  }

  /** Send a frame with a receipt header; resolves when the broker confirms it. */
  sendConfirmed(command: string, headers: Record<string, string>, body = ''): Promise<void> {
    const receipt = `w-${++this.receiptCounter}`;
    return new Promise((resolve) => {
      this.receipts.set(receipt, resolve);
      this.send(command, { ...headers, receipt }, body);
    });
  }

  /** Polite DISCONNECT with a receipt, then close the socket. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await Promise.race([this.sendConfirmed('DISCONNECT', {}), new Promise((r) => setTimeout(r, 1000))]);
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
