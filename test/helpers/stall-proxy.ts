import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The client sent `LISTEN pgdir_changes` on this connection. */
  listen: boolean;
  stalled: boolean;
}

/**
 * A TCP proxy in front of PostgreSQL that can stall connections the way a hung NAT or proxy does:
 * it stops forwarding in both directions but keeps the sockets open (no FIN, no RST), so the
 * client sees a healthy connection that never answers. `stallListeners` stalls only the connections
 * that issued LISTEN; `stallAll` stalls every connection and accepts new ones into the same void.
 */
export class StallProxy {
  readonly #pairs = new Set<Pair>();
  readonly #server: Server;
  #allStalled = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: { host: string; port: number }): Promise<StallProxy> {
    const server = createServer();
    const proxy = new StallProxy(server);
    server.on('connection', (client) => proxy.#accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** `postgres://user@127.0.0.1:<proxy port>/<db>` for a URL of the target server. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString();
  }

  /** How many open connections issued LISTEN (stalled or not). */
  listeners(): { open: number; stalled: number } {
    const listening = [...this.#pairs].filter((p) => p.listen && !p.client.destroyed);
    return { open: listening.length, stalled: listening.filter((p) => p.stalled).length };
  }

  stallListeners(): number {
    let count = 0;
    for (const pair of this.#pairs) if (pair.listen && !pair.stalled) (this.#stall(pair), count++);
    return count;
  }

  stallAll(): void {
    this.#allStalled = true;
    for (const pair of this.#pairs) this.#stall(pair);
  }

  /** Forwards again on every connection, including what was held back meanwhile. */
  resume(): void {
    this.#allStalled = false;
    for (const pair of this.#pairs) {
      pair.stalled = false;
      pair.client.resume();
      pair.upstream.resume();
    }
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) (pair.client.destroy(), pair.upstream.destroy());
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, listen: false, stalled: false };
    this.#pairs.add(pair);
    const drop = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (chunk.includes('LISTEN pgdir_changes')) pair.listen = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    if (this.#allStalled) this.#stall(pair);
  }

  /** Paused sockets stop reading: nothing is forwarded and the kernel buffers fill, no FIN is sent. */
  #stall(pair: Pair): void {
    pair.stalled = true;
    pair.client.pause();
    pair.upstream.pause();
  }
}
