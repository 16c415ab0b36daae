import type { Config } from '../config/schema.js';
import { createReadiness, type ReadinessProbe, type ReadinessReport } from '../directory/health/readiness.js';
import { registerReplicaMetrics, type GaugeRegistry } from '../directory/health/replica-metrics.js';
import { RevisionCheck, type FollowedView } from '../directory/health/revision-check.js';
import type { Store } from '../store/store.js';
import type { StoreLogger } from '../store/store-logger.js';

/**
 * The daemon's readiness, one function for /readyz, `pgdir healthcheck` and `pgdir status` (they
 * must tell the same truth), and the periodic revision check that keeps the view current when
 * change notifications stall. Services add their own probes and the view to follow.
 */
export class DaemonHealth {
  readonly revisionCheck: RevisionCheck;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly #probes: Record<string, ReadinessProbe> = {};

  constructor(store: Store, config: Config, logger: StoreLogger, metrics: GaugeRegistry) {
    this.revisionCheck = new RevisionCheck({
      store,
      intervalMs: config.database.revision_check_interval,
      timeoutMs: config.health.check_timeout,
      logger,
    });
    registerReplicaMetrics(metrics, this.revisionCheck);
    this.readiness = createReadiness({
      store,
      timeoutMs: config.health.check_timeout,
      probes: this.#probes,
      replica: this.revisionCheck,
      maxLagMs: config.health.max_lag,
    });
  }

  /** A part that must be ready for the daemon to be (e.g. the LDAP listeners). */
  addProbe(name: string, probe: ReadinessProbe): void {
    this.#probes[name] = probe;
  }

  /** The directory view whose lag counts and which the check catches up. */
  follow(view: FollowedView): void {
    this.revisionCheck.follow(view);
  }

  start(): void {
    this.revisionCheck.start();
  }

  stop(): void {
    this.revisionCheck.stop();
  }
}
