import type { AccessLogSink } from '../log/create-access-logger.js';
import type { Config } from '../config/schema.js';
import type { Daemon, DaemonContext, DaemonState, DaemonStatus, Service, ServiceFactory } from '../daemon/service.js';
import { waitForCliLock } from '../control/cli-lock.js';
import type { ControlServer } from '../control/control-server.js';
import { createDirectoryServices } from '../directory/directory-services.js';
import { createSmtpMailer, mailerForStoredServer } from '../mail/smtp-mailer.js';
import { smtpSettingsFromConfig } from '../mail/smtp-config.js';
import { createMetricsRegistry } from '../metrics/metrics-registry.js';
import { createPasswordHasher } from '../crypto/password-hasher.js';
import { createAuthThrottle } from '../directory/auth/auth-throttle.js';
import type { Logger } from '../log/create-logger.js';
import { openStore } from '../store/open-store.js';
import type { ReadinessReport } from '../directory/health/readiness.js';
import { DaemonHealth } from '../daemon/daemon-health.js';
import { checkSealingKeyFile } from './check-sealing-key.js';
import { throttleLimits } from './throttle-limits.js';

/**
 * What startDaemon runs: opens the store, the change feed and the services in order, applies
 * reloads, and closes everything in reverse order within a deadline. The control socket comes
 * first and goes last (see startDaemon), so that CLI commands always find the daemon while it
 * holds the store.
 */
const RESTART_KEYS = ['data_dir', 'database.url'] as const;

export class DaemonRuntime {
  control: ControlServer | undefined;
  private context: DaemonContext | undefined;
  private state: DaemonState = 'starting';
  private services: Service[] = [];
  private health: DaemonHealth | undefined;
  private stopping: Promise<void> | undefined;
  private settleReady!: { resolve: (context: DaemonContext) => void; reject: (err: unknown) => void };
  readonly ready = new Promise<DaemonContext>((resolve, reject) => (this.settleReady = { resolve, reject }));

  constructor(
    private config: Config,
    private readonly logger: Logger,
    private readonly mode: 'postgres' | 'pglite',
    private readonly startedAt: number,
    private readonly accessSink: AccessLogSink = { logger: logger.child({ component: 'access' }), close: () => undefined },
  ) {
    this.ready.catch(() => undefined); // a failed start is reported by startDaemon
  }

  async open(factories: readonly ServiceFactory[]): Promise<void> {
    const { config, logger } = this;
    // PGlite allows one process: let a CLI command that opened the store itself finish first.
    if (this.mode === 'pglite') await waitForCliLock(config.data_dir, config.shutdown_timeout + 60_000);
    const storeLogger = logger.child({ part: 'store' });
    const store = await openStore({ url: config.database.url, dataDir: config.data_dir, keepAliveMs: config.database.keepalive, logger: storeLogger });
    // A replica with another totp.key would fail only later, on the first sealed secret it opens.
    await checkSealingKeyFile(store, config.data_dir, { record: true }).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
    const hasher = createPasswordHasher({ cost: config.bcrypt.cost, nice: config.bcrypt.nice });
    const directory = createDirectoryServices({ store, hasher, dataDir: config.data_dir, mailer: config.smtp && createSmtpMailer(smtpSettingsFromConfig(config.smtp)), mailerFor: mailerForStoredServer, publicUrl: config.smtp?.public_url, name: config.name, builtinGroupNames: Object.values(config.ldap.builtin_groups), ldapSuffix: config.ldap.suffix, oidc: config.sso?.oidc });
    const runtime = this;
    const metrics = createMetricsRegistry(); // one per daemon, shared by every service
    const throttle = createAuthThrottle({
      store,
      ...throttleLimits(config.auth_throttle),
      gate: { threads: config.ldap.workers }, // one ticket region per LDAP thread (auth/gate-tickets.ts)
      logger: logger.child({ component: 'auth' }),
    });
    const health = (this.health = new DaemonHealth(store, config, storeLogger, metrics));
    const context: DaemonContext = { get config() { return runtime.config; }, logger, store, hasher, directory, changes: store.changes, metrics, health, throttle, accessLog: this.accessSink.logger };
    this.context = context;
    for (const factory of factories) {
      const service = await factory(context);
      this.services.push(service);
      await service.start();
      logger.info({ service: service.name }, 'service started');
    }
    health.start();
    this.state = 'ready';
    this.settleReady.resolve(context);
  }

  failStart(err: unknown): void {
    this.settleReady.reject(err);
  }

  serviceNames(): string[] {
    return this.services.map((s) => s.name);
  }

  status(): DaemonStatus {
    return {
      state: this.state,
      pid: process.pid,
      mode: this.mode,
      dataDir: this.config.data_dir,
      revision: this.context?.store.changes.revision ?? 0,
      services: this.serviceNames(),
      uptimeMs: Date.now() - this.startedAt,
    };
  }

  /** The daemon's readiness (undefined while the store is not open yet). */
  readiness(): Promise<ReadinessReport> | undefined {
    return this.state === 'ready' ? this.health?.readiness() : undefined;
  }

  async reload(config: Config): Promise<{ restartNeeded: string[] }> {
    const restartNeeded = RESTART_KEYS.filter((key) => readKey(config, key) !== readKey(this.config, key));
    if (restartNeeded.length > 0) this.logger.warn({ keys: restartNeeded }, 'these settings change only on restart; keeping the running values');
    const effective: Config = { ...config, data_dir: this.config.data_dir, database: this.config.database };
    this.config = Object.freeze(effective);
    this.logger.level = effective.log.level;
    for (const service of this.services) {
      try {
        await service.reload?.(effective);
      } catch (err) {
        this.logger.error({ err, service: service.name }, 'service could not apply the new configuration');
      }
    }
    this.logger.info('configuration reloaded');
    return { restartNeeded };
  }

  shutdown(deadlineMs: number): Promise<void> {
    this.stopping ??= this.closeAll(Date.now() + deadlineMs);
    return this.stopping;
  }

  private async closeAll(deadline: number): Promise<void> {
    this.state = 'stopping';
    for (const service of [...this.services].reverse()) {
      try {
        await service.close(Math.max(0, deadline - Date.now()));
        this.logger.info({ service: service.name }, 'service stopped');
      } catch (err) {
        this.logger.error({ err, service: service.name }, 'service did not close cleanly');
      }
    }
    this.health?.stop();
    this.accessSink.close();
    await this.control?.drain(Math.max(0, deadline - Date.now()));
    await this.context?.store.close().catch((err: unknown) => this.logger.error({ err }, 'closing the store failed'));
    // The socket goes last: while it exists, CLI commands wait for the daemon instead of opening PGlite.
    await this.control?.close(Math.max(0, deadline - Date.now()));
    this.state = 'stopped';
  }

  daemon(): Daemon {
    return {
      context: this.context as DaemonContext,
      status: () => this.status(),
      reload: (config) => this.reload(config),
      stop: (reason, deadlineMs) => {
        this.logger.info({ reason }, 'stopping');
        return this.shutdown(deadlineMs ?? this.config.shutdown_timeout);
      },
    };
  }
}

function readKey(config: Config, key: (typeof RESTART_KEYS)[number]): unknown {
  return key === 'data_dir' ? config.data_dir : config.database.url;
}
