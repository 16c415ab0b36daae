import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server (PostgreSQL at 127.0.0.1:5432 in the tests) that a test can
 * stall: while stalled, bytes are no longer forwarded either way and new connections are accepted
 * but never connected — what a hung database or a silent network partition looks like to a client
 * (no FIN, no RST). The shared server itself is never touched.
 */
export interface TcpProxy {
  readonly port: number;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let stalled = false;
  const pairs = new Set<[Socket, Socket | undefined]>();
  const waiting: Socket[] = [];

  function connect(client: Socket): void {
    const upstream = createConnection(target);
    const pair: [Socket, Socket | undefined] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }

  const server: Server = createServer((client) => {
    if (stalled) {
      waiting.push(client);
      client.on('error', () => undefined);
      client.pause();
    } else connect(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    port,
    stall() {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    resume() {
      stalled = false;
      for (const [client, upstream] of pairs) {
        if (upstream === undefined) continue;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.resume();
      }
      for (const client of waiting.splice(0)) {
        client.resume();
        connect(client);
      }
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      for (const client of waiting) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
