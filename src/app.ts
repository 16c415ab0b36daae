import type { AccessLogSink } from './log/create-access-logger.js';
import { retentionService } from './app/retention-service.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config/schema.js';
import { startControlServer } from './control/control-server.js';
import { createControlHandler } from './control/daemon-handler.js';
import { controlSocketPath } from './control/protocol.js';
import { DaemonRuntime } from './app/daemon-runtime.js';
import type { Daemon, DaemonContext, Service, ServiceFactory } from './daemon/service.js';
import type { Logger } from './log/create-logger.js';
import { createConnector, type Connector } from './connector/connector.js';
import { checkServiceConfig } from './app/check-service-config.js';
import { httpServiceFactory } from './http/http-service-factory.js';
import { createLdapService, type LdapService } from './ldap/ldap-service.js';
import { compactHeap } from './app/compact-heap.js';
import { SharedConnectionCounts } from './ldap/server/shared-connection-counts.js';
import { ldapWorkers, type LdapWorkers } from './app/ldap-workers.js';

/**
 * The composition root. `startDaemon` owns the process's store, change feed and control socket and
 * runs the network services (LDAP, HTTP, connector) on top of them. A service is plugged in by
 * adding its factory to defaultServices() (or passing `services`): it is started in order once the
 * store is open, receives every reloaded config, and is closed in reverse order on shutdown. The
 * service contract (Service, DaemonContext, ChangeFeed) is in daemon/service.ts.
 */
export type { ChangeFeed, Daemon, DaemonContext, DaemonState, DaemonStatus, Service, ServiceFactory } from './daemon/service.js';

/** The services `pgdir serve` runs. The LDAP and HTTP servers are added here. */
export function defaultServices(): ServiceFactory[] {
  let ldap: LdapService | undefined;
  let workers: LdapWorkers | undefined;
  let connector: Connector | undefined;
  // ldap.workers > 1: the connection caps count every worker's connections (one shared table).
  let sharedCounts: SharedConnectionCounts | undefined;
  return [
    (context) => {
      // Refuse to start on a bad `connector:` key (config/schema.ts checks only that it is a mapping).
      checkServiceConfig(context.config);
      connector = connectorFor(context);
      return connectorService(connector);
    },
    async (context) => {
      if (context.config.ldap.workers > 1) sharedCounts = new SharedConnectionCounts(SharedConnectionCounts.allocate());
      const cluster = sharedCounts && { reusePort: true, sharedCounts };
      const service = (ldap = await createLdapService(context, { external: connector?.verifier, autoCreate: connector, cluster }));
      context.health.addProbe('ldap', () => service.ready);
      context.health.follow(service.view);
      return service;
    },
    // The other LDAP workers (threads), once the main thread's listeners have their ports.
    (context) => {
      if (ldap === undefined || sharedCounts === undefined) return { name: 'ldap-workers', start: async () => undefined, close: async () => undefined };
      const started = (workers = ldapWorkers(context, ldap, { external: connector?.verifier, autoCreate: connector, sharedCounts }));
      context.metrics.merge(() => started.metrics());
      return started;
    },
    (context) => {
      // The users list and who may use an application are answered from the main thread's view (loaded by now).
      context.directory.listing.attach(ldap?.view);
      return httpServiceFactory({
        readinessCheck: context.health.readiness,
        // Settings reach LDAP once, through the change feed; this only waits for that to be applied.
        onDirectoryServerChange: async () => void (await Promise.all([ldap?.settingsApplied(), workers?.settingsApplied()])),
        external: connector?.verifier,
        connector,
        ldapEndpoint: () => ({
          urls: ldap?.server.addresses().map((a) => a.url) ?? [],
          suffix: context.config.ldap.suffix,
          certFile: context.config.ldap.tls.cert_file ?? join(context.config.data_dir, 'tls', 'cert.pem'),
        }),
      })(context);
    },
    retentionService,
  ];
}

const connectors = new WeakMap<DaemonContext, Connector>();

/**
 * The daemon's one connector: the connector service, the HTTP API and the control socket's sync
 * commands share it (one config cache, one set of metrics). Made on first use, so a daemon started
 * with other services still answers `pgdir sync …` the same way.
 */
function connectorFor(context: DaemonContext): Connector {
  let connector = connectors.get(context);
  if (connector === undefined) {
    connector = createConnector({
      store: context.store,
      pinned: context.config.connector,
      logger: context.logger.child({ component: 'connector' }),
      metrics: context.metrics,
    });
    connectors.set(context, connector);
  }
  return connector;
}

/** The connector's interval sync as a daemon service (a no-op while the interval is 0). */
function connectorService(connector: Connector): Service {
  return {
    name: 'connector',
    start: async () => connector.start(),
    close: () => connector.close(),
  };
}

export interface StartDaemonOptions {
  readonly services?: readonly ServiceFactory[];
  /** Where `log.access` lines go; default: the daemon's logger (`pgdir serve` passes a buffered stdout sink). */
  readonly accessLog?: AccessLogSink;
  /** Give the start-up's garbage back before `ready` (app/compact-heap.ts): `pgdir serve` does, in-process tests don't. */
  readonly compactHeap?: boolean;
}

export async function startDaemon(config: Config, logger: Logger, options: StartDaemonOptions = {}): Promise<Daemon> {
  const startedAt = Date.now();
  const mode = config.database.url === undefined ? 'pglite' : 'postgres';
  const runtime = new DaemonRuntime(config, logger, mode, startedAt, options.accessLog);
  await mkdir(config.data_dir, { recursive: true, mode: 0o700 });
  const control = await startControlServer(
    controlSocketPath(config.data_dir),
    createControlHandler({ ready: runtime.ready, status: () => runtime.status(), readiness: () => runtime.readiness(), logger, connector: connectorFor }),
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
  const compactMs = options.compactHeap === true ? compactHeap() : undefined;
  if (compactMs !== undefined) logger.info({ ms: compactMs, heap: process.memoryUsage().heapTotal }, 'start-up garbage collected');
  logger.info({ mode, dataDir: config.data_dir, revision: runtime.status().revision, services: runtime.serviceNames() }, 'pgdir is ready');
  return runtime.daemon();
}
