/**
 * pgdir's LDAP connection server (DESIGN §6): TCP and TLS listeners, framing, limits, allowlist,
 * StartTLS and certificate reload. The directory logic plugs in through `LdapHandler`.
 *
 *   const server = createLdapServer({ listen: ['ldaps://0.0.0.0:636', 'ldap://127.0.0.1:389'],
 *     tls: { certFile, keyFile }, allowlist: parseAllowlist(['127.0.0.1', '10.0.0.0/8']),
 *     limits: { maxConnections: 1000 }, logger }, handler);
 *   await server.start();          // rejects naming the URL on EADDRINUSE/EACCES or bad config
 *   server.addresses();            // [{ url: 'ldaps://0.0.0.0:636', port: 636 }, ...]
 *   await server.reloadTls();      // SIGHUP: new handshakes get the new cert; nobody is dropped
 *   server.setAllowlist(list);     // applies to connections accepted from now on
 *   server.stats();                // live/accepted/denied connections, operations, errors
 *   await server.close(10_000);    // stop accepting, finish running ops, notice 52, close
 *
 * Behaviour:
 * - The allowlist and the connection caps are checked at accept, before any TLS byte is read or
 *   sent; refused sockets are destroyed, counted, and logged at most once a second per reason.
 * - Requests are framed across any TCP chunking; a length header above `maxPduBytes` or any
 *   undecodable PDU gets a Notice of Disconnection with protocolError, then close (RFC 4511 §4.1.1,
 *   §4.4.1). Nothing is allocated for a length that has not arrived. A well-formed search whose
 *   filter is over `maxFilterNodes`/`maxFilterDepth` is answered 11 adminLimitExceeded; the
 *   connection stays open.
 * - Bind waits for earlier operations and holds later ones (RFC 4511 §4.2.1); other operations run
 *   concurrently up to `maxOutstanding`, beyond which they are answered 51 busy. Abandon aborts the
 *   operation's signal and suppresses its response (§4.11); Unbind closes (§4.3).
 * - StartTLS on ldap:// upgrades in place; on a TLS connection it is answered operationsError and
 *   the connection is kept (DESIGN §5); with other operations outstanding, operationsError.
 * - Responses written in one tick leave in one corked write; Nagle is off. A client that stops
 *   reading stalls only its own operations, and is dropped after `idleTimeoutMs` of stalled output.
 * - The idle timeout counts only time with no request outstanding.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { normalizeIp, type IpAllowlist } from '../../domain/ip-allowlist.js';
import { Admission, type DenyReason } from './admission.js';
import { Connection, type ConnectionContext } from './connection.js';
import type { LdapHandler, ServerLogger } from './ldap-handler.js';
import { formatListenUrl, parseListenUrl, type ListenUrl } from './listen-url.js';
import { RateLimitedLog } from './rate-limited-log.js';
import type { SharedConnectionCounts } from './shared-connection-counts.js';
import { TlsMaterial, type TlsSource } from './tls-material.js';

export type { LdapConnection, LdapHandler, ResponseSink, ServerLogger } from './ldap-handler.js';
export type { TlsSource } from './tls-material.js';

export interface LdapLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** Time without any outstanding request before the server closes the connection. */
  readonly idleTimeoutMs: number;
  /** Largest LDAPMessage accepted, header included. */
  readonly maxPduBytes: number;
  /** Requests running (or queued behind a Bind) per connection before 51 busy. */
  readonly maxOutstanding: number;
  readonly maxFilterDepth?: number;
  readonly maxFilterNodes?: number;
}

export const DEFAULT_LDAP_LIMITS: LdapLimits = {
  maxConnections: 4096,
  maxConnectionsPerIp: 256,
  idleTimeoutMs: 15 * 60_000,
  maxPduBytes: 1024 * 1024,
  maxOutstanding: 32,
  maxFilterDepth: 32,
  maxFilterNodes: 1000,
};

export interface LdapServerOptions {
  /** `ldaps://host:port` and/or `ldap://host:port` (StartTLS); port 0 picks a free port. */
  readonly listen: readonly string[];
  readonly tls?: TlsSource;
  readonly allowlist: IpAllowlist;
  readonly limits?: Partial<LdapLimits>;
  readonly logger: ServerLogger;
  /**
   * Several LDAP workers (threads) listen on the same addresses: SO_REUSEPORT, so the kernel spreads
   * new connections over them (Linux hashes the 4-tuple), and the caps count every worker's
   * connections through `sharedCounts`.
   */
  readonly reusePort?: boolean;
  readonly sharedCounts?: SharedConnectionCounts;
}

export interface LdapServerStats {
  readonly connections: number;
  readonly accepted: number;
  readonly denied: Readonly<Record<DenyReason, number>>;
  readonly operations: number;
  readonly protocolErrors: number;
  readonly idleTimeouts: number;
  /** Requests answered 51 busy. */
  readonly busy: number;
  /** Searches answered 11 because their filter was over maxFilterNodes or maxFilterDepth. */
  readonly overLimit: number;
}

export interface LdapServer {
  start(): Promise<void>;
  addresses(): { url: string; port: number }[];
  reloadTls(): Promise<void>;
  setAllowlist(list: IpAllowlist): void;
  stats(): LdapServerStats;
  close(deadlineMs?: number): Promise<void>;
}

let nextConnectionId = 1;

class ConnectionServer implements LdapServer {
  private readonly limits: LdapLimits;
  private readonly admission: Admission;
  private readonly refusals: RateLimitedLog;
  private readonly tls: TlsMaterial | undefined;
  private readonly ctx: ConnectionContext;
  private readonly connections = new Set<Connection>();
  private listeners: { listen: ListenUrl; server: Server }[] = [];
  private accepted = 0;
  private closing = false;

  constructor(private readonly options: LdapServerOptions, handler: LdapHandler) {
    this.limits = { ...DEFAULT_LDAP_LIMITS, ...options.limits };
    this.admission = new Admission(options.allowlist, this.limits.maxConnections, this.limits.maxConnectionsPerIp, options.sharedCounts);
    this.refusals = new RateLimitedLog(options.logger);
    this.tls = options.tls === undefined ? undefined : new TlsMaterial(options.tls);
    const counters = { operations: 0, protocolErrors: 0, idleTimeouts: 0, busy: 0, overLimit: 0 };
    this.ctx = { handler, logger: options.logger, limits: this.limits, tls: this.tls, counters };
  }

  async start(): Promise<void> {
    const urls = this.options.listen.map(parseListenUrl);
    if (urls.length === 0) throw new Error('ldap.listen: no listener configured');
    const ldaps = urls.find((u) => u.tls);
    if (ldaps !== undefined && this.tls === undefined) {
      throw new Error(`${ldaps.url}: ldaps:// needs a TLS certificate and key (ldap.tls)`);
    }
    await this.tls?.load();
    try {
      for (const listen of urls) this.listeners.push({ listen, server: await this.listen(listen) });
    } catch (e) {
      await this.closeListeners();
      throw e;
    }
    this.options.logger.info({ listen: this.addresses().map((a) => a.url) }, 'ldap server listening');
  }

  addresses(): { url: string; port: number }[] {
    return this.listeners.map(({ listen, server }) => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : listen.port;
      return { url: formatListenUrl(listen, port), port };
    });
  }

  async reloadTls(): Promise<void> {
    if (this.tls === undefined) throw new Error('no TLS certificate configured; nothing to reload');
    await this.tls.load();
    this.options.logger.info({}, 'ldap TLS certificate reloaded');
  }

  setAllowlist(list: IpAllowlist): void {
    this.admission.allowlist = list;
  }

  stats(): LdapServerStats {
    const denied = { ...this.admission.denied };
    return { connections: this.connections.size, accepted: this.accepted, denied, ...this.ctx.counters };
  }

  async close(deadlineMs = 10_000): Promise<void> {
    this.closing = true;
    const stopped = this.closeListeners();
    const graceful = Promise.all([...this.connections].map((c) => c.shutdown()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([graceful, deadline]);
    clearTimeout(timer);
    for (const c of this.connections) c.destroy('shutdown deadline');
    await Promise.all([...this.connections].map((c) => c.whenClosed()));
    await stopped;
  }

  private listen(listen: ListenUrl): Promise<Server> {
    // pauseOnConnect: nothing is read from a socket before admission decided about it.
    const server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket, listen, server));
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(listen.url, e)));
      server.listen({ host: listen.host, port: listen.port, reusePort: this.options.reusePort === true }, () => {
        server.removeAllListeners('error');
        server.on('error', (e) => this.options.logger.error({ err: e, url: listen.url }, 'ldap listener error'));
        resolve(server);
      });
    });
  }

  private accept(socket: Socket, listen: ListenUrl, server: Server): void {
    socket.on('error', () => {}); // a reset before admission is nobody's concern
    if (this.closing || socket.remoteAddress === undefined) return void socket.destroy();
    const remoteAddress = normalizeIp(socket.remoteAddress);
    const denied = this.admission.admit(remoteAddress);
    if (denied !== undefined) {
      this.refusals.warn(denied, { remoteAddress, listener: listen.url }, 'ldap connection refused');
      return void socket.destroy();
    }
    this.accepted += 1;
    socket.setNoDelay(true); // responses are batched per tick; Nagle would add 40 ms per exchange
    socket.setKeepAlive(true, 60_000);
    const transport = listen.tls ? new TLSSocket(socket, { isServer: true, secureContext: this.tlsContext() }) : socket;
    const meta = {
      id: this.options.sharedCounts?.nextId() ?? nextConnectionId++,
      remoteAddress,
      remotePort: socket.remotePort ?? 0,
      listenerUrl: formatListenUrl(listen, (server.address() as AddressInfo | null)?.port ?? listen.port),
      plainListenerExists: this.listeners.some((l) => !l.listen.tls),
    };
    const conn = new Connection(transport, this.ctx, meta);
    this.connections.add(conn);
    void conn.whenClosed().then(() => {
      this.connections.delete(conn);
      this.admission.release(remoteAddress);
    });
  }

  private tlsContext() {
    return (this.tls as TlsMaterial).current();
  }

  private async closeListeners(): Promise<void> {
    const servers = this.listeners.map((l) => l.server);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function listenError(url: string, e: NodeJS.ErrnoException): Error {
  const why =
    e.code === 'EADDRINUSE'
      ? 'address already in use'
      : e.code === 'EACCES'
        ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
        : e.code === 'EADDRNOTAVAIL'
          ? 'address not available on this host'
          : e.message;
  return new Error(`cannot listen on ${url}: ${why}`, { cause: e });
}

export function createLdapServer(options: LdapServerOptions, handler: LdapHandler): LdapServer {
  return new ConnectionServer(options, handler);
}
