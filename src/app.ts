import { mkdir } from 'node:fs/promises';
import type { Config } from './config/schema.js';
import { waitForCliLock } from './control/cli-lock.js';
import { startControlServer, type ControlServer } from './control/control-server.js';
import { createControlHandler } from './control/daemon-handler.js';
import { controlSocketPath } from './control/protocol.js';
import { createDirectoryServices, type DirectoryServices } from './directory/directory-services.js';
import { createPasswordHasher, type PasswordHasher } from './directory/password-hasher.js';
import type { Logger } from './log/create-logger.js';
import { createLdapService } from './ldap/ldap-service.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

/**
 * The composition root. `startDaemon` owns the process's store, change feed and control socket and
 * runs the network services (LDAP, HTTP, connector) on top of them. A service is plugged in by
 * adding its factory to DEFAULT_SERVICES (or passing `services`): it is started in order once the
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
}

export type ServiceFactory = (context: DaemonContext) => Service | Promise<Service>;

/** The services `pgdir serve` runs. The LDAP and HTTP servers are added here. */
export const DEFAULT_SERVICES: readonly ServiceFactory[] = [createLdapService];

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
    await runtime.open(options.services ?? DEFAULT_SERVICES);
  } catch (err) {
    runtime.failStart(err);
    await runtime.shutdown(config.shutdown_timeout);
    throw err;
  }
  logger.info({ mode, dataDir: config.data_dir, revision: runtime.feed.revision, services: runtime.serviceNames() }, 'pgdir is ready');
  return runtime.daemon();
}

/** Fan-out of the store's announcements to the services, remembering the latest revision. */
class LocalChangeFeed implements ChangeFeed {
  revision = 0;
  private readonly listeners = new Set<{ onChange: (revision: number) => void; onReconnect?: (() => void) | undefined }>();

  subscribe(onChange: (revision: number) => void, onReconnect?: () => void): () => void {
    const entry = { onChange, onReconnect };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  publish(revision: number, logger: Logger): void {
    this.revision = Math.max(this.revision, revision);
    logger.debug({ revision }, 'change');
    for (const { onChange } of this.listeners) guard(() => onChange(revision), logger);
  }

  reconnected(logger: Logger): void {
    logger.info('change notifications reconnected; catching up');
    for (const { onReconnect } of this.listeners) guard(() => onReconnect?.(), logger);
  }
}

function guard(fn: () => void, logger: Logger): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, 'change listener failed');
  }
}

const RESTART_KEYS = ['data_dir', 'database.url'] as const;

class DaemonRuntime {
  readonly feed = new LocalChangeFeed();
  control: ControlServer | undefined;
  private context: DaemonContext | undefined;
  private state: DaemonState = 'starting';
  private services: Service[] = [];
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private settleReady!: { resolve: (context: DaemonContext) => void; reject: (err: unknown) => void };
  readonly ready = new Promise<DaemonContext>((resolve, reject) => (this.settleReady = { resolve, reject }));

  constructor(
    private config: Config,
    private readonly logger: Logger,
    private readonly mode: 'postgres' | 'pglite',
    private readonly startedAt: number,
  ) {
    this.ready.catch(() => undefined); // a failed start is reported by startDaemon
  }

  async open(factories: readonly ServiceFactory[]): Promise<void> {
    const { config, logger } = this;
    // PGlite allows one process: let a CLI command that opened the store itself finish first.
    if (this.mode === 'pglite') await waitForCliLock(config.data_dir, config.shutdown_timeout + 60_000);
    const store = await openStore({ url: config.database.url, dataDir: config.data_dir, logger: logger.child({ part: 'store' }) });
    const hasher = createPasswordHasher({ cost: config.bcrypt.cost });
    const directory = createDirectoryServices({ store, hasher });
    this.feed.revision = await store.revision();
    this.unsubscribe = store.subscribe(
      (revision) => this.feed.publish(revision, logger),
      () => this.feed.reconnected(logger),
    );
    const runtime = this;
    const context: DaemonContext = { get config() { return runtime.config; }, logger, store, hasher, directory, changes: this.feed };
    this.context = context;
    for (const factory of factories) {
      const service = await factory(context);
      this.services.push(service);
      await service.start();
      logger.info({ service: service.name }, 'service started');
    }
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
      revision: this.feed.revision,
      services: this.serviceNames(),
      uptimeMs: Date.now() - this.startedAt,
    };
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
    this.unsubscribe?.();
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
