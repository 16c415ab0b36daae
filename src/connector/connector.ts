import { DirectoryError } from '../domain/errors.js';
import type { User } from '../domain/model.js';
import type { ConnectorPort, SyncOptions } from '../daemon/connector-port.js';
import type { MetricsRegistry } from '../metrics/metrics-registry.js';
import type { Store } from '../store/store.js';
import { autoCreateUser } from './auto-create.js';
import type { ConnectorConfig } from './connector-config.js';
import { loadConnectorConfig, saveConnectorConfig, type ConnectorConfigSource } from './connector-settings.js';
import { verifyMirroredUser } from './pass-through.js';
import { lastSyncReport, runSync, type SyncResult } from './run-sync.js';
import { createSyncMetrics } from './sync-metrics.js';
import { createSyncScheduler } from './sync-scheduler.js';
import { summarizeReport } from '../directory/mirror/sync-report.js';
import { testConnection } from './test-connection.js';

/**
 * The connector as the daemon uses it: one object per process holding the store, the pinned YAML
 * configuration (if any) and the interval timer. The configuration is re-read from settings at
 * most every `configTtlMs` (default 5 s), so a change made through another replica applies soon.
 */

export interface ConnectorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ConnectorOptions {
  readonly store: Store;
  /** The `connector:` mapping from pgdir.yaml (secrets already read from *_file); pins the config. */
  readonly pinned?: Readonly<Record<string, unknown>> | undefined;
  readonly logger?: ConnectorLogger;
  readonly configTtlMs?: number;
  /** The process's metrics registry: sync runs are counted on it (GET /metrics). */
  readonly metrics?: MetricsRegistry;
}

/** The connector as app/ holds it: the port the edges see, with its full types, and its timer. */
export interface Connector extends ConnectorPort {
  sync(options?: SyncOptions): Promise<SyncResult>;
  /** The effective configuration (masked settings included), or undefined when none. */
  configuration(): Promise<ConnectorConfigSource | undefined>;
  configure(raw: Readonly<Record<string, unknown>>, actor: string): Promise<ConnectorConfig>;
  /** Starts the interval timer (a no-op while the interval is 0). */
  start(): void;
  close(): Promise<void>;
}

const silent: ConnectorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const notConfigured = (): DirectoryError =>
  new DirectoryError('unavailable', 'no external directory is configured (connector)');

export function createConnector(options: ConnectorOptions): Connector {
  const { store, pinned } = options;
  const log = options.logger ?? silent;
  const ttl = options.configTtlMs ?? 5_000;
  let cached: { at: number; value: Promise<ConnectorConfigSource | undefined> } | undefined;
  let running = 0;
  const metrics = options.metrics === undefined ? undefined : createSyncMetrics(options.metrics);

  function configuration(): Promise<ConnectorConfigSource | undefined> {
    if (cached === undefined || performance.now() - cached.at > ttl) {
      const value = loadConnectorConfig(store, pinned);
      cached = { at: performance.now(), value };
      value.catch(() => (cached = undefined)); // retry a failed load next time
    }
    return cached.value;
  }

  async function requireConfig(): Promise<ConnectorConfig> {
    const source = await configuration();
    if (source === undefined) throw notConfigured();
    return source.config;
  }

  async function sync(opts: SyncOptions = {}): Promise<SyncResult> {
    const config = await requireConfig();
    running++;
    try {
      const result = await runSync(store, config, opts);
      metrics?.observe(result.report);
      const level = result.report.status === 'failed' ? 'warn' : 'info';
      log[level]({ report: { ...result.report, entries: undefined } }, summarizeReport(result.report));
      return result;
    } finally {
      running--;
    }
  }

  const scheduler = createSyncScheduler({
    intervalMs: async () => (await configuration().catch(() => undefined))?.config.intervalMs ?? 0,
    lastFinishedAt: async () => {
      const last = await lastSyncReport(store);
      return last === undefined ? undefined : new Date(last.finishedAt);
    },
    run: async () => void (await sync({ trigger: 'interval', actor: 'connector' })),
    onError: (error) => log.error({ err: error }, 'scheduled sync failed'),
  });

  return {
    verifier: {
      async verify(user: User, password: string) {
        return verifyMirroredUser(await requireConfig(), user, password);
      },
    },
    async autoCreate(login, password) {
      const source = await configuration();
      if (source === undefined) return { refused: 'no external directory is configured' };
      const outcome = await autoCreateUser(store, source.config, login, password);
      if ('created' in outcome) log.info({ user: outcome.created.username }, 'created user on first login from the external directory');
      return outcome;
    },
    sync,
    testConnection: async () => testConnection(await requireConfig()),
    async status() {
      const lastReport = await lastSyncReport(store);
      try {
        const source = await configuration();
        const c = source?.config;
        return { configured: c !== undefined, pinned: source?.pinned ?? false, provider: c?.provider, url: c?.url, intervalMs: c?.intervalMs ?? 0, running: running > 0, lastReport };
      } catch (error) {
        return { configured: false, pinned: pinned !== undefined, provider: undefined, url: undefined, intervalMs: 0, running: running > 0, lastReport, error: (error as Error).message };
      }
    },
    configuration,
    async configure(raw, actor) {
      const config = await saveConnectorConfig(store, raw, pinned, actor);
      cached = undefined;
      return config;
    },
    start() {
      // The last-run gauges start from the stored report (a failure to read it only leaves them unset).
      if (metrics !== undefined) void lastSyncReport(store).then((r) => r !== undefined && metrics.restore(r), () => undefined);
      scheduler.start();
    },
    close: () => scheduler.close(),
  };
}
