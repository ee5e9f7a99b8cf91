import { createServer, Server, Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a real server (MariaDB), to put faults between it and the service: `down()` refuses and
 * cuts every connection (the server stopped), `freeze()` accepts and holds them without a byte either way (the server
 * is SIGSTOPped: the kernel still completes the handshake), `up()` forwards again.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<{ client: Socket; upstream?: Socket }>();
  private frozen = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts forwarding on `port` (0: a free one). */
  async up(port = this.port): Promise<number> {
    this.frozen = false;
    for (const pair of this.pairs) {
      pair.client.resume();
      pair.upstream?.resume();
    }
    if (this.server) return this.port;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Closes the port and cuts every connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Holds every connection, old and new, without forwarding anything. */
  freeze(): void {
    this.frozen = true;
    for (const pair of this.pairs) {
      pair.client.pause();
      pair.upstream?.pause();
    }
  }

  private accept(client: Socket): void {
    const pair: { client: Socket; upstream?: Socket } = { client };
    this.pairs.add(pair);
    const forget = () => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', forget);
    client.on('close', forget);
    if (this.frozen) {
      client.pause();
      const start = () => {
        if (this.frozen) return setTimeout(start, 50);
        this.connectUpstream(pair, forget);
      };
      setTimeout(start, 50);
      return;
    }
    this.connectUpstream(pair, forget);
  }

  private connectUpstream(pair: { client: Socket; upstream?: Socket }, forget: () => void): void {
    if (pair.client.destroyed) return;
    const upstream = connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    upstream.on('error', forget);
    upstream.on('close', forget);
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    pair.client.resume();
  }
}
