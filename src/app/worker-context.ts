import type { Config } from '../config/schema.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { ChangeFeed, DaemonContext } from '../daemon/service.js';
import { createAuthThrottle } from '../directory/auth/auth-throttle.js';
import { GateTickets } from '../directory/auth/gate-tickets.js';
import type { DirectoryServices } from '../directory/directory-services.js';
import type { DaemonHealth } from '../daemon/daemon-health.js';
import type { Logger } from '../log/create-logger.js';
import { createMetricsRegistry } from '../metrics/metrics-registry.js';
import type { Store } from '../store/store.js';
import type { RpcPeer } from './worker-rpc.js';
import { remoteHashTurns } from './worker-hash-turns.js';
import { remoteLogger } from './worker-logger.js';
import { throttleLimits } from './throttle-limits.js';

/** What the main thread hands an LDAP worker thread (workerData). */
export interface LdapWorkerData {
  readonly index: number;
  /** The daemon's config, with `ldap.listen` naming the ports the main thread bound. */
  readonly config: Config;
  readonly mode: 'postgres' | 'pglite';
  readonly revision: number;
  readonly hasExternal: boolean;
  readonly hasAutoCreate: boolean;
  readonly sharedCounts: SharedArrayBuffer;
  /** The main thread's hash-gate tickets: this worker counts in region `index` (auth/gate-tickets.ts). */
  readonly gateTickets: SharedArrayBuffer;
}

/** The announced revisions, as the main thread forwards them (one change stream for every worker). */
export class ForwardedChanges implements ChangeFeed {
  private readonly listeners = new Set<{ listener: (revision: number) => void; onReconnect: (() => void) | undefined }>();

  constructor(public revision: number) {}

  subscribe(listener: (revision: number) => void, onReconnect?: () => void): () => void {
    const entry = { listener, onReconnect };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  announce(revision: number): void {
    this.revision = Math.max(this.revision, revision);
    for (const { listener } of [...this.listeners]) listener(revision);
  }

  reconnected(): void {
    for (const { onReconnect } of [...this.listeners]) onReconnect?.();
  }
}

const refuse = (what: string) => (): Promise<never> => Promise.reject(new Error(`${what} is not available in an LDAP worker thread (writes run on the main thread)`));

/**
 * The DaemonContext of an LDAP worker thread: the main thread's store, use cases and hasher behind
 * RPC proxies (so the view and the handler are built by the very code the main thread runs), the
 * change stream forwarded from the main thread, its own metrics registry (merged into /metrics by
 * the main thread) and its own bind throttle, which counts failures in the database like another
 * replica's does (exact across workers and replicas: auth/auth-throttle.ts). Its hash gate is the
 * daemon's: tickets in the main thread's shared table, hashing turns from the main thread's gate,
 * so `auth_throttle.max_pending*` and the bcrypt slots do not multiply with the workers.
 */
export function workerContext(rpc: RpcPeer, data: LdapWorkerData, changes: ForwardedChanges): DaemonContext {
  const { config } = data;
  const logger = remoteLogger(rpc, 'log', { worker: data.index }, config.log.level) as unknown as Logger;
  const store = rpc.remote<Store>('store', {
    mode: data.mode,
    changes,
    subscribe: (listener: (revision: number) => void, onReconnect?: () => void) => changes.subscribe(listener, onReconnect),
    write: refuse('store.write'),
    withAdvisoryLock: refuse('store.withAdvisoryLock'),
    close: async () => undefined,
  });
  const hasher = rpc.remote<PasswordHasher>('hasher', {
    cost: config.bcrypt.cost,
    needsRehash: () => false, // rehashing after a login is the main thread's (its use cases)
  });
  const throttle = createAuthThrottle({
    store,
    ...throttleLimits(config.auth_throttle),
    gate: { tickets: new GateTickets(data.gateTickets, data.index), turns: remoteHashTurns(rpc) },
    logger: logger.child({ component: 'auth' }),
  });
  return {
    config,
    logger,
    store,
    hasher,
    directory: rpc.remote<DirectoryServices>('directory'),
    changes,
    throttle,
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    accessLog: remoteLogger(rpc, 'access', {}, 'info'),
    // Readiness and the revision check are the main thread's (it owns the store).
    health: undefined as unknown as DaemonHealth,
  };
}
