import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { normalizeIp } from '../domain/ip-allowlist.js';
import { dispatch, type DispatchDeps } from './dispatch.js';

export interface HttpServerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HttpServerOptions extends DispatchDeps {
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key: HTTPS instead of HTTP. */
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** Slow-loris bounds: all headers within this time (default 10 s)… */
  readonly headersTimeoutMs?: number;
  /** …and the whole request, body included, within this one (default 60 s). */
  readonly requestTimeoutMs?: number;
}

/**
 * Node enforces headersTimeout and requestTimeout only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default), so a 10 s limit used to cut a slow client after
 * up to 40 s. Sweeping every tenth of the shorter limit (within 100 ms..1 s) keeps the cut within
 * about 10% of the configured time at a negligible cost (one pass over the open connections).
 */
export function checkingIntervalMs(headersTimeoutMs: number, requestTimeoutMs: number): number {
  const shortest = Math.min(headersTimeoutMs, requestTimeoutMs);
  return Math.min(1000, Math.max(100, Math.floor(shortest / 10)));
}

export interface HttpServer {
  start(): Promise<void>;
  /** The bound address (port 0 resolved). */
  address(): { host: string; port: number; url: string };
  /** Replaces the certificate for new connections (SIGHUP). */
  setTls(tls: { cert: Buffer | string; key: Buffer | string }): void;
  /** Stops accepting, lets requests in flight finish until the deadline, then cuts what is left. */
  close(deadlineMs: number): Promise<void>;
}

/** Slow-loris bounds, given at creation so that Node sweeps often enough to apply them. */
function serverLimits(options: HttpServerOptions) {
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  return {
    // Node refuses headersTimeout > requestTimeout.
    headersTimeout: Math.min(headersTimeout, requestTimeout),
    requestTimeout,
    connectionsCheckingInterval: checkingIntervalMs(headersTimeout, requestTimeout),
    keepAliveTimeout: 5_000,
  };
}

/** node:http(s) listener with bounded header/request times and tracked sockets for a clean close. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const ip = normalizeIp(req.socket.remoteAddress ?? '');
    void dispatch(options, req, res, ip);
  };
  const limits = serverLimits(options);
  const server: Server | HttpsServer =
    options.tls === undefined ? createHttp(limits, handler) : createHttps({ ...limits, cert: options.tls.cert, key: options.tls.key }, handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // A client too slow for headersTimeout/requestTimeout gets 408, as Node's own handler answers.
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
    options.logger.debug({ err }, 'malformed HTTP request');
  });
  const scheme = options.tls === undefined ? 'http' : 'https';

  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    address() {
      const a = server.address() as AddressInfo | null;
      const host = a?.address ?? options.host;
      const port = a?.port ?? options.port;
      return { host, port, url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}` };
    },
    setTls(tls) {
      if ('setSecureContext' in server) server.setSecureContext({ cert: tls.cert, key: tls.key });
    },
    close: (deadlineMs) => closeServer(server, sockets, deadlineMs),
  };
}

async function closeServer(server: Server | HttpsServer, sockets: Set<Socket>, deadlineMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  for (const socket of sockets) socket.destroy();
  await closed;
}
