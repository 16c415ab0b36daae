import type { AccessLogger } from '../log/access-logger.js';
import type { Config } from '../config/schema.js';
import type { AuthThrottle } from '../directory/auth/auth-throttle.js';
import type { DirectoryServices } from '../directory/directory-services.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { ReadinessReport } from '../directory/health/readiness.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { DaemonHealth } from './daemon-health.js';
import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/store.js';

/**
 * The contract between the composition root (src/app.ts) and a network service (LDAP, HTTP, the
 * connector). It lives here, not in app.ts, so a service can implement it without importing the
 * root that imports the service (that was an import cycle).
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
  /** The `log.access` writer LDAP and HTTP share (component "access"). */
  readonly accessLog: AccessLogger;
  /** Readiness (one function for /readyz, healthcheck, status) and the periodic revision check. */
  readonly health: DaemonHealth;
}

export type ServiceFactory = (context: DaemonContext) => Service | Promise<Service>;

export type DaemonState = 'starting' | 'ready' | 'stopping' | 'stopped';

export interface DaemonStatus {
  readonly state: DaemonState;
  readonly pid: number;
  readonly mode: 'postgres' | 'pglite';
  readonly dataDir: string;
  readonly revision: number;
  readonly services: readonly string[];
  readonly uptimeMs: number;
  /** The daemon's readiness, the same as /readyz (absent while starting or stopping). */
  readonly readiness?: ReadinessReport;
}

export interface Daemon {
  readonly context: DaemonContext;
  status(): DaemonStatus;
  /** Applies a new config to the logger and the services; keys that need a restart are reported. */
  reload(config: Config): Promise<{ restartNeeded: string[] }>;
  /** Drains and closes everything within `deadlineMs` (default: config.shutdown_timeout). Idempotent. */
  stop(reason: string, deadlineMs?: number): Promise<void>;
}
