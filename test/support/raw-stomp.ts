/**
 * A minimal raw STOMP 1.2 client over node:net / node:tls, for harness tests and benchmarks:
 * no library in between, you write the frames. Socket no-delay is on (docs/soar-wire.md "The broker").
 */
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { encodeFrame, FrameParser, type Frame } from '../../sim/emulator/stomp-wire.js';

export { encodeFrame };

export type StompFrame = Frame;

export interface RawStomp {
  /** A string or Buffer is written verbatim (include the trailing NUL); a StompFrame is serialized. */
  send(frame: string | Buffer | StompFrame): void;
  /** The next frame from the server (heart-beat EOLs skipped); rejects on timeout or close. */
  nextFrame(timeoutMs?: number): Promise<StompFrame>;
  close(): Promise<void>;
  readonly socket: Socket | TLSSocket;
}

/**
 * Open a TCP (or, with `tlsOpts`, TLS) connection to 127.0.0.1:port. Resolves once connected
 * (after the TLS handshake); sends nothing: the caller writes CONNECT itself.
 */
export function rawStompConnect(port: number, tlsOpts?: ConnectionOptions): Promise<RawStomp> {
  return new Promise((resolveConn, rejectConn) => {
    const socket: Socket | TLSSocket = tlsOpts
      ? tlsConnect({ host: '127.0.0.1', port, ...tlsOpts })
      : createConnection({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const parser = new FrameParser();
    const queue: StompFrame[] = [];
    const waiters: { res: (f: StompFrame) => void; rej: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
    let ended: Error | null = null;
    let connected = false;

    socket.on('data', (chunk: Buffer) => {
      for (const f of parser.push(chunk)) {
        const w = waiters.shift();
        if (w) {
          clearTimeout(w.timer);
          w.res(f);
        } else {
          queue.push(f);
        }
      }
    });
    const finish = (err: Error): void => {
      if (ended) return;
      ended = err;
      if (!connected) rejectConn(err);
      for (const w of waiters.splice(0)) {
        clearTimeout(w.timer);
        w.rej(err);
      }
    };
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('connection closed')));
    socket.once(tlsOpts ? 'secureConnect' : 'connect', () => {
      connected = true;
      resolveConn({
        socket,
        send(frame) {
          socket.write(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : encodeFrame(frame.command, frame.headers, frame.body));
        },
        nextFrame(timeoutMs = 5000) {
          const f = queue.shift();
          if (f) return Promise.resolve(f);
          if (ended) return Promise.reject(ended);
          return new Promise<StompFrame>((res, rej) => {
            const timer = setTimeout(() => {
              const i = waiters.findIndex((w) => w.timer === timer);
              if (i >= 0) waiters.splice(i, 1);
              rej(new Error(`no STOMP frame within ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.push({ res, rej, timer });
          });
        },
        close() {
          return new Promise<void>((res) => {
            if (socket.destroyed) return res();
            socket.once('close', () => res());
            socket.end();
            setTimeout(() => socket.destroy(), 1000).unref();
          });
        },
      });
    });
  });
}
