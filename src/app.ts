import { mkdir } from 'node:fs/promises';
import type { Config } from './config/schema.js';
import { startControlServer } from './control/control-server.js';
import { createControlHandler } from './control/daemon-handler.js';
import { controlSocketPath } from './control/protocol.js';
import { DaemonRuntime } from './app/daemon-runtime.js';
import type { AuthThrottle } from './directory/auth-throttle.js';
import type { DirectoryServices } from './directory/directory-services.js';
import type { PasswordHasher } from './directory/password-hasher.js';
import type { Logger } from './log/create-logger.js';
import { createConnector, type Connector } from './connector/connector.js';
import { parseConnectorConfig } from './connector/connector-config.js';
import { httpServiceFactory } from './http/http-service-factory.js';
import type { MetricsRegistry } from './http/metrics-registry.js';
import { createLdapService, type LdapService } from './ldap/ldap-service.js';
import type { Store } from './store/store.js';

/**
 * The composition root. `startDaemon` owns the process's store, change feed and control socket and
 * runs the network services (LDAP, HTTP, connector) on top of them. A service is plugged in by
 * adding its factory to defaultServices() (or passing `services`): it is started in order once the
 * store is open, receives every reloaded config, and is closed in reverse order on shutdown.
 */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** SIGHUP: the new, validated config (data_dir and database.url changes need a restart). */
  reload?(config: Config): Promise<void>;
  /** Stop accepting work, drain what is in flight, and resolve within `deadlineMs`. */
  close(deadlineMs: number): Promise<void>;
}

/** The announced store revisions, as seen by this daemon (services subscribe here, not to the store). */
export interface ChangeFeed {
  /** The latest revision announced to this process. */
  readonly revision: number;
  /** `listener(revision)` after each commit; `onReconnect` after a lost notification channel came back. */
  subscribe(listener: (revision: number) => void, onReconnect?: () => void): () => void;
}

export interface DaemonContext {
  /** The current configuration; replaced (never mutated) on reload. */
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly directory: DirectoryServices;
  readonly changes: ChangeFeed;
  /** The process's one brute-force throttle and sign-in hashing limits: LDAP binds and API logins share it. */
  readonly throttle: AuthThrottle;
  /** The process's one Prometheus registry (GET /metrics): LDAP, HTTP and the connector register on it. */
  readonly metrics: MetricsRegistry;
}

export type ServiceFactory = (context: DaemonContext) => Service | Promise<Service>;

/** The services `pgdir serve` runs. The LDAP and HTTP servers are added here. */
export function defaultServices(): ServiceFactory[] {
  let ldap: LdapService | undefined;
  let connector: Connector | undefined;
  return [
    (context) => {
      // Refuse to start on a bad `connector:` key (config/schema.ts checks only that it is a mapping).
      if (context.config.connector !== undefined) parseConnectorConfig(context.config.connector);
      connector = createConnector({
        store: context.store,
        pinned: context.config.connector,
        logger: context.logger.child({ component: 'connector' }),
        metrics: context.metrics,
      });
      return connectorService(connector);
    },
    async (context) => (ldap = await createLdapService(context, { external: connector?.verifier, autoCreate: connector })),
    (context) =>
      httpServiceFactory({
        readiness: { ldap: () => ldap?.ready ?? false },
        onDirectoryServerChange: () => ldap?.applySettings(),
        external: connector?.verifier,
        connector,
      })(context),
  ];
}

/** The connector's interval sync as a daemon service (a no-op while the interval is 0). */
function connectorService(connector: Connector): Service {
  return {
    name: 'connector',
    start: async () => connector.start(),
    close: () => connector.close(),
  };
}

export type DaemonState = 'starting' | 'ready' | 'stopping' | 'stopped';

export interface DaemonStatus {
  readonly state: DaemonState;
  readonly pid: number;
  readonly mode: 'postgres' | 'pglite';
  readonly dataDir: string;
  readonly revision: number;
  readonly services: readonly string[];
  readonly uptimeMs: number;
}

export interface Daemon {
  readonly context: DaemonContext;
  status(): DaemonStatus;
  /** Applies a new config to the logger and the services; keys that need a restart are reported. */
  reload(config: Config): Promise<{ restartNeeded: string[] }>;
  /** Drains and closes everything within `deadlineMs` (default: config.shutdown_timeout). Idempotent. */
  stop(reason: string, deadlineMs?: number): Promise<void>;
}

export interface StartDaemonOptions {
  readonly services?: readonly ServiceFactory[];
}

export async function startDaemon(config: Config, logger: Logger, options: StartDaemonOptions = {}): Promise<Daemon> {
  const startedAt = Date.now();
  const mode = config.database.url === undefined ? 'pglite' : 'postgres';
  const runtime = new DaemonRuntime(config, logger, mode, startedAt);
  await mkdir(config.data_dir, { recursive: true, mode: 0o700 });
  const control = await startControlServer(
    controlSocketPath(config.data_dir),
    createControlHandler({ ready: runtime.ready, status: () => runtime.status(), logger }),
    logger.child({ part: 'control' }),
  );
  runtime.control = control;
  try {
    await runtime.open(options.services ?? defaultServices());
  } catch (err) {
    runtime.failStart(err);
    await runtime.shutdown(config.shutdown_timeout);
    throw err;
  }
  logger.info({ mode, dataDir: config.data_dir, revision: runtime.feed.revision, services: runtime.serviceNames() }, 'pgdir is ready');
  return runtime.daemon();
}
