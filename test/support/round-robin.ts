/**
 * The peer address in front of a region's two nodes in tests: a TCP round robin on loopback (what
 * a layer-4 load balancer does). Each connection goes to the next backend; a backend that refuses
 * the connection (its process is gone) is skipped for the next one, as a load balancer's passive
 * health check does. TLS passes through untouched, so each node still shows its own certificate.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

export class RoundRobinProxy {
  /** Connections handed to each backend port. */
  readonly connections = new Map<number, number>();
  private next = 0;
  private readonly open = new Set<Socket>();

  private constructor(private readonly server: Server, private readonly backends: readonly number[]) {}

  /** Listens on 127.0.0.1:`port` and spreads connections over the `backends` ports. */
  static async start(port: number, backends: readonly number[]): Promise<RoundRobinProxy> {
    let proxy!: RoundRobinProxy;
    const server = createServer((client) => proxy.accept(client));
    proxy = new RoundRobinProxy(server, backends);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  private accept(client: Socket): void {
    this.track(client);
    client.pause();
    const first = this.next++;
    const tryBackend = (tries: number): void => {
      const port = this.backends[(first + tries) % this.backends.length]!;
      const upstream = connect(port, '127.0.0.1');
      upstream.once('error', () => {
        upstream.destroy();
        if (tries + 1 < this.backends.length && !client.destroyed) tryBackend(tries + 1);
        else client.destroy();
      });
      upstream.once('connect', () => {
        this.connections.set(port, (this.connections.get(port) ?? 0) + 1);
        this.track(upstream);
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
  }

  /** Cuts every open connection (as a load balancer restarting does); new ones are accepted. */
  cut(): void {
    for (const s of this.open) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
